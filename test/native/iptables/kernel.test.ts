/**
 * The real iptables tools, both backends, in throwaway network namespaces
 * (never the root namespace's tables): restore a ruleset built with
 * RestoreBuilder, read it back through save + parse, noflush semantics,
 * atomic failure, ensure-rule idempotence, and auto backend selection.
 */
import test from 'ava';
import { CommandNotFoundError, ExecCommandRunner, IptablesError, NetnsUnavailableError, RestoreBuilder, openIptables, parseSave, type IptablesMode } from '../../../native/iptables/index.js';
import { createNetNs, type NetNs } from '../../harness/netns.js';

async function withNs<T>(fn: (ns: NetNs) => Promise<T>): Promise<T> {
  const ns = await createNetNs('kt-ipt');
  try {
    return await fn(ns);
  } finally {
    await ns.destroy();
  }
}

for (const mode of ['legacy', 'nft'] as const satisfies readonly IptablesMode[]) {
  test(`${mode}: a builder ruleset restores in one call and saves back identical`, async (t) => {
    await withNs(async (ns) => {
      const ipt = await openIptables({ mode, netns: ns.path });
      t.is(ipt.mode, mode);
      const b = new RestoreBuilder();
      const nat = b.table('nat');
      nat.chain('KUBE-SERVICES').chain('KUBE-MARK-MASQ').chain('KUBE-SVC-ABC').chain('KUBE-SEP-1').chain('KUBE-SEP-2');
      // Written the way iptables-save prints it (`--or-mark 0x4000` would come back as this).
      nat.append('KUBE-MARK-MASQ', ['-j', 'MARK', '--set-xmark', '0x4000/0x4000']);
      nat.append('KUBE-SERVICES', ['-d', '10.96.0.10/32', '-p', 'udp', '-m', 'comment', '--comment', 'kube-system/kube-dns:dns cluster IP', '-m', 'udp', '--dport', '53', '-j', 'KUBE-SVC-ABC']);
      nat.append('KUBE-SVC-ABC', ['-m', 'statistic', '--mode', 'random', '--probability', '0.50000000000', '-j', 'KUBE-SEP-1']);
      nat.append('KUBE-SVC-ABC', ['-j', 'KUBE-SEP-2']);
      for (const [sep, ip] of [['KUBE-SEP-1', '10.244.0.2'], ['KUBE-SEP-2', '10.244.0.3']]) {
        nat.append(sep, ['-s', `${ip}/32`, '-j', 'KUBE-MARK-MASQ']);
        nat.append(sep, ['-p', 'udp', '-m', 'comment', '--comment', 'say "hi"', '-m', 'udp', '-j', 'DNAT', '--to-destination', `${ip}:53`]);
      }
      b.table('filter').chain('KUBE-FORWARD').append('KUBE-FORWARD', ['-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP']);
      await ipt.restore(b.render());

      const saved = parseSave(await ipt.save());
      const want = parseSave(b.render());
      for (const table of ['nat', 'filter']) {
        for (const [name, chain] of want.tables.get(table)!.chains) {
          t.deepEqual(saved.tables.get(table)?.chains.get(name)?.rules.map((r) => r.args), chain.rules.map((r) => r.args), `${table}/${name}`);
        }
      }
      // Counters come back too when asked.
      const withCounters = parseSave(await ipt.save('nat', { counters: true }));
      t.deepEqual(withCounters.tables.get('nat')!.chains.get('KUBE-SVC-ABC')!.rules[0].counters, { packets: 0n, bytes: 0n });
    });
  });

  test(`${mode}: --noflush rewrites the declared chains only; a failing table changes nothing in it`, async (t) => {
    await withNs(async (ns) => {
      const ipt = await openIptables({ mode, netns: ns.path });
      await ipt.restore('*nat\n:A - [0:0]\n:B - [0:0]\n-A A -j B\n-A B -j RETURN\nCOMMIT\n');
      await ipt.restore('*nat\n:B - [0:0]\n-A B -s 1.2.3.4/32 -j RETURN\nCOMMIT\n');
      let nat = parseSave(await ipt.save('nat')).tables.get('nat')!;
      t.deepEqual(nat.chains.get('A')!.rules.map((r) => r.text), ['-j B']);
      t.deepEqual(nat.chains.get('B')!.rules.map((r) => r.text), ['-s 1.2.3.4/32 -j RETURN']);

      const bad = '*filter\n:F - [0:0]\n-A F -j ACCEPT\nCOMMIT\n*nat\n:A - [0:0]\n-A A -j NO-SUCH-CHAIN\nCOMMIT\n';
      const e = await t.throwsAsync(ipt.restore(bad), { instanceOf: IptablesError });
      t.is(e?.code, 'RestoreFailed');
      t.true(typeof e?.line === 'number' && e.line >= 7, `line ${e?.line}`);
      nat = parseSave(await ipt.save('nat')).tables.get('nat')!;
      t.deepEqual(nat.chains.get('A')!.rules.map((r) => r.text), ['-j B'], 'the failing nat table was not touched');
      // Each COMMIT is its own transaction: the filter table before the failure stays applied.
      t.true(await ipt.chainExists('filter', 'F'), 'tables committed before the failing one stay');

      // Stale chain cleanup: flush the referrer and delete in one blob.
      const b = new RestoreBuilder();
      b.table('nat').chain('A').deleteChain('B');
      await ipt.restore(b.render());
      t.false(await ipt.chainExists('nat', 'B'));
    });
  });

  test(`${mode}: ensureChain / ensureRule are idempotent; deletes tolerate absence`, async (t) => {
    await withNs(async (ns) => {
      const ipt = await openIptables({ mode, netns: ns.path });
      t.false(await ipt.ensureChain('nat', 'KUBE-SERVICES'));
      t.true(await ipt.ensureChain('nat', 'KUBE-SERVICES'));
      const jump = ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES'];
      t.false(await ipt.ensureRule('prepend', 'nat', 'OUTPUT', jump));
      t.true(await ipt.ensureRule('prepend', 'nat', 'OUTPUT', jump));
      t.false(await ipt.ensureRule('prepend', 'nat', 'OUTPUT', ['-s', '127.0.0.0/8', '-j', 'RETURN']));
      t.false(await ipt.ensureRule('append', 'nat', 'OUTPUT', ['-d', '10.0.0.0/8', '-j', 'RETURN']));
      const out = parseSave(await ipt.save('nat')).tables.get('nat')!.chains.get('OUTPUT')!;
      t.deepEqual(out.rules.map((r) => r.text), ['-s 127.0.0.0/8 -j RETURN', '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES', '-d 10.0.0.0/8 -j RETURN']);

      await ipt.deleteRule('nat', 'OUTPUT', jump);
      await ipt.deleteRule('nat', 'OUTPUT', jump);
      await ipt.deleteRule('nat', 'NO-CHAIN', jump);
      await ipt.flushChain('nat', 'NO-CHAIN');
      await ipt.deleteChain('nat', 'NO-CHAIN');
      await ipt.flushChain('nat', 'KUBE-SERVICES');
      await ipt.deleteChain('nat', 'KUBE-SERVICES');
      t.false(await ipt.chainExists('nat', 'KUBE-SERVICES'));
      t.true(await ipt.chainExists('nat', 'OUTPUT'));
    });
  });
}

