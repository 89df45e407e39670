/**
 * RtNetlinkClient against the real kernel. Every test makes its own network
 * namespaces (kt-<random>) and deletes them by name; nothing touches the root
 * namespace's links. Kernel state is checked with iproute2 (`ip -d link`,
 * `ip route`, `ip neigh`, `bridge fdb`). Needs root: without it the tests
 * fail saying so.
 */
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { createNetNs, type NetNs } from '../../harness/netns.js';
import { RtNetlinkClient } from '../../../native/rtnetlink/client.js';
import { NetlinkBatchError, NetlinkError } from '../../../native/rtnetlink/errors.js';
import type { RouteSpec, RtEvent } from '../../../native/rtnetlink/types.js';
import { openNetns } from '../../../native/netns/netns.js';

async function ip(ns: NetNs, ...args: string[]): Promise<string> {
  return (await execa('ip', ['-n', ns.name, ...args])).stdout;
}

async function inNs(t: ExecutionContext, fn: (nl: RtNetlinkClient, ns: NetNs) => Promise<void>): Promise<void> {
  const ns = await createNetNs();
  const nl = RtNetlinkClient.open({ netns: ns.name });
  try {
    await fn(nl, ns);
  } finally {
    nl.close();
    await ns.destroy();
  }
  t.pass();
}

test('links: bridge, veth pair, set MTU/MAC/master/up, list, get, delete', (t) =>
  inNs(t, async (nl, ns) => {
    await nl.addLink({ kind: 'bridge', name: 'br0', up: true });
    await nl.addLink({ kind: 'veth', name: 'va', peer: { name: 'vb', mac: '02:00:00:00:00:0b' }, mtu: 1400 });
    await nl.setLink('va', { master: 'br0', up: true, mac: '0a:58:0a:f4:01:01', mtu: 1300 });
    const out = await ip(ns, '-d', 'link', 'show', 'va');
    t.regex(out, /mtu 1300 .*master br0/);
    t.regex(out, /link\/ether 0a:58:0a:f4:01:01/);
    const va = await nl.link('va');
    const vb = await nl.link('vb');
    const br = await nl.link('br0');
    t.like(va, { kind: 'veth', mtu: 1300, mac: '0a:58:0a:f4:01:01', up: true, master: br?.index, parent: vb?.index });
    t.like(vb, { kind: 'veth', mac: '02:00:00:00:00:0b', up: false });
    t.is((await nl.link(va!.index))?.name, 'va');
    t.deepEqual((await nl.links()).map((l) => l.name).sort(), ['br0', 'lo', 'va', 'vb']);
    await nl.setLink('va', { master: null, up: false });
    t.notRegex(await ip(ns, 'link', 'show', 'va'), /master/);
    await nl.delLink('vb');
    t.is(await nl.link('va'), undefined, 'deleting one end removes the pair');
    t.is(await nl.link('nonexistent'), undefined);
  }));

test('links: vxlan with VNI, port, local, dev, nolearning, gbp', (t) =>
  inNs(t, async (nl, ns) => {
    await nl.addLink({ kind: 'bridge', name: 'under0', up: true });
    await nl.addAddress({ dev: 'under0', cidr: '10.251.0.1/24' });
    await nl.addLink({ kind: 'vxlan', name: 'flannel.1', mtu: 1450, up: true, vxlan: { vni: 1, port: 8472, local: '10.251.0.1', dev: 'under0', learning: false, gbp: true } });
    const out = await ip(ns, '-d', 'link', 'show', 'flannel.1');
    t.regex(out, /vxlan id 1 local 10\.251\.0\.1 dev under0 .*dstport 8472 nolearning/);
    t.regex(out, /\bgbp\b/);
    const l = await nl.link('flannel.1');
    t.like(l, { kind: 'vxlan', vxlan: { vni: 1, port: 8472, local: '10.251.0.1', learning: false, gbp: true, dev: (await nl.link('under0'))?.index } });
    await nl.addLink({ kind: 'vxlan', name: 'vx2', vxlan: { vni: 2 } });
    t.like(await nl.link('vx2'), { vxlan: { vni: 2, learning: true, gbp: false } });
  }));

test('links: tun via TUNSETIFF+TUNSETPERSIST; dummy is unsupported on this kernel', (t) =>
  inNs(t, async (nl, ns) => {
    await nl.addLink({ kind: 'tun', name: 'kt-tun0', up: true, mtu: 1472 });
    const out = await ip(ns, '-d', 'link', 'show', 'kt-tun0');
    t.regex(out, /mtu 1472/);
    t.regex(out, /tun type tun pi off .*persist on/);
    t.like(await nl.link('kt-tun0'), { kind: 'tun', up: true, mtu: 1472 });
    await nl.delLink('kt-tun0');
    t.is(await nl.link('kt-tun0'), undefined);
    const e = await t.throwsAsync(nl.addLink({ kind: 'dummy', name: 'd0' }));
    t.true(e instanceof NetlinkError);
    t.is((e as NetlinkError).code, 'EOPNOTSUPP');
    t.regex(e!.message, /^RTM_NEWLINK d0: EOPNOTSUPP/);
  }));

