/**
 * conntrack: filter arguments and count parsing (pure), the exit-1-is-fine
 * rule (scripted runner), and real deletes of UDP flows created inside a
 * throwaway network namespace.
 */
import test from 'ava';
import { ConntrackError, ExecConntrack, filterArgs, parseFlowCount, type ConntrackFilter } from '../../../native/conntrack/index.js';
import { CommandNotFoundError, type CommandResult, type CommandRunner } from '../../../native/iptables/command.js';
import { openIptables } from '../../../native/iptables/index.js';
import { run } from '../../harness/exec.js';
import { createNetNs } from '../../harness/netns.js';

const filters: { name: string; f: ConntrackFilter; args: string[] }[] = [
  { name: 'service VIP, UDP', f: { protocol: 'udp', origDst: '10.0.0.10' }, args: ['-p', 'udp', '--orig-dst', '10.0.0.10'] },
  { name: 'endpoint removed', f: { protocol: 'udp', origDst: '10.0.0.10', dstNat: '10.244.1.5' }, args: ['-p', 'udp', '--orig-dst', '10.0.0.10', '--dst-nat', '10.244.1.5'] },
  { name: 'node port', f: { protocol: 'udp', origDstPort: 30053 }, args: ['-p', 'udp', '--orig-port-dst', '30053'] },
  { name: 'IPv6 with source', f: { family: 'ipv6', protocol: 'udp', origSrc: 'fd00::1', origDst: 'fd00::a' }, args: ['-f', 'ipv6', '-p', 'udp', '--orig-src', 'fd00::1', '--orig-dst', 'fd00::a'] },
];
for (const tc of filters) {
  test(`filterArgs: ${tc.name}`, (t) => {
    t.deepEqual(filterArgs(tc.f), tc.args);
  });
}

test('filterArgs: a port without a protocol, or out of range, is InvalidFilter', (t) => {
  t.is(t.throws(() => filterArgs({ origDstPort: 53 }), { instanceOf: ConntrackError })?.code, 'InvalidFilter');
  t.is(t.throws(() => filterArgs({ protocol: 'udp', origDstPort: 70000 }), { instanceOf: ConntrackError })?.code, 'InvalidFilter');
});

test('parseFlowCount reads the tool summary line', (t) => {
  t.is(parseFlowCount('conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n'), 0);
  t.is(parseFlowCount('conntrack v1.4.7 (conntrack-tools): 12 flow entries have been shown.\n'), 12);
  t.is(parseFlowCount('conntrack v1.4.7 (conntrack-tools): Operation not permitted\n'), undefined);
});

class Scripted implements CommandRunner {
  constructor(private readonly r: CommandResult | 'ENOENT') {}
  async run(cmd: string): Promise<CommandResult> {
    if (this.r === 'ENOENT') throw new CommandNotFoundError(cmd);
    return this.r;
  }
}

test('deleteEntries: exit 1 with "0 flow entries" is 0, other failures are CommandFailed, a missing tool NotInstalled', async (t) => {
  const none = new ExecConntrack({ exec: new Scripted({ exitCode: 1, stdout: '', stderr: 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n' }) });
  t.is(await none.deleteEntries({ protocol: 'udp', origDst: '10.0.0.10' }), 0);
  const perm = new ExecConntrack({ exec: new Scripted({ exitCode: 1, stdout: '', stderr: 'conntrack v1.4.7 (conntrack-tools): Operation failed: Operation not permitted\n' }) });
  t.is((await t.throwsAsync(perm.deleteEntries({ protocol: 'udp' }), { instanceOf: ConntrackError }))?.code, 'CommandFailed');
  const missing = new ExecConntrack({ exec: new Scripted('ENOENT') });
  t.is((await t.throwsAsync(missing.count(), { instanceOf: ConntrackError }))?.code, 'NotInstalled');
});

test('real: UDP flows in a namespace are counted and deleted by original destination', async (t) => {
  const ns = await createNetNs('kt-ct');
  try {
    // Conntrack only tracks in a namespace once something needs it: a conntrack match does.
    const ipt = await openIptables({ mode: 'nft', netns: ns.path });
    await ipt.restore('*filter\n:KT-CT - [0:0]\n-A OUTPUT -j KT-CT\n-A KT-CT -m conntrack --ctstate NEW -j ACCEPT\nCOMMIT\n');
    await run('ip', ['-n', ns.name, 'addr', 'add', '10.0.0.10/32', 'dev', 'lo']);
    await run('ip', ['-n', ns.name, 'addr', 'add', '10.0.0.11/32', 'dev', 'lo']);
    // One datagram to each address, from inside the namespace: two UDP flows.
    const send =
      "const d=require('dgram');let n=0;for(const ip of ['10.0.0.10','10.0.0.11']){const s=d.createSocket('udp4');s.send('x',5353,ip,()=>{s.close();if(++n===2)process.exit(0)})}";
    await run('nsenter', [`--net=${ns.path}`, '--', process.execPath, '-e', send]);

    const ct = new ExecConntrack({ netns: ns.path });
    t.is(await ct.count({ protocol: 'udp', origDst: '10.0.0.10' }), 1);
    t.is(await ct.count({ protocol: 'udp', origDst: '10.0.0.10', origDstPort: 5353 }), 1);
    t.is(await ct.count({ protocol: 'tcp', origDst: '10.0.0.10' }), 0);
    t.true((await ct.count()) >= 2);
    t.is(await ct.deleteEntries({ protocol: 'udp', origDst: '10.0.0.10' }), 1);
    t.is(await ct.count({ protocol: 'udp', origDst: '10.0.0.10' }), 0);
    t.is(await ct.deleteEntries({ protocol: 'udp', origDst: '10.0.0.10' }), 0, 'nothing left: exit 1, not an error');
    t.is(await ct.count({ protocol: 'udp', origDst: '10.0.0.11' }), 1, 'the other flow is untouched');
  } finally {
    await ns.destroy();
  }
});
