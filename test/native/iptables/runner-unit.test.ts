/**
 * ExecIptables against a recording CommandRunner: which tools and arguments
 * it runs, and how exit codes and stderr become typed errors. Plus the
 * FakeIptables model other packages' tests rely on.
 */
import test from 'ava';
import { ExecIptables, IptablesError, RestoreBuilder, binaries, openIptables, type CommandResult, type CommandRunner } from '../../../native/iptables/index.js';
import { CommandNotFoundError } from '../../../native/iptables/command.js';
import { FakeIptables } from '../../../native/testing/iptables.js';

class ScriptedRunner implements CommandRunner {
  readonly calls: { cmd: string; args: string[]; input?: string }[] = [];
  constructor(private readonly answer: (cmd: string, args: readonly string[]) => Partial<CommandResult> | 'ENOENT') {}
  async run(cmd: string, args: readonly string[], input?: string): Promise<CommandResult> {
    this.calls.push({ cmd, args: [...args], ...(input !== undefined ? { input } : {}) });
    const a = this.answer(cmd, args);
    if (a === 'ENOENT') throw new CommandNotFoundError(cmd);
    return { exitCode: 0, stdout: '', stderr: '', ...a };
  }
}

test('binaries: backend and family pick the tool names', (t) => {
  t.deepEqual(binaries('ipv4', 'legacy'), { cli: 'iptables-legacy', save: 'iptables-legacy-save', restore: 'iptables-legacy-restore' });
  t.deepEqual(binaries('ipv6', 'nft'), { cli: 'ip6tables-nft', save: 'ip6tables-nft-save', restore: 'ip6tables-nft-restore' });
});

test('restore: one call with --wait and --noflush by default, input on stdin; counters on request', async (t) => {
  const r = new ScriptedRunner(() => ({}));
  const ipt = new ExecIptables('ipv4', 'legacy', r, 7);
  await ipt.restore('*nat\nCOMMIT\n');
  await ipt.restore('*nat\nCOMMIT\n', { noflush: false, counters: true });
  t.deepEqual(r.calls, [
    { cmd: 'iptables-legacy-restore', args: ['--wait', '7', '--noflush'], input: '*nat\nCOMMIT\n' },
    { cmd: 'iptables-legacy-restore', args: ['--wait', '7', '--counters'], input: '*nat\nCOMMIT\n' },
  ]);
});

