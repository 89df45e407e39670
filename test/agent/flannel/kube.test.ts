/**
 * flanneld -kube-subnet-mgr for real: the in-process API server (root
 * namespace loopback, reached from each host through a proxy on its own
 * 127.0.0.1:8080), two hosts in network namespaces, vxlan. Node A starts
 * without a pod CIDR and must say it waits for one; both nodes get their
 * annotations and NetworkUnavailable=False; pods ping across; a restart
 * after the vxlan device vanished recreates it with the stored VtepMAC and
 * patches nothing; deleting node B removes A's route to B (and B, whose
 * lease that was, exits 1). [integration]: needs root, iproute2, busybox.
 */
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as core from '../../../controlplane/api/core/v1/types.js';
import { RestClient } from '../../../controlplane/client/rest.js';
import { resources } from '../../../controlplane/client/resources.js';
import { startApiServer } from '../../harness/apiserver.js';
import { uniqueSuffix } from '../../harness/exec.js';
import { requireRoot } from '../../harness/netns.js';
import { ipIn, makeHosts, makePod, ping, readEnv, startFlanneld, waitFor, type Flanneld, type Host } from './topology.js';

const P = 'flannel.alpha.coreos.com/';
const PORT = 8080;

function flags(h: Host): string[] {
  return ['-kube-subnet-mgr', `-kube-api-url=http://127.0.0.1:${PORT}`, `-net-config-path=${join(h.dir, 'net-conf.json')}`, `-iface=${h.ifname}`, `-subnet-file=${h.subnetFile}`, '-ip-masq', '-iptables-resync=1'];
}

