/**
 * Traffic through what native/rtnetlink builds, in throwaway namespaces:
 * a pod-like namespace on a bridge (veth + bridge + addresses + routes) that
 * carries a ping and a TCP connection, and the flannel vxlan scheme between
 * two "hosts" (per peer: neighbour, FDB entry, onlink route) carrying pings.
 * Traffic comes from busybox ping/nc run inside the namespaces.
 */
import test from 'ava';
import { execa } from 'execa';
import { createNetNs, type NetNs } from '../../harness/netns.js';
import { RtNetlinkClient } from '../../../native/rtnetlink/client.js';
import { openNetns } from '../../../native/netns/netns.js';

function inNs(ns: NetNs, cmd: string[], input?: string) {
  return execa('ip', ['netns', 'exec', ns.name, ...cmd], { reject: false, timeout: 10_000, ...(input === undefined ? {} : { input }) });
}

async function ping(from: NetNs, to: string): Promise<boolean> {
  return (await inNs(from, ['busybox', 'ping', '-c', '2', '-W', '2', to])).exitCode === 0;
}

test('veth + bridge + address + route carry a ping and a TCP connection', async (t) => {
  const host = await createNetNs();
  const pod = await createNetNs();
  const h = RtNetlinkClient.open({ netns: host.name });
  const p = RtNetlinkClient.open({ netns: pod.name });
  const podNs = openNetns(pod.name);
  try {
    await h.addLink({ kind: 'bridge', name: 'cni0', up: true });
    await h.addAddress({ dev: 'cni0', cidr: '10.244.1.1/24' });
    await h.addLink({ kind: 'veth', name: 'veth-kt1', peer: { name: 'eth0', netns: { fd: podNs.fd } }, master: 'cni0', up: true });
    await h.addLink({ kind: 'bridge', name: 'svc0', up: true });
    await h.addAddress({ dev: 'svc0', cidr: '10.99.0.1/32' });
    await p.setLink('lo', { up: true });
    await p.addAddress({ dev: 'eth0', cidr: '10.244.1.2/24' });
    await p.setLink('eth0', { up: true });
    // 10.99.0.0/24 is reachable only through this route.
    await p.addRoutes([{ dst: '10.99.0.0/24', gateway: '10.244.1.1', dev: 'eth0' }]);
    t.true(await ping(pod, '10.244.1.1'), 'ping the bridge');
    t.true(await ping(pod, '10.99.0.1'), 'ping through the route');

    const server = inNs(host, ['busybox', 'nc', '-l', '-p', '8080']);
    let sent = false;
    for (let i = 0; i < 50 && !sent; i++) {
      await new Promise((r) => setTimeout(r, 50));
      sent = (await inNs(pod, ['busybox', 'nc', '-w', '2', '10.99.0.1', '8080'], 'hello over tcp\n')).exitCode === 0;
    }
    const got = await server;
    t.true(sent);
    t.is(got.stdout.trim(), 'hello over tcp');
  } finally {
    podNs.close();
    h.close();
    p.close();
    await pod.destroy();
    await host.destroy();
  }
});

test('vxlan between two namespaces with neighbour, FDB and onlink routes carries pings (flannel scheme)', async (t) => {
  const a = await createNetNs();
  const b = await createNetNs();
  const na = RtNetlinkClient.open({ netns: a.name });
  const nb = RtNetlinkClient.open({ netns: b.name });
  const bNs = openNetns(b.name);
  const hosts = [
    { nl: na, ns: a, under: '192.168.77.1', subnet: '10.1.1', mac: '0a:58:0a:01:01:00' },
    { nl: nb, ns: b, under: '192.168.77.2', subnet: '10.1.2', mac: '0a:58:0a:01:02:00' },
  ];
  try {
    await na.addLink({ kind: 'veth', name: 'under0', peer: { name: 'under0', netns: { fd: bNs.fd } } });
    for (const hst of hosts) {
      await hst.nl.setLink('lo', { up: true });
      await hst.nl.addAddress({ dev: 'under0', cidr: `${hst.under}/24` });
      await hst.nl.setLink('under0', { up: true });
      await hst.nl.addLink({
        kind: 'vxlan',
        name: 'flannel.1',
        mac: hst.mac,
        mtu: 1450,
        vxlan: { vni: 1, port: 8472, local: hst.under, dev: 'under0', learning: false },
      });
      await hst.nl.addAddress({ dev: 'flannel.1', cidr: `${hst.subnet}.0/32` });
      await hst.nl.setLink('flannel.1', { up: true });
    }
    for (const [me, peer] of [
      [hosts[0], hosts[1]],
      [hosts[1], hosts[0]],
    ] as const) {
      // Order matters: neighbour and FDB entry before the route (vxlan_network.go).
      await me.nl.addNeigh({ dev: 'flannel.1', ip: `${peer.subnet}.0`, mac: peer.mac });
      await me.nl.addFdb({ dev: 'flannel.1', mac: peer.mac, dst: peer.under });
      await me.nl.replaceRoutes([{ dst: `${peer.subnet}.0/24`, gateway: `${peer.subnet}.0`, dev: 'flannel.1', onlink: true }]);
    }
    t.true(await ping(a, '10.1.2.0'), 'a → b over vxlan');
    t.true(await ping(b, '10.1.1.0'), 'b → a over vxlan');
    const rx = (await execa('ip', ['-n', b.name, '-s', 'link', 'show', 'flannel.1'])).stdout;
    t.regex(rx, /RX:.*\n\s+[1-9]\d*\s+[1-9]/, 'b received packets on flannel.1');
  } finally {
    bNs.close();
    na.close();
    nb.close();
    await a.destroy();
    await b.destroy();
  }
});
