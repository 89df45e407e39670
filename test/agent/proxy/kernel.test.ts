/**
 * kube-proxy on the real kernel, in throwaway namespaces (netlab.ts): a
 * node namespace, two pods running busybox httpd, a Service whose
 * Endpoints point at both. The iptables proxier runs in this process with
 * its iptables and conntrack runners aimed at the node namespace (never the
 * root namespace); the userspace proxier runs in a child process started
 * inside the node namespace (its sockets must live there). Needs root.
 */
import test from 'ava';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { Endpoints, Service } from '../../../controlplane/api/core/v1/types.js';
import { ExecConntrack } from '../../../native/conntrack/index.js';
import { openIptables } from '../../../native/iptables/runner.js';
import { IptablesProxier } from '../../../agent/proxy/iptables/proxier.js';
import { DEFAULT_IPTABLES_CONFIG } from '../../../agent/proxy/iptables/rules.js';
import { requireRoot } from '../../harness/netns.js';
import { eps, quietLogger, subset, svc } from './fixtures.js';
import { createLab, NODE_IP, POD_CIDR, sample } from './netlab.js';

test.before(() => requireRoot('kube-proxy kernel tests'));

const CLUSTER_IP = '10.0.0.10';
const NODE_PORT = 30080;

function objects(podIPs: string[]): { s: Service; e: Endpoints } {
  return {
    s: svc('default', 'web', { type: 'NodePort', clusterIP: CLUSTER_IP, ports: [{ port: 80, targetPort: 8080, nodePort: NODE_PORT, protocol: 'TCP' }] }),
    e: eps('default', 'web', [subset(podIPs, [{ port: 8080 }])]),
  };
}

test.serial('iptables mode: ClusterIP reaches both pods, NodePort works, a removed endpoint gets no traffic', async (t) => {
  const lab = await createLab();
  try {
    const [a, b] = lab.pods;
    const ipt = await openIptables({ netns: lab.node.path, mode: 'auto' });
    const p = new IptablesProxier({
      hostname: 'node',
      minSyncPeriodMs: 0,
      syncPeriodMs: 30_000,
      log: quietLogger(),
      iptables: ipt,
      conntrack: new ExecConntrack({ netns: lab.node.path }),
      config: { ...DEFAULT_IPTABLES_CONFIG, clusterCIDR: POD_CIDR },
    });
    const { s, e } = objects([a.ip, b.ip]);
    p.onServiceAdd(s);
    p.onEndpointsAdd(e);
    p.onServicesSynced();
    p.onEndpointsSynced();
    await p.sync();
    t.log(`backend: iptables-${ipt.mode}`);

    const both = (seen: Set<string>) => seen.has(a.name) && seen.has(b.name);
    const fromNode = await sample(lab, lab.node, `http://${CLUSTER_IP}/`, 40, both);
    t.deepEqual([...fromNode].sort(), [a.name, b.name], 'node → ClusterIP reaches both pods');

    const nodePort = await sample(lab, lab.node, `http://${NODE_IP}:${NODE_PORT}/`, 40, both);
    t.deepEqual([...nodePort].sort(), [a.name, b.name], 'node → its own address:NodePort');

    const podToNodePort = await sample(lab, a.ns, `http://${NODE_IP}:${NODE_PORT}/`, 40, both);
    t.deepEqual([...podToNodePort].sort(), [a.name, b.name], 'pod → NodePort (PREROUTING, hairpin included)');

    const podToVIP = await sample(lab, b.ns, `http://${CLUSTER_IP}/`, 40, both);
    t.deepEqual([...podToVIP].sort(), [a.name, b.name], 'pod → ClusterIP');

    // Endpoint removal: pod-b leaves the service.
    p.onEndpointsUpdate(e, objects([a.ip]).e);
    await p.sync();
    const after = await sample(lab, lab.node, `http://${CLUSTER_IP}/`, 12);
    t.deepEqual([...after], [a.name], 'after removal only pod-a answers');

    // No endpoints at all: REJECT, so the client fails fast instead of hanging.
    p.onEndpointsUpdate(objects([a.ip]).e, eps('default', 'web', []));
    await p.sync();
    const rejected = await lab.exec(lab.node, 'curl', ['-s', '--max-time', '3', `http://${CLUSTER_IP}/`]);
    t.is(rejected.exitCode, 7, `curl: connection refused (exit ${rejected.exitCode})`);

    await p.cleanup();
    const save = await ipt.save();
    t.notRegex(save, /KUBE-/, 'cleanup leaves no chain or jump');
  } finally {
    await lab.destroy();
  }
});