test('errors name the operation and errno: RTM_NEWLINK br0: EEXIST', (t) =>
  inNs(t, async (nl) => {
    await nl.addLink({ kind: 'bridge', name: 'br0' });
    const e = await t.throwsAsync(nl.addLink({ kind: 'bridge', name: 'br0' }));
    t.true(e instanceof NetlinkError);
    const ne = e as NetlinkError;
    t.is(ne.code, 'EEXIST');
    t.is(ne.errno, 17);
    t.is(ne.op, 'RTM_NEWLINK br0');
    t.regex(ne.message, /^RTM_NEWLINK br0: EEXIST/);
    await t.throwsAsync(nl.setLink('nope0', { up: true }), { instanceOf: NetlinkError, message: /^RTM_NEWLINK nope0: ENODEV/ });
    await t.throwsAsync(nl.addAddress({ dev: 'nope0', cidr: '10.0.0.1/24' }), { message: /^RTM_GETLINK nope0: ENODEV/ });
  }));

test('addresses: add, list, delete', (t) =>
  inNs(t, async (nl, ns) => {
    await nl.addLink({ kind: 'bridge', name: 'br0', up: true });
    await nl.addAddress({ dev: 'br0', cidr: '10.1.15.0/32' });
    await nl.addAddress({ dev: 'br0', cidr: '10.2.0.1/24', broadcast: '10.2.0.255' });
    await nl.addAddress({ dev: 'br0', cidr: 'fd00:1::1/64' });
    t.regex(await ip(ns, 'addr', 'show', 'br0'), /inet 10\.1\.15\.0\/32 scope global br0/);
    const v4 = await nl.addresses({ dev: 'br0', family: 4 });
    t.deepEqual(v4.map((a) => a.cidr), ['10.1.15.0/32', '10.2.0.1/24']);
    t.is(v4[1].broadcast, '10.2.0.255');
    t.true((await nl.addresses({ family: 6 })).some((a) => a.cidr === 'fd00:1::1/64'));
    await t.throwsAsync(nl.addAddress({ dev: 'br0', cidr: '10.1.15.0/32' }), { message: /RTM_NEWADDR 10\.1\.15\.0\/32 dev br0: EEXIST/ });
    await nl.delAddress({ dev: 'br0', cidr: '10.1.15.0/32' });
    t.deepEqual((await nl.addresses({ dev: 'br0', family: 4 })).map((a) => a.cidr), ['10.2.0.1/24']);
  }));

test('routes: 1,000 in one batch, listed, then deleted in one batch', (t) =>
  inNs(t, async (nl, ns) => {
    await nl.addLink({ kind: 'bridge', name: 'br0', up: true });
    await nl.addAddress({ dev: 'br0', cidr: '10.251.0.1/24' });
    const routes: RouteSpec[] = Array.from({ length: 1000 }, (_, i) => ({ dst: `10.200.${i >> 8}.${i & 255}/32`, gateway: '10.251.0.2', dev: 'br0' }));
    await nl.addRoutes(routes);
    const listed = (await nl.routes({ family: 4 })).filter((r) => r.dst.startsWith('10.200.'));
    t.is(listed.length, 1000);
    t.like(listed[0], { gateway: '10.251.0.2', table: 254, protocol: 3, scope: 0 });
    const text = await ip(ns, 'route', 'show');
    t.is(text.split('\n').filter((l) => l.startsWith('10.200.')).length, 1000);
    t.regex(text, /^10\.200\.3\.231 via 10\.251\.0\.2 dev br0 ?$/m);
    await nl.delRoutes(routes);
    t.is((await nl.routes()).filter((r) => r.dst.startsWith('10.200.')).length, 0);
  }));