test('ip6tables (nft): restore and save in a namespace', async (t) => {
  await withNs(async (ns) => {
    const ipt = await openIptables({ family: 'ipv6', mode: 'nft', netns: ns.path });
    const b = new RestoreBuilder();
    b.table('nat').chain('KUBE-SVC-V6').append('KUBE-SVC-V6', ['-p', 'tcp', '-j', 'DNAT', '--to-destination', '[fd00::2]:8080']);
    await ipt.restore(b.render());
    const rules = parseSave(await ipt.save('nat')).tables.get('nat')!.chains.get('KUBE-SVC-V6')!.rules;
    t.deepEqual(rules.map((r) => r.args.at(-1)), ['[fd00::2]:8080']);
  });
});

test('auto mode follows the backend that already holds rules in the namespace', async (t) => {
  await withNs(async (ns) => {
    const sh = new ExecCommandRunner({ netns: ns.path });
    // Empty namespace: a tie, nft.
    const empty = await openIptables({ netns: ns.path });
    t.is(empty.mode, 'nft');
    t.deepEqual(empty.evidence, { nftHint: false, legacyHint: false, legacyRules: 0, nftRules: 0 });
    // Docker-on-legacy look-alike: rules in legacy only.
    const docker = '*filter\n:DOCKER - [0:0]\n:DOCKER-USER - [0:0]\n-A FORWARD -j DOCKER-USER\n-A DOCKER-USER -j RETURN\n-A FORWARD -o docker0 -j DOCKER\nCOMMIT\n';
    t.is((await sh.run('iptables-legacy-restore', ['--noflush'], docker)).exitCode, 0);
    const legacy = await openIptables({ netns: ns.path });
    t.is(legacy.mode, 'legacy');
    t.is(legacy.evidence?.legacyRules, 3);
    // A kubelet hint chain in nft overrides the rule count.
    t.is((await sh.run('iptables-nft', ['-t', 'mangle', '-N', 'KUBE-IPTABLES-HINT'])).exitCode, 0);
    const hinted = await openIptables({ netns: ns.path });
    t.is(hinted.mode, 'nft');
    t.true(hinted.evidence?.nftHint);
    // An explicit mode is not second-guessed.
    t.is((await openIptables({ netns: ns.path, mode: 'legacy' })).mode, 'legacy');
  });
});

test('a namespace that does not exist: NetnsUnavailable, never a silent fall-through to the root namespace', async (t) => {
  const netns = '/run/netns/kt-ipt-does-not-exist';
  const e = await t.throwsAsync(openIptables({ netns }), { instanceOf: NetnsUnavailableError });
  t.is(e?.code, 'NetnsUnavailable');
  t.is(e?.netns, netns);
});

test('ExecCommandRunner: a missing program is CommandNotFoundError, in the root namespace and inside one', async (t) => {
  await t.throwsAsync(new ExecCommandRunner().run('kt-no-such-program', []), { instanceOf: CommandNotFoundError });
  await withNs(async (ns) => {
    await t.throwsAsync(new ExecCommandRunner({ netns: ns.path }).run('kt-no-such-program', []), { instanceOf: CommandNotFoundError });
    const r = await new ExecCommandRunner({ netns: ns.path }).run('sh', ['-c', 'cat; exit 3'], 'in');
    t.deepEqual(r, { exitCode: 3, stdout: 'in', stderr: '' });
  });
});