test('restore failure: RestoreFailed with the line and the input around it', async (t) => {
  const stderr = "iptables-restore v1.8.9 (legacy): Couldn't load target `NOPE':No such file or directory\n\nError occurred at line: 4\nTry `iptables-restore -h' or 'iptables-restore --help' for more information.\n";
  const ipt = new ExecIptables('ipv4', 'legacy', new ScriptedRunner(() => ({ exitCode: 2, stderr })));
  const input = '*nat\n:KY - [0:0]\n-A KY -j RETURN\n-A KY -j NOPE\nCOMMIT\n';
  const e = await t.throwsAsync(ipt.restore(input), { instanceOf: IptablesError });
  t.is(e?.code, 'RestoreFailed');
  t.is(e?.line, 4);
  t.is(e?.exitCode, 2);
  t.regex(e?.message ?? '', />\s+4: -A KY -j NOPE/);
  t.notRegex(e?.message ?? '', /Try `/);
});

test('lock held past the wait: LockTimeout', async (t) => {
  const stderr = 'Another app is currently holding the xtables lock. Stopped waiting after 5s.\n';
  const ipt = new ExecIptables('ipv4', 'nft', new ScriptedRunner(() => ({ exitCode: 4, stderr })));
  t.is((await t.throwsAsync(ipt.restore('*nat\nCOMMIT\n'), { instanceOf: IptablesError }))?.code, 'LockTimeout');
  t.is((await t.throwsAsync(ipt.ensureRule('append', 'nat', 'OUTPUT', ['-j', 'X']), { instanceOf: IptablesError }))?.code, 'LockTimeout');
});

test('missing tools: NotInstalled', async (t) => {
  const ipt = new ExecIptables('ipv6', 'legacy', new ScriptedRunner(() => 'ENOENT'));
  t.is((await t.throwsAsync(ipt.save('nat'), { instanceOf: IptablesError }))?.code, 'NotInstalled');
  t.is((await t.throwsAsync(openIptables({ mode: 'nft', exec: new ScriptedRunner(() => 'ENOENT') }), { instanceOf: IptablesError }))?.code, 'NotInstalled');
});

test('ensureRule: -C first; added with -A or -I 1 only when absent', async (t) => {
  let present = false;
  const r = new ScriptedRunner((_cmd, args) => {
    if (args.includes('-C')) return { exitCode: present ? 0 : 1 };
    present = true;
    return {};
  });
  const ipt = new ExecIptables('ipv4', 'nft', r);
  t.false(await ipt.ensureRule('prepend', 'nat', 'OUTPUT', ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES']));
  t.true(await ipt.ensureRule('prepend', 'nat', 'OUTPUT', ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES']));
  t.deepEqual(
    r.calls.map((c) => c.args.join(' ')),
    [
      '--wait 5 -t nat -C OUTPUT -m comment --comment kubernetes service portals -j KUBE-SERVICES',
      '--wait 5 -t nat -I OUTPUT 1 -m comment --comment kubernetes service portals -j KUBE-SERVICES',
      '--wait 5 -t nat -C OUTPUT -m comment --comment kubernetes service portals -j KUBE-SERVICES',
    ],
  );
});

test('ensureRule: a bad rule (-C exit 2) is CommandFailed, not "absent"', async (t) => {
  const ipt = new ExecIptables('ipv4', 'nft', new ScriptedRunner(() => ({ exitCode: 2, stderr: "Couldn't load target `NOPE'" })));
  const e = await t.throwsAsync(ipt.ensureRule('append', 'nat', 'OUTPUT', ['-j', 'NOPE']), { instanceOf: IptablesError });
  t.is(e?.code, 'CommandFailed');
  t.is(e?.exitCode, 2);
});

test('openIptables auto: runs the four save tools and follows the busier backend', async (t) => {
  const saves: Record<string, string> = {
    'iptables-legacy-save': '*filter\n:INPUT ACCEPT [0:0]\n:DOCKER - [0:0]\n-A INPUT -j DOCKER\n-A DOCKER -j RETURN\nCOMMIT\n',
    'ip6tables-legacy-save': '*filter\n:X - [0:0]\n[0:0] -A X -j RETURN\nCOMMIT\n',
    'iptables-nft-save': '*filter\n:Y - [0:0]\n-A Y -j RETURN\nCOMMIT\n',
    'ip6tables-nft-save': '',
  };
  const r = new ScriptedRunner((cmd) => ({ stdout: saves[cmd] ?? 'iptables v1.8.9' }));
  const ipt = await openIptables({ exec: r });
  t.is(ipt.mode, 'legacy');
  t.deepEqual(ipt.evidence, { nftHint: false, legacyHint: false, legacyRules: 3, nftRules: 1 });
  t.deepEqual(r.calls.at(-1), { cmd: 'iptables-legacy', args: ['--version'] });
});

// FakeIptables: the model must behave like the tools, or tests built on it lie.

test('FakeIptables: records restores; noflush declares and flushes only the named chains', async (t) => {
  const f = new FakeIptables();
  const b1 = new RestoreBuilder();
  b1.table('nat').chain('A').chain('B').append('A', ['-j', 'B']).append('B', ['-j', 'RETURN']);
  await f.restore(b1.render());
  const b2 = new RestoreBuilder();
  b2.table('nat').chain('B').append('B', ['-m', 'comment', '--comment', 'new rule', '-j', 'RETURN']);
  await f.restore(b2.render());
  t.is(f.restores.length, 2);
  t.is(f.lastRestore, b2.render());
  t.deepEqual(f.rules('nat', 'A'), ['-j B']);
  t.deepEqual(f.rules('nat', 'B'), ['-m comment --comment "new rule" -j RETURN']);
  t.regex(await f.save('nat'), /^-A A -j B$/m);
});

test('FakeIptables: a failing table changes nothing in it; tables committed before it stay (like the tools)', async (t) => {
  const f = new FakeIptables();
  await f.restore('*filter\n:F - [0:0]\n-A F -j ACCEPT\nCOMMIT\n');
  const e = await t.throwsAsync(f.restore('*filter\n:F - [0:0]\nCOMMIT\n*nat\n:A - [0:0]\n-A A -j MISSING\nCOMMIT\n'), { instanceOf: IptablesError });
  t.is(e?.code, 'RestoreFailed');
  t.is(e?.line, 6);
  t.deepEqual(f.rules('filter', 'F'), []);
  t.is(f.rules('nat', 'A'), undefined);
});

test('FakeIptables: -X refuses a referenced chain, like the kernel', async (t) => {
  const f = new FakeIptables();
  await f.restore('*nat\n:A - [0:0]\n:B - [0:0]\n-A A -j B\nCOMMIT\n');
  await t.throwsAsync(f.restore('*nat\n:B - [0:0]\n-X B\nCOMMIT\n'), { instanceOf: IptablesError });
  await f.restore('*nat\n:A - [0:0]\n:B - [0:0]\n-X B\nCOMMIT\n');
  t.is(f.rules('nat', 'B'), undefined);
});

test('FakeIptables: ensureRule is idempotent and positions rules; failNextRestore', async (t) => {
  const f = new FakeIptables();
  t.false(await f.ensureChain('nat', 'KUBE-SERVICES'));
  t.true(await f.ensureChain('nat', 'KUBE-SERVICES'));
  t.false(await f.ensureRule('append', 'nat', 'OUTPUT', ['-j', 'KUBE-SERVICES']));
  t.false(await f.ensureRule('prepend', 'nat', 'OUTPUT', ['-s', '127.0.0.0/8', '-j', 'RETURN']));
  t.true(await f.ensureRule('append', 'nat', 'OUTPUT', ['-j', 'KUBE-SERVICES']));
  t.deepEqual(f.rules('nat', 'OUTPUT'), ['-s 127.0.0.0/8 -j RETURN', '-j KUBE-SERVICES']);
  await f.deleteRule('nat', 'OUTPUT', ['-j', 'KUBE-SERVICES']);
  await f.deleteRule('nat', 'OUTPUT', ['-j', 'KUBE-SERVICES']);
  t.deepEqual(f.rules('nat', 'OUTPUT'), ['-s 127.0.0.0/8 -j RETURN']);
  f.failNextRestore = new IptablesError('RestoreFailed', 'injected');
  await t.throwsAsync(f.restore('*nat\nCOMMIT\n'), { message: 'injected' });
  await f.restore('*nat\nCOMMIT\n');
  t.is(f.calls.length, 7);
});
