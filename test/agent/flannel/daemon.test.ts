/**
 * flanneld for real: an etcd 3.4 with the v2 API, two hosts (network
 * namespaces on one veth "cable"), one flanneld child process per host,
 * and a pod namespace behind each host. Per backend: each host gets its own
 * lease and subnet.env, the kernel holds what the backend promises, a pod on
 * host A pings a pod on host B, and SIGTERM removes flannel's iptables chains
 * and leaves the lease. [integration]: needs root, etcd, iproute2, busybox.
 */
import test from 'ava';
import { startEtcd } from '../../harness/etcd.js';
import { run, uniqueSuffix } from '../../harness/exec.js';
import { requireRoot } from '../../harness/netns.js';
import { etcdctl, ipIn, makeHosts, makePod, ping, readEnv, startFlanneld, waitFor, type Flanneld, type Host } from './topology.js';

const MTU: Record<string, string> = { vxlan: '1450', 'host-gw': '1500', udp: '1472' };

function flags(h: Host, prefix: string, extra: string[] = []): string[] {
  // The upstream default endpoint list (:4001 first): the client must fail over to :2379.
  return [`-etcd-prefix=${prefix}`, `-iface=${h.ifname}`, `-subnet-file=${h.subnetFile}`, '-ip-masq', '-iptables-resync=1', ...extra];
}

async function iptablesSave(h: Host): Promise<string> {
  // flanneld auto-detects the backend; a fresh namespace has no rules, which picks nft.
  return (await run('ip', ['netns', 'exec', h.ns.name, 'iptables-nft-save'])).stdout;
}

async function setup(t: import('ava').ExecutionContext, backend: string) {
  requireRoot('flanneld integration test');
  const etcd = await startEtcd(t, { enableV2: true });
  const prefix = `/kubets-${uniqueSuffix()}/network`;
  const net = `10.${100 + Math.floor(Math.random() * 100)}.0.0/16`;
  const hosts = await makeHosts(t, etcd.endpoints[0]);
  const dump = (fs: Flanneld[]) => () => fs.map((f, i) => `--- flanneld ${i} ---\n${f.output()}`).join('\n');

  // Host A starts before the config exists: it must say which key to write, and wait.
  const a = startFlanneld(t, hosts[0], flags(hosts[0], prefix));
  await waitFor('the missing-config log line', () => (a.output().includes(`${prefix}/config not found`) ? true : undefined), 60_000, dump([a]));
  t.regex(a.output(), new RegExp(`etcdctl set ${prefix.replaceAll('/', '\\/')}\\/config`));
  await etcdctl(etcd.endpoints[0], ['set', `${prefix}/config`, JSON.stringify({ Network: net, Backend: { Type: backend } })]);
  const b = startFlanneld(t, hosts[1], flags(hosts[1], prefix));
  const envs = await Promise.all(hosts.map((h) => waitFor(`${h.subnetFile}`, () => readEnv(h.subnetFile), 60_000, dump([a, b]))));
  return { etcd, prefix, net, hosts, a, b, envs, dump: dump([a, b]) };
}