test('routes: onlink, replace, metric, table, scope; partial batch failure', (t) =>
  inNs(t, async (nl, ns) => {
    await nl.addLink({ kind: 'bridge', name: 'br0', up: true });
    const noOnlink = await t.throwsAsync(nl.addRoutes([{ dst: '10.1.2.0/24', gateway: '10.1.2.0', dev: 'br0' }]));
    t.true(noOnlink instanceof NetlinkBatchError);
    t.is((noOnlink as NetlinkBatchError).failures[0].error.code, 'ENETUNREACH');
    await nl.replaceRoutes([{ dst: '10.1.2.0/24', gateway: '10.1.2.0', dev: 'br0', onlink: true }]);
    await nl.replaceRoutes([{ dst: '10.1.2.0/24', gateway: '10.1.2.1', dev: 'br0', onlink: true }]);
    t.regex(await ip(ns, 'route', 'show', '10.1.2.0/24'), /^10\.1\.2\.0\/24 via 10\.1\.2\.1 dev br0 onlink/);
    await nl.addRoutes([
      { dst: '10.3.0.0/16', dev: 'br0', metric: 50, table: 1000 },
      { dst: '10.4.0.0/16', dev: 'br0', scope: 'link', table: 100 },
    ]);
    t.regex(await ip(ns, 'route', 'show', 'table', '1000'), /10\.3\.0\.0\/16 dev br0 scope link metric 50/);
    t.like(await nl.routes({ table: 1000 }), [{ dst: '10.3.0.0/16', metric: 50, table: 1000, scope: 253 }]);
    const e = await t.throwsAsync(
      nl.addRoutes([
        { dst: '10.5.0.0/16', dev: 'br0' },
        { dst: '10.1.2.0/24', gateway: '10.1.2.1', dev: 'br0', onlink: true },
        { dst: '10.6.0.0/16', dev: 'br0' },
      ]),
    );
    const be = e as NetlinkBatchError<RouteSpec>;
    t.deepEqual(
      be.failures.map((f) => [f.index, f.error.message]),
      [[1, 'RTM_NEWROUTE 10.1.2.0/24: EEXIST']],
    );
    const main = (await nl.routes()).map((r) => r.dst);
    t.true(main.includes('10.5.0.0/16') && main.includes('10.6.0.0/16'), 'the other items were applied');
    await nl.delRoutes([{ dst: '10.3.0.0/16', table: 1000 }, { dst: '10.1.2.0/24' }, { dst: '10.9.0.0/16' }], { ignore: ['ESRCH'] });
    t.deepEqual(await nl.routes({ table: 1000 }), []);
    t.false((await nl.routes()).some((r) => r.dst === '10.1.2.0/24'));
  }));

test('neighbours: permanent ARP entries; FDB entries with NDA_DST and NTF_SELF', (t) =>
  inNs(t, async (nl, ns) => {
    await nl.addLink({ kind: 'bridge', name: 'under0', up: true });
    await nl.addLink({ kind: 'vxlan', name: 'flannel.1', up: true, vxlan: { vni: 1, dev: 'under0', learning: false } });
    await nl.addNeigh({ dev: 'flannel.1', ip: '10.1.2.0', mac: '0a:58:0a:01:02:00' });
    await nl.addNeigh({ dev: 'flannel.1', ip: '10.1.2.0', mac: '0a:58:0a:01:02:01' }); // replace
    t.regex(await ip(ns, 'neigh', 'show', 'dev', 'flannel.1'), /^10\.1\.2\.0 lladdr 0a:58:0a:01:02:01 PERMANENT ?$/m);
    t.like(
      (await nl.neighbours({ dev: 'flannel.1', family: 4 })).find((n) => n.ip === '10.1.2.0'),
      { mac: '0a:58:0a:01:02:01', state: 0x80 },
    );
    await nl.addFdb({ dev: 'flannel.1', mac: '0a:58:0a:01:02:01', dst: '10.251.0.2' });
    const fdb = (await execa('bridge', ['-n', ns.name, 'fdb', 'show', 'dev', 'flannel.1'])).stdout;
    t.regex(fdb, /^0a:58:0a:01:02:01 dst 10\.251\.0\.2 self permanent ?$/m);
    t.like((await nl.fdb({ dev: 'flannel.1' })).find((f) => f.mac === '0a:58:0a:01:02:01'), { dst: '10.251.0.2', flags: 2, state: 0x80 });
    await nl.addFdb({ dev: 'flannel.1', mac: '00:00:00:00:00:00', dst: '10.251.0.3', append: true });
    await nl.addFdb({ dev: 'flannel.1', mac: '00:00:00:00:00:00', dst: '10.251.0.4', append: true });
    t.is((await nl.fdb({ dev: 'flannel.1' })).filter((f) => f.mac === '00:00:00:00:00:00').length, 2);
    await nl.delFdb({ dev: 'flannel.1', mac: '0a:58:0a:01:02:01', dst: '10.251.0.2' });
    await nl.delNeigh({ dev: 'flannel.1', ip: '10.1.2.0' });
    t.notRegex(await ip(ns, 'neigh', 'show', 'dev', 'flannel.1'), /10\.1\.2\.0/);
    t.false((await nl.fdb({ dev: 'flannel.1' })).some((f) => f.mac === '0a:58:0a:01:02:01'));
    await t.throwsAsync(nl.delNeigh({ dev: 'flannel.1', ip: '10.1.2.0' }), { instanceOf: NetlinkError, message: /^RTM_DELNEIGH 10\.1\.2\.0 dev flannel\.1: ENOENT/ });
  }));

