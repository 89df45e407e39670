/**
 * The real bin/kube-proxy (compiled: run `npx tsc -b tsconfig.json` first),
 * started with the seed document's own start-up script (002_*.txt: the
 * kube-proxy section, variables filled in, the kubeconfig path replaced by
 * ours) inside a throwaway node namespace with `nsenter --net=` — so every
 * rule it writes lands in that namespace, and its default ports (healthz
 * 0.0.0.0:10256, metrics 0.0.0.0:10249) cannot collide with anything.
 *
 * Reaching the API server: the apiserver runs in this process on the root
 * namespace's loopback; loopback is per namespace, so it also listens on
 * the root end of a veth pair whose other end is in the node namespace
 * (10.251.x.1/30 ↔ 10.251.x.2/30). That is the cleanest safe option: the
 * alternative — kube-proxy in the root namespace with other chain names —
 * would still have to write jumps into the root namespace's built-in chains.
 * Only the veth's root end is created in the root namespace; it is removed
 * by name at the end.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitCommandLine } from '../../controlplane/machinery/flags/index.js';
import { openIptables } from '../../native/iptables/runner.js';
import { startApiServer } from '../harness/apiserver.js';
import { createVethPair, requireRoot } from '../harness/netns.js';
import { scriptEnv, seedScripts } from '../harness/seeds.js';
import { uniqueSuffix } from '../harness/exec.js';
import { createLab, NODE_IP, sample } from '../agent/proxy/netlab.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/kube-proxy');

async function until<T>(what: string, fn: () => Promise<T | undefined>, tries = 100, delayMs = 200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, delayMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('bin/kube-proxy runs the seed start-up script in a node namespace: healthz, metrics, rules, traffic, cleanup', async (t) => {
  requireRoot('the kube-proxy e2e test');
  t.true(existsSync(join(ROOT, 'dist/agent/proxy/main.js')), 'dist/ is missing: run `npx tsc -b tsconfig.json` first');
  const dir = await mkdtemp(join(tmpdir(), 'kubets-e2e-proxy-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const api = await startApiServer();
  t.teardown(() => api.stop());
  const lab = await createLab();
  t.teardown(() => lab.destroy());

  // The API server, reachable from the node namespace over a veth.
  const net = 10 + Math.floor(Math.random() * 240);
  const sub = Math.floor(Math.random() * 60) * 4;
  const [rootIP, nodeSideIP] = [`10.251.${net}.${sub + 1}`, `10.251.${net}.${sub + 2}`];
  const veth = await createVethPair({ aName: `kpe-${uniqueSuffix(5)}`, bName: 'apilink', bNs: lab.node, aAddr: `${rootIP}/30`, bAddr: `${nodeSideIP}/30` });
  t.teardown(() => veth.destroy());
  const bridge: Server = createServer(api.api.handle);
  await new Promise<void>((r) => bridge.listen(0, rootIP, r));
  t.teardown(() => new Promise<void>((r) => {
    bridge.closeAllConnections();
    bridge.close(() => r());
  }));
  const port = (bridge.address() as { port: number }).port;
  const master = `http://${rootIP}:${port}`;
  const kubeconfig = join(dir, 'kube-proxy.kubeconfig');
  await writeFile(kubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- name: local\n  cluster:\n    server: ${master}\ncontexts:\n- name: local\n  context:\n    cluster: local\n    user: proxy\nusers:\n- name: proxy\n  user: {}\ncurrent-context: local\n`);

  // The seed's script, unchanged but for variables and the kubeconfig path.
  const script = seedScripts().find((s) => s.daemon === 'kube-proxy');
  if (!script) return t.fail('no kube-proxy script in 002');
  const body = script.body.replace(/--kubeconfig="[^"]*"/, `--kubeconfig="${kubeconfig}"`);
  const argv = splitCommandLine(body, { ...scriptEnv, LOGS_PATH: dir, LOCAL_IPADDRESS: NODE_IP }, { strict: true }).slice(1);
  const proc = spawn('nsenter', [`--net=${lab.node.path}`, '--', process.execPath, BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  t.teardown(async () => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await exited;
  });

  // healthz (seed: 0.0.0.0:10256) answers from outside the namespace.
  const healthz = await until('healthz', async () => {
    const r = await fetch(`http://${nodeSideIP}:10256/healthz`);
    return r.status === 200 ? ((await r.json()) as { lastUpdated: string }) : undefined;
  });
  t.truthy(healthz.lastUpdated);
  // metrics (seed: --metrics-bind-address=0.0.0.0 → port 10249).
  t.is(await (await fetch(`http://${nodeSideIP}:10249/proxyMode`)).text(), 'iptables');

  // A Service and its Endpoints, written by hand (the endpoints controller is not in this test).
  const post = async (path: string, obj: object) => {
    const r = await fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(obj) });
    if (r.status >= 300) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as { spec: { clusterIP: string; ports: { nodePort: number }[] } };
  };
  const created = await post('/api/v1/namespaces/default/services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }], selector: { app: 'web' } },
  });
  const clusterIP = created.spec.clusterIP;
  const nodePort = created.spec.ports[0].nodePort;
  t.regex(clusterIP, /^10\.0\.0\.\d+$/);
  await post('/api/v1/namespaces/default/endpoints', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web' },
    subsets: [{ addresses: lab.pods.map((p) => ({ ip: p.ip })), ports: [{ port: 8080, protocol: 'TCP' }] }],
  });

  // The Service's rules appear in the node namespace…
  const ipt = await openIptables({ netns: lab.node.path, mode: 'auto' });
  const save = await until('the service rules', async () => {
    const s = await ipt.save('nat');
    return s.includes(`-d ${clusterIP}/32`) && s.includes('default/web cluster IP') ? s : undefined;
  });
  t.regex(save, /:KUBE-SVC-[A-Z2-7]{16} /);
  t.regex(save, new RegExp(`--dport ${nodePort} .*-j KUBE-EXT-`));
  // …and carry traffic to both pods, by ClusterIP and by NodePort.
  const names = lab.pods.map((p) => p.name).sort();
  const both = (seen: Set<string>) => names.every((n) => seen.has(n));
  t.deepEqual([...(await sample(lab, lab.node, `http://${clusterIP}/`, 40, both))].sort(), names);
  t.deepEqual([...(await sample(lab, lab.pods[0].ns, `http://${NODE_IP}:${nodePort}/`, 40, both))].sort(), names);

  // Metrics after syncs.
  const metrics = await (await fetch(`http://${nodeSideIP}:10249/metrics`)).text();
  t.regex(metrics, /kubeproxy_sync_proxy_rules_duration_seconds_count [1-9]/);
  t.regex(metrics, /kubeproxy_sync_proxy_rules_last_timestamp_seconds \d/);

  // SIGTERM: a clean stop; the log file (seed: --logtostderr=false --log-dir) holds the flag dump.
  proc.kill('SIGTERM');
  t.is(await exited, 0, stderr.slice(-2000));
  const log = await readFile(join(dir, 'kube-proxy.log'), 'utf8');
  t.regex(log, /FLAG: --iptables-min-sync-period="?5s/);
  t.regex(log, /Using iptables Proxier/);
  t.regex(await ipt.save('nat'), /KUBE-SERVICES/, 'rules stay after exit, as upstream');

  // --cleanup-iptables removes them.
  const cleanup = spawn('nsenter', [`--net=${lab.node.path}`, '--', process.execPath, BIN, '--cleanup-iptables', '--v=2'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let cleanErr = '';
  cleanup.stderr.on('data', (d: Buffer) => (cleanErr += d.toString()));
  t.is(await new Promise<number | null>((r) => cleanup.once('exit', r)), 0, cleanErr);
  t.notRegex(await ipt.save(), /KUBE-/);
});