for (const backend of ['vxlan', 'host-gw', 'udp']) {
  test.serial(`[integration] ${backend}: distinct leases, subnet.env, kernel state, pod-to-pod ping across hosts, clean SIGTERM`, async (t) => {
    const { etcd, prefix, net, hosts, a, b, envs, dump } = await setup(t, backend);
    const [envA, envB] = envs;
    for (const env of envs) {
      t.is(env.FLANNEL_NETWORK, net);
      t.regex(env.FLANNEL_SUBNET, /^10\.\d+\.\d+\.1\/24$/);
      t.is(env.FLANNEL_MTU, MTU[backend]);
      t.is(env.FLANNEL_IPMASQ, 'true');
    }
    t.not(envA.FLANNEL_SUBNET, envB.FLANNEL_SUBNET);

    // Two leases in etcd, keyed <ip>-24, each carrying its host's PublicIP.
    const keys = (await etcdctl(etcd.endpoints[0], ['ls', `${prefix}/subnets`])).trim().split('\n').sort();
    t.is(keys.length, 2);
    const netA = envA.FLANNEL_SUBNET.replace(/\.1\/24$/, '.0');
    const netB = envB.FLANNEL_SUBNET.replace(/\.1\/24$/, '.0');
    const leaseA = JSON.parse(await etcdctl(etcd.endpoints[0], ['get', `${prefix}/subnets/${netA}-24`])) as Record<string, unknown>;
    t.is(leaseA.PublicIP, hosts[0].addr);
    if (backend === 'udp') t.is(leaseA.BackendType, undefined);
    else t.is(leaseA.BackendType, backend);

    // Kernel state on host A for host B's lease.
    await waitFor('host A to program host B', async () => {
      const routes = await ipIn(hosts[0].ns, ['route', 'show']);
      return backend === 'udp' ? (routes.includes(`${net} dev flannel0`) ? true : undefined) : routes.includes(`${netB}/24 via`) ? true : undefined;
    }, 30_000, dump);
    const routes = await ipIn(hosts[0].ns, ['route', 'show']);
    if (backend === 'vxlan') {
      t.regex(routes, new RegExp(`${netB.replaceAll('.', '\\.')}/24 via ${netB.replaceAll('.', '\\.')} dev flannel\\.1 onlink`));
      const link = await ipIn(hosts[0].ns, ['-d', 'link', 'show', 'flannel.1']);
      t.regex(link, /vxlan id 1 local 192\.168\.\d+\.1 dev fl0\w+ .*dstport 8472 nolearning/s);
      t.regex(link, /mtu 1450/);
      const leaseB = JSON.parse(await etcdctl(etcd.endpoints[0], ['get', `${prefix}/subnets/${netB}-24`])) as { BackendData: { VtepMAC: string } };
      const fdb = (await run('bridge', ['-n', hosts[0].ns.name, 'fdb', 'show', 'dev', 'flannel.1'])).stdout;
      t.true(fdb.includes(`${leaseB.BackendData.VtepMAC} dst ${hosts[1].addr}`), fdb);
      const neigh = await ipIn(hosts[0].ns, ['neigh', 'show', 'dev', 'flannel.1']);
      t.true(neigh.includes(`${netB} lladdr ${leaseB.BackendData.VtepMAC} PERMANENT`), neigh);
      t.true((await ipIn(hosts[0].ns, ['addr', 'show', 'flannel.1'])).includes(`inet ${netA}/32`));
    } else if (backend === 'host-gw') {
      t.regex(routes, new RegExp(`${netB.replaceAll('.', '\\.')}/24 via ${hosts[1].addr.replaceAll('.', '\\.')} dev ${hosts[0].ifname}`));
    } else {
      t.regex(routes, new RegExp(`${net.replaceAll('.', '\\.')} dev flannel0`));
      t.regex(await ipIn(hosts[0].ns, ['link', 'show', 'flannel0']), /mtu 1472/);
    }

    // Pods: A's pod pings B's pod through the overlay.
    const podA = await makePod(t, hosts[0], envA.FLANNEL_SUBNET);
    const podB = await makePod(t, hosts[1], envB.FLANNEL_SUBNET);
    const p = await waitFor('a ping from pod A to pod B', async () => {
      const r = await ping(podA.ns, podB.ip, 2);
      return r.ok ? r : undefined;
    }, 30_000, dump);
    t.regex(p.out, / 0% packet loss/);
    // And back, host B's pod to host A's pod.
    t.true((await ping(podB.ns, podA.ip, 2)).ok);

    // iptables: both chains, jumped to from the built-ins.
    const save = await iptablesSave(hosts[0]);
    t.regex(save, /-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG/);
    t.regex(save, new RegExp(`-A FLANNEL-POSTRTG -s ${net.replaceAll('.', '\\.')} ! -d 224\\.0\\.0\\.0/4 -m comment --comment "flanneld masq" -j MASQUERADE`));
    t.regex(save, /-A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD/);

    // SIGTERM: exit 0, chains gone, lease kept.
    t.is(await a.stop(), 0, a.output());
    const after = await iptablesSave(hosts[0]);
    t.false(after.includes('FLANNEL-POSTRTG'), after);
    t.false(after.includes('FLANNEL-FWD'), after);
    t.regex(a.output(), /Exiting cleanly; lease 10\.\d+\.\d+\.0\/24 stays in etcd/);
    t.true((await etcdctl(etcd.endpoints[0], ['ls', `${prefix}/subnets`])).includes(`${netA}-24`));
    t.is(await b.stop(), 0, b.output());
  });
}

test.serial('[integration] restart reuses the lease; a revoked lease makes flanneld exit 1 and the peer drop its route', async (t) => {
  const { etcd, prefix, hosts, a, b, envs, dump } = await setup(t, 'host-gw');
  const [envA, envB] = envs;
  const netB = envB.FLANNEL_SUBNET.replace(/\.1\/24$/, '.0');
  await waitFor('host A to route host B', async () => ((await ipIn(hosts[0].ns, ['route', 'show'])).includes(`${netB}/24 via`) ? true : undefined), 30_000, dump);

  // Restart A: same subnet (found by PublicIP).
  t.is(await a.stop(), 0);
  const a2 = startFlanneld(t, hosts[0], flags(hosts[0], prefix));
  await waitFor('the reuse line', () => (a2.output().includes('for current IP') ? true : undefined), 60_000, () => a2.output());
  t.regex(a2.output(), /Found lease \(10\.\d+\.\d+\.0\/24\) for current IP \(192\.168\.\d+\.1\), reusing/);
  t.is((await readEnv(hosts[0].subnetFile))?.FLANNEL_SUBNET, envA.FLANNEL_SUBNET);

  // An operator deletes B's lease: B exits 1 saying why; A removes its route to B.
  await etcdctl(etcd.endpoints[0], ['rm', `${prefix}/subnets/${netB}-24`]);
  t.is(await b.exited, 1, b.output());
  t.regex(b.output(), /has been revoked/);
  await waitFor('host A to drop the route to B', async () => ((await ipIn(hosts[0].ns, ['route', 'show'])).includes(`${netB}/24`) ? undefined : true), 30_000, () => a2.output());
  // Either A2's first snapshot still had B (then the watch says it went) or not (then the route A1 left is stale).
  const b24 = `${netB.replaceAll('.', '\\.')}/24`;
  t.regex(a2.output(), new RegExp(`Subnet removed: ${b24}|Removing stale route to ${b24}`));
  t.is(await a2.stop(), 0);
});