test('netns moves: veth peer created in another namespace by fd; a link moved by fd and by pid', async (t) => {
  const a = await createNetNs();
  const b = await createNetNs();
  const nl = RtNetlinkClient.open({ netns: a.name });
  const nlb = RtNetlinkClient.open({ netns: b.name });
  const hb = openNetns(b.name);
  const sleeper = execa('ip', ['netns', 'exec', b.name, 'sleep', '30']);
  try {
    await nl.addLink({ kind: 'veth', name: 'kt-a0', peer: { name: 'kt-b0', netns: { fd: hb.fd } } });
    t.truthy(await nlb.link('kt-b0'));
    t.is(await nl.link('kt-b0'), undefined);
    t.regex(await ip(b, 'link', 'show', 'kt-b0'), /kt-b0@/);
    await nl.addLink({ kind: 'veth', name: 'kt-a1', peer: { name: 'kt-a2' } });
    await nl.setLink('kt-a1', { netns: { fd: hb.fd } });
    t.truthy(await nlb.link('kt-a1'));
    // By pid: a process living in b (`ip netns exec b sleep`) names the namespace.
    const pid = await waitForChild(sleeper.pid ?? 0, 'sleep');
    await nl.setLink('kt-a2', { netns: { pid } });
    t.truthy(await nlb.link('kt-a2'));
    t.is(await nl.link('kt-a2'), undefined);
  } finally {
    sleeper.kill();
    await sleeper.catch(() => undefined);
    hb.close();
    nl.close();
    nlb.close();
    await a.destroy();
    await b.destroy();
  }
});

/** `ip netns exec` execs the command in place, so the pid is the sleep's own; wait until the exec happened. */
async function waitForChild(pid: number, comm: string): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  for (let i = 0; i < 100; i++) {
    const c = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (c.trim() === comm) return pid;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`pid ${pid} never became ${comm}`);
}

test('watch: link and route events arrive in order and the iteration ends on abort', (t) =>
  inNs(t, async (nl) => {
    await nl.addLink({ kind: 'bridge', name: 'br0', up: true });
    const ac = new AbortController();
    const seen: string[] = [];
    const ready = new Promise<void>((r) => setTimeout(r, 150));
    const done = (async () => {
      for await (const ev of nl.watch(['link', 'ipv4-route'], ac.signal)) {
        const d = describe(ev);
        if (d) seen.push(d);
        if (d === 'dellink kt-w0') ac.abort();
      }
    })();
    await ready;
    await nl.addLink({ kind: 'bridge', name: 'kt-w0' });
    await nl.addRoutes([{ dst: '10.9.0.0/16', dev: 'br0' }]);
    await nl.delRoutes([{ dst: '10.9.0.0/16' }]);
    await nl.delLink('kt-w0');
    const timer = setTimeout(() => ac.abort(), 5000);
    await done;
    clearTimeout(timer);
    t.deepEqual(seen, ['newlink kt-w0', 'newroute 10.9.0.0/16', 'delroute 10.9.0.0/16', 'dellink kt-w0']);
  }));

function describe(e: RtEvent): string | undefined {
  if (e.kind === 'newlink' || e.kind === 'dellink') return e.link.name === 'br0' ? undefined : `${e.kind} ${e.link.name}`;
  if (e.kind === 'newroute' || e.kind === 'delroute') return e.route.table === 254 && e.route.dst.startsWith('10.9.') ? `${e.kind} ${e.route.dst}` : undefined;
  return e.kind;
}

test('IPv6: address and routes (dev and via a gateway)', (t) =>
  inNs(t, async (nl, ns) => {
    await nl.addLink({ kind: 'bridge', name: 'br0', up: true });
    await nl.addAddress({ dev: 'br0', cidr: 'fd00:1::1/64' });
    await nl.addRoutes([
      { dst: 'fd00:9::/64', dev: 'br0', metric: 10 },
      { dst: 'fd00:a::/48', gateway: 'fd00:1::2', dev: 'br0' },
    ]);
    const text = await ip(ns, '-6', 'route', 'show');
    t.regex(text, /^fd00:9::\/64 dev br0 metric 10/m);
    t.regex(text, /^fd00:a::\/48 via fd00:1::2 dev br0/m);
    const v6 = await nl.routes({ family: 6 });
    t.like(v6.find((r) => r.dst === 'fd00:a::/48'), { family: 6, gateway: 'fd00:1::2' });
    await nl.delRoutes([{ dst: 'fd00:9::/64', metric: 10 }, { dst: 'fd00:a::/48' }]);
    t.false((await nl.routes({ family: 6 })).some((r) => r.dst.startsWith('fd00:9') || r.dst.startsWith('fd00:a')));
  }));