const UDP_ECHO = "const d=require('dgram').createSocket('udp4');d.on('message',(m,r)=>d.send(process.env.NAME,r.port,r.address));d.bind(5353);";
const UDP_CLIENT = "const d=require('dgram').createSocket('udp4');setTimeout(()=>{console.log('TIMEOUT');process.exit(0)},1500);d.on('message',(m)=>{console.log(m.toString());process.exit(0)});d.bind(40000,()=>d.send('x',53,process.env.VIP));";

test.serial('iptables mode, UDP: a flow pinned to a removed endpoint moves once conntrack is cleared', async (t) => {
  const lab = await createLab();
  const echoes = lab.pods.map((p) => execa('nsenter', [`--net=${p.ns.path}`, '--', process.execPath, '-e', UDP_ECHO], { env: { NAME: p.name }, reject: false }));
  try {
    const [a, b] = lab.pods;
    const VIP = '10.0.0.53';
    // The same source port every time: one 5-tuple, one conntrack entry.
    const ask = async () => (await execa('nsenter', [`--net=${lab.node.path}`, '--', process.execPath, '-e', UDP_CLIENT], { env: { VIP }, reject: false })).stdout.trim();
    const ipt = await openIptables({ netns: lab.node.path, mode: 'auto' });
    const p = new IptablesProxier({
      hostname: 'node',
      minSyncPeriodMs: 0,
      syncPeriodMs: 30_000,
      log: quietLogger(),
      iptables: ipt,
      conntrack: new ExecConntrack({ netns: lab.node.path }),
      config: { ...DEFAULT_IPTABLES_CONFIG, clusterCIDR: POD_CIDR },
    });
    const s = svc('default', 'dns', { clusterIP: VIP, ports: [{ port: 53, protocol: 'UDP' }] });
    const onlyA = eps('default', 'dns', [subset([a.ip], [{ port: 5353, protocol: 'UDP' }])]);
    p.onServiceAdd(s);
    p.onEndpointsAdd(onlyA);
    p.onServicesSynced();
    p.onEndpointsSynced();
    await p.sync();
    let first = '';
    for (let i = 0; i < 20 && first !== a.name; i++) first = await ask();
    t.is(first, a.name);
    t.is(await ask(), a.name, 'the flow stays on pod-a');
    // pod-a leaves the service but keeps running: without the conntrack delete the flow would stay on it.
    p.onEndpointsUpdate(onlyA, eps('default', 'dns', [subset([b.ip], [{ port: 5353, protocol: 'UDP' }])]));
    await p.sync();
    t.is(await ask(), b.name, 'the same 5-tuple now reaches pod-b');
    await p.cleanup();
  } finally {
    for (const e of echoes) e.kill('SIGTERM');
    await Promise.allSettled(echoes);
    await lab.destroy();
  }
});

test.serial('userspace mode: the proxy process carries the same TCP traffic', async (t) => {
  const lab = await createLab();
  const [a, b] = lab.pods;
  const { s, e } = objects([a.ip, b.ip]);
  const child = execa('nsenter', [`--net=${lab.node.path}`, '--', process.execPath, '--import=tsx', fileURLToPath(new URL('./userspace-child.ts', import.meta.url))], {
    env: { PROXY_OBJECTS: JSON.stringify([s, e]) },
    reject: false,
    stdin: 'pipe',
    stderr: 'pipe',
  });
  const lines = createInterface({ input: child.stdout! });
  const next = () => new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', () => reject(new Error('userspace proxy exited early')));
  });
  try {
    const ready = await next();
    t.regex(ready, /^ready default\/web=\d+$/);
    const both = (seen: Set<string>) => seen.has(a.name) && seen.has(b.name);
    t.deepEqual([...(await sample(lab, lab.node, `http://${CLUSTER_IP}/`, 20, both))].sort(), [a.name, b.name], 'node → ClusterIP via KUBE-PORTALS-HOST');
    t.deepEqual([...(await sample(lab, a.ns, `http://${CLUSTER_IP}/`, 20, both))].sort(), [a.name, b.name], 'pod → ClusterIP via KUBE-PORTALS-CONTAINER');
    t.deepEqual([...(await sample(lab, lab.node, `http://${NODE_IP}:${NODE_PORT}/`, 20, both))].sort(), [a.name, b.name], 'node → NodePort');
    child.stdin!.write(`endpoints ${JSON.stringify(objects([b.ip]).e)}\n`);
    t.is(await next(), 'synced');
    t.deepEqual([...(await sample(lab, lab.node, `http://${CLUSTER_IP}/`, 8))], [b.name]);
  } finally {
    child.kill('SIGTERM');
    const r = await child;
    lines.close();
    if (r.exitCode !== 0) t.log(String(r.stderr));
    const ipt = await openIptables({ netns: lab.node.path, mode: 'auto' });
    const left = await ipt.save();
    await lab.destroy();
    t.is(r.exitCode, 0);
    t.notRegex(left, /KUBE-/, 'the userspace proxy removed its rules on exit');
  }
});
