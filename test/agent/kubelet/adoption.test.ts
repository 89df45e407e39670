// bin/kubelet (from source, in a child process) with --network-plugin=cni
// and Debian's bridge + host-local plugins: the pod gets an IP from the CNI
// network, reachable from the host; kill -9 of the kubelet leaves the
// containers running, and the restarted kubelet adopts them — no restart,
// no duplicate — and later tears the pod down through CNI DEL.
import test from 'ava';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resources } from '../../../controlplane/client/resources.js';
import { freePort } from '../../harness/ports.js';
import { tryRun, uniqueSuffix } from '../../harness/exec.js';
import { cidrContains } from '../../../agent/kubelet/network/cni/result.js';
import { BUSYBOX_IMAGE, docker, eventually, getPod, pod, removeNodeContainers, removeRootDir, spawnKubelet, startEnv } from './harness.js';

async function waitExit(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  await new Promise<void>((r) => c.once('exit', () => r()));
}

test('kill -9 of the kubelet keeps the pod running; the restarted kubelet adopts its containers (CNI network)', async (t) => {
  const env = await startEnv();
  const nodeName = `kt-node-${uniqueSuffix()}`;
  const dir = await mkdtemp(join(tmpdir(), 'kubets-adopt-'));
  const rootDir = join(dir, 'root');
  const confDir = join(dir, 'net.d');
  const bridge = `kt-cbr-${uniqueSuffix()}`;
  const subnet = `10.244.${100 + Math.floor(Math.random() * 150)}.0/24`;
  await mkdir(confDir, { recursive: true });
  await writeFile(
    join(confDir, '10-test.conflist'),
    // CNI spec 0.4.0 here (kubenet's generated configuration is 1.0.0): both go through the same chain.
    JSON.stringify({
      cniVersion: '0.4.0',
      name: 'kt-test',
      plugins: [
        { type: 'bridge', bridge, isGateway: true, ipMasq: false, ipam: { type: 'host-local', ranges: [[{ subnet }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: join(dir, 'ipam') } },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    }),
  );
  const healthz = await freePort();
  const args = [
    `--api-servers=${env.api.url}`,
    `--hostname-override=${nodeName}`,
    `--root-dir=${rootDir}`,
    '--network-plugin=cni',
    `--cni-conf-dir=${confDir}`,
    '--cni-bin-dir=/usr/lib/cni',
    `--healthz-port=${healthz}`,
    '--node-status-update-frequency=1s',
    '--sync-frequency=5s',
  ];
  let child: ChildProcess | undefined = spawnKubelet(args);
  try {
    const node = await eventually(async () => env.client.resource(resources.nodes).get(nodeName), 30_000, 300);
    t.is(node.metadata.labels?.['kubernetes.io/hostname'], nodeName);
    await env.client.resource(resources.pods, env.ns).create(
      pod('adoptee', env.ns, nodeName, {
        containers: [
          { name: 'web', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'mkdir -p /www && echo adopted > /www/index.html && exec httpd -f -p 8080 -h /www'] },
          { name: 'idle', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] },
        ],
      }),
    );
    const running = await eventually(async () => {
      const p = await getPod(env, 'adoptee');
      return p.status?.phase === 'Running' && p.status.containerStatuses?.every((c) => c.ready) ? p : undefined;
    }, 40_000);
    const ip = running.status!.podIP!;
    t.true(cidrContains(subnet, ip), `pod IP ${ip} from the CNI network ${subnet}`);
    t.is((await (await fetch(`http://${ip}:8080/index.html`)).text()).trim(), 'adopted');
    t.is(await (await fetch(`http://127.0.0.1:${healthz}/healthz`)).text(), 'ok');
    const before = (await docker.listContainers({ filters: { label: [`io.kubets.node=${nodeName}`] } })).map((c) => c.Id).sort();
    t.is(before.length, 3); // sandbox + two containers

    child.kill('SIGKILL');
    await waitExit(child);
    child = undefined;
    for (const id of before) t.true((await docker.getContainer(id).inspect()).State.Running, 'containers survive the kubelet');

    child = spawnKubelet(args);
    await eventually(async () => (await fetch(`http://127.0.0.1:${healthz}/healthz`)).ok, 30_000, 300);
    // Let it relist, sync and write status a few times.
    const heartbeat = Date.now();
    await eventually(async () => {
      const n = await env.client.resource(resources.nodes).get(nodeName);
      const hb = n.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;
      return hb && Date.parse(hb) >= heartbeat - 1000;
    }, 30_000, 300);
    await new Promise((r) => setTimeout(r, 3000));
    const after = (await docker.listContainers({ all: true, filters: { label: [`io.kubets.node=${nodeName}`] } })).map((c) => c.Id).sort();
    t.deepEqual(after, before, 'the same containers, none new, none restarted');
    const p = await getPod(env, 'adoptee');
    t.is(p.status?.phase, 'Running');
    t.is(p.status?.podIP, ip);
    t.deepEqual(p.status?.containerStatuses?.map((c) => c.restartCount), [0, 0]);

    // Deleting the pod now goes through the adopted sandbox's CNI DEL: host-local frees the address.
    await env.client.resource(resources.pods, env.ns).delete('adoptee', { gracePeriodSeconds: 1 });
    await eventually(async () => (await docker.listContainers({ all: true, filters: { label: [`io.kubets.node=${nodeName}`] } })).length === 0, 30_000);
    const ipam = await readdir(join(dir, 'ipam', 'kt-test')).catch(() => [] as string[]);
    t.false(ipam.includes(ip), `host-local released ${ip}`);
  } finally {
    if (child) {
      child.kill('SIGKILL');
      await waitExit(child);
    }
    await removeNodeContainers(nodeName);
    await tryRun('ip', ['link', 'del', bridge]);
    await removeRootDir(rootDir);
    await rm(dir, { recursive: true, force: true });
    await env.stop();
  }
});