test.serial('[integration] kube-subnet-mgr vxlan: pod CIDR wait, annotations, NetworkUnavailable=False, ping across, VtepMAC reuse, node deletion', async (t) => {
  requireRoot('flanneld -kube-subnet-mgr integration test');
  const api = await startApiServer();
  t.teardown(() => api.stop());
  const client = new RestClient({ server: api.url, source: 'test' }, { qps: 0 });
  t.teardown(() => client.close());
  const nodes = client.resource(resources.nodes);

  const hosts = await makeHosts(t, api.url, PORT);
  const second = 100 + Math.floor(Math.random() * 100);
  const net = `10.${second}.0.0/16`;
  const cidrA = `10.${second}.1.0/24`;
  const cidrB = `10.${second}.2.0/24`;
  for (const h of hosts) await writeFile(join(h.dir, 'net-conf.json'), JSON.stringify({ Network: net, Backend: { Type: 'vxlan' } }));
  const sfx = uniqueSuffix(5);
  const names = [`node-a-${sfx}`, `node-b-${sfx}`];
  await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: names[0] } } as core.Node);
  await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: names[1] }, spec: { podCIDR: cidrB } } as core.Node);
  // The kubelet's condition: flanneld's status patch must merge with it, not replace it.
  await nodes.patch(names[0], 'strategic', { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] } }, { subresource: 'status' });

  const procs: Flanneld[] = [];
  const dump = () => procs.map((f, i) => `--- flanneld ${i} ---\n${f.output()}`).join('\n');

  // A has no pod CIDR yet: it says what it waits for.
  const a = startFlanneld(t, hosts[0], flags(hosts[0]), { NODE_NAME: names[0] });
  procs.push(a);
  await waitFor('the pod CIDR wait line', () => (a.output().includes("waiting for the node's pod CIDR (kube-controller-manager --allocate-node-cidrs)") ? true : undefined), 60_000, dump);
  t.false(a.output().includes('Wrote '), a.output());
  await nodes.patch(names[0], 'merge', { spec: { podCIDR: cidrA } });

  const b = startFlanneld(t, hosts[1], flags(hosts[1]), { NODE_NAME: names[1] });
  procs.push(b);
  const [envA, envB] = await Promise.all(hosts.map((h) => waitFor(h.subnetFile, () => readEnv(h.subnetFile), 60_000, dump)));
  t.is(envA.FLANNEL_NETWORK, net);
  t.is(envA.FLANNEL_SUBNET, `10.${second}.1.1/24`);
  t.is(envB.FLANNEL_SUBNET, `10.${second}.2.1/24`);
  t.is(envA.FLANNEL_MTU, '1450');

  // Annotations: what other hosts need, the MAC of the real device.
  const macOf = async (h: Host) => /link\/ether ([0-9a-f:]{17})/.exec(await ipIn(h.ns, ['link', 'show', 'flannel.1']))?.[1];
  const macA = await macOf(hosts[0]);
  const nodeA = await nodes.get(names[0]);
  const ann = nodeA.metadata.annotations ?? {};
  t.is(ann[`${P}kube-subnet-manager`], 'true');
  t.is(ann[`${P}backend-type`], 'vxlan');
  t.is(ann[`${P}public-ip`], hosts[0].addr);
  t.deepEqual(JSON.parse(ann[`${P}backend-data`]), { VNI: 1, VtepMAC: macA });

  // NetworkUnavailable=False on both nodes.
  for (const n of names) {
    const cond = await waitFor(`${n} NetworkUnavailable condition`, async () => (await nodes.get(n)).status?.conditions?.find((c) => c.type === 'NetworkUnavailable'), 30_000, dump);
    t.is(cond.status, 'False');
    t.is(cond.reason, 'FlannelIsUp');
  }
  t.is((await nodes.get(names[0])).status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'KubeletReady');

  // A programs B: route, neighbour, FDB.
  await waitFor('host A to route host B', async () => ((await ipIn(hosts[0].ns, ['route', 'show'])).includes(`${cidrB} via`) ? true : undefined), 30_000, dump);
  t.regex(await ipIn(hosts[0].ns, ['route', 'show']), new RegExp(`${cidrB.replaceAll('.', '\\.')} via 10\\.${second}\\.2\\.0 dev flannel\\.1 onlink`));

  const podA = await makePod(t, hosts[0], envA.FLANNEL_SUBNET);
  const podB = await makePod(t, hosts[1], envB.FLANNEL_SUBNET);
  const p = await waitFor('a ping from pod A to pod B', async () => {
    const r = await ping(podA.ns, podB.ip, 2);
    return r.ok ? r : undefined;
  }, 30_000, dump);
  t.regex(p.out, / 0% packet loss/);
  t.true((await ping(podB.ns, podA.ip, 2)).ok);

  // Restart A after its vxlan device vanished (a reboot): the new device gets the stored MAC, the node is not patched.
  t.is(await a.stop(), 0, a.output());
  t.regex(a.output(), /Exiting cleanly/);
  await ipIn(hosts[0].ns, ['link', 'del', 'flannel.1']);
  const a2 = startFlanneld(t, hosts[0], flags(hosts[0]), { NODE_NAME: names[0] });
  procs.push(a2);
  await waitFor('A to route B again', async () => ((await ipIn(hosts[0].ns, ['route', 'show'])).includes(`${cidrB} via`) ? true : undefined), 60_000, dump);
  t.is(await macOf(hosts[0]), macA);
  t.regex(a2.output(), /already carries our annotations/);
  const afterRestart = await nodes.get(names[0]);
  // Only the status patch may have touched it (a fresh heartbeat time); the annotations are the same.
  t.deepEqual(afterRestart.metadata.annotations, nodeA.metadata.annotations);
  t.true((await ping(podA.ns, podB.ip, 2)).ok);

  // Deleting node B: A drops its route to B; B's lease is gone, so B exits 1.
  await nodes.delete(names[1]);
  await waitFor('host A to drop the route to B', async () => ((await ipIn(hosts[0].ns, ['route', 'show'])).includes(cidrB) ? undefined : true), 30_000, dump);
  t.regex(a2.output(), new RegExp(`Subnet removed: ${cidrB.replaceAll('.', '\\.')}`));
  t.is(await b.exited, 1, b.output());
  t.regex(b.output(), /has been revoked \(our node was deleted/);
  t.is(await a2.stop(), 0, a2.output());
});
