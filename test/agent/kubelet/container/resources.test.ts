// QoS classes, and resources/security → the Docker HostConfig the runtime sends.
import test from 'ava';
import type { Container, Pod } from '../../../../controlplane/api/core/v1/types.js';
import { containerOOMScoreAdj, containerResources, milliCPUToQuota, milliCPUToShares, podQOSClass, type QOSClass } from '../../../../agent/kubelet/container/resources.js';
import { canRunPod, containerSecurity, verifyRunAsNonRoot } from '../../../../agent/kubelet/container/security.js';
import { containerCreateOptions, sandboxCreateOptions } from '../../../../agent/kubelet/runtime/docker/config.js';
import { testPod } from '../../../../agent/kubelet/testing/fixtures.js';

const c = (name: string, resources?: Container['resources']): Container => ({ name, image: 'img', resources });
const GI = 1024 ** 3;

const qos: [string, Pod, QOSClass][] = [
  ['no resources: BestEffort', testPod({ containers: [c('a'), c('b')] }), 'BestEffort'],
  ['requests = limits for cpu and memory everywhere: Guaranteed', testPod({ containers: [c('a', { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })] }), 'Guaranteed'],
  ['limits only (requests default to them upstream, not here): Burstable', testPod({ containers: [c('a', { limits: { cpu: '1', memory: '1Gi' } })] }), 'Burstable'],
  ['one container without limits: Burstable', testPod({ containers: [c('a', { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }), c('b')] }), 'Burstable'],
  ['requests below limits: Burstable', testPod({ containers: [c('a', { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })] }), 'Burstable'],
  ['init containers count', testPod({ initContainers: [c('i', { requests: { memory: '10Mi' } })], containers: [c('a')] }), 'Burstable'],
  ['other resources do not count', testPod({ containers: [c('a', { requests: { 'ephemeral-storage': '1Gi' } })] }), 'BestEffort'],
];
for (const [name, pod, want] of qos) test(`QoS: ${name}`, (t) => t.is(podQOSClass(pod), want));

test('cpu shares and quota (MilliCPUToShares / MilliCPUToQuota)', (t) => {
  t.is(milliCPUToShares(0n), 2);
  t.is(milliCPUToShares(1n), 2);
  t.is(milliCPUToShares(250n), 256);
  t.is(milliCPUToShares(1000n), 1024);
  t.is(milliCPUToQuota(0n), 0);
  t.is(milliCPUToQuota(5n), 1000);
  t.is(milliCPUToQuota(500n), 50_000);
  t.is(milliCPUToQuota(2000n), 200_000);
});

test('oom_score_adj by QoS', (t) => {
  const g = testPod({ containers: [c('a', { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })] });
  t.is(containerOOMScoreAdj(g, g.spec!.containers[0], 8 * GI), -998);
  const be = testPod();
  t.is(containerOOMScoreAdj(be, be.spec!.containers[0], 8 * GI), 1000);
  const b = testPod({ containers: [c('a', { requests: { memory: '2Gi' } })] });
  t.is(containerOOMScoreAdj(b, b.spec!.containers[0], 8 * GI), 750);
  const big = testPod({ containers: [c('a', { requests: { memory: '8Gi' } })] });
  t.is(containerOOMScoreAdj(big, big.spec!.containers[0], 8 * GI), 2);
  const tiny = testPod({ containers: [c('a', { requests: { memory: '1' } })] });
  t.is(containerOOMScoreAdj(tiny, tiny.spec!.containers[0], 8 * GI), 999);
});

const hostConfigCases: { name: string; res: Container['resources']; cfs: boolean; want: Record<string, unknown> }[] = [
  { name: 'requests and limits', res: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } }, cfs: true, want: { CpuShares: 256, CpuQuota: 50_000, CpuPeriod: 100_000, Memory: 128 * 1024 * 1024, MemorySwap: 128 * 1024 * 1024 } },
  { name: '--cpu-cfs-quota=false: no quota', res: { limits: { cpu: '500m' } }, cfs: false, want: { CpuShares: 512, CpuQuota: undefined, Memory: undefined } },
  { name: 'best effort', res: undefined, cfs: true, want: { CpuShares: 2, CpuQuota: undefined, Memory: undefined, OomScoreAdj: 1000 } },
];
for (const tc of hostConfigCases) {
  test(`HostConfig: ${tc.name}`, (t) => {
    const pod = testPod({ containers: [c('a', tc.res)] });
    const resources = containerResources(pod, pod.spec!.containers[0], { cpuCFSQuota: tc.cfs, memoryCapacityBytes: 8 * GI });
    const o = containerCreateOptions('sb1', pod, pod.spec!.containers[0], { env: [], mounts: [], attempt: 0, resources }, 'node-1');
    t.like(o.HostConfig, tc.want);
  });
}

test('container create options: namespaces of the sandbox, mounts, security, names and labels', (t) => {
  const pod = testPod({ shareProcessNamespace: true, securityContext: { runAsUser: 1000, supplementalGroups: [5], fsGroup: 6 }, containers: [{ name: 'a', image: 'img', workingDir: '/w', tty: true, securityContext: { runAsGroup: 7, capabilities: { add: ['net_admin'], drop: ['ALL'] }, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false } }] });
  const ctr = pod.spec!.containers[0];
  const sec = containerSecurity(pod, ctr);
  t.deepEqual(sec, { user: '1000:7', groupAdd: ['5', '6'], privileged: false, capAdd: ['CAP_NET_ADMIN'], capDrop: ['ALL'], readOnlyRootfs: true, runAsNonRoot: false, noNewPrivileges: true });
  const o = containerCreateOptions(
    'sb1',
    pod,
    ctr,
    { command: ['sh'], args: ['-c', 'true'], env: [{ name: 'A', value: '1' }], mounts: [{ hostPath: '/h', containerPath: '/c', readOnly: true, propagation: 'rslave' }], attempt: 3, resources: { cpuShares: 2 }, hostsFile: '/pod/etc-hosts', resolvConfFile: '/pod/resolv.conf', pidMode: 'sandbox', ipcMode: 'sandbox', networkMode: 'sandbox', ...sec },
    'node-1',
  );
  t.is(o.name, 'k8s_a_p_default_uid-1_3');
  t.deepEqual(o.Entrypoint, ['sh']);
  t.deepEqual(o.Cmd, ['-c', 'true']);
  t.deepEqual(o.Env, ['A=1']);
  t.is(o.User, '1000:7');
  t.is(o.WorkingDir, '/w');
  t.true(o.Tty);
  t.like(o.Labels, { 'io.kubernetes.pod.uid': 'uid-1', 'io.kubernetes.container.name': 'a', 'io.kubernetes.docker.type': 'container', 'io.kubernetes.sandbox.id': 'sb1', 'io.kubets.node': 'node-1', 'annotation.io.kubernetes.container.restartCount': '3' });
  t.like(o.HostConfig, { NetworkMode: 'container:sb1', IpcMode: 'container:sb1', PidMode: 'container:sb1', ReadonlyRootfs: true, SecurityOpt: ['no-new-privileges'], GroupAdd: ['5', '6'] });
  t.deepEqual(o.HostConfig?.Binds, ['/h:/c:ro,rslave', '/pod/etc-hosts:/etc/hosts:rw', '/pod/resolv.conf:/etc/resolv.conf:rw']);
});

test('sandbox create options: pause, shareable IPC, hostname, port bindings on the docker bridge', (t) => {
  const pod = testPod({ containers: [{ name: 'a', ports: [{ containerPort: 80, hostPort: 8080 }] }] }, { labels: { app: 'x' } });
  const o = sandboxCreateOptions(pod, { attempt: 1, hostname: 'p', networkMode: 'bridge', portMappings: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }], labels: { app: 'x' } }, 'pause:1', 'node-1', { oomScoreAdjFloor: 0 });
  t.is(o.name, 'k8s_POD_p_default_uid-1_1');
  t.is(o.Hostname, 'p');
  t.like(o.Labels, { app: 'x', 'io.kubernetes.docker.type': 'podsandbox', 'io.kubernetes.container.name': 'POD' });
  t.like(o.HostConfig, { NetworkMode: 'bridge', IpcMode: 'shareable', OomScoreAdj: 0 });
  t.deepEqual(o.HostConfig?.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  const host = sandboxCreateOptions(testPod({ hostNetwork: true, hostIPC: true, hostPID: true }), { attempt: 0, hostname: 'p', networkMode: 'host' }, 'pause:1', 'n');
  t.is(host.Hostname, undefined);
  t.like(host.HostConfig, { NetworkMode: 'host', IpcMode: 'host', PidMode: 'host', OomScoreAdj: -998 });
});

const admission = [
  { name: 'privileged without --allow-privileged', pod: testPod({ containers: [{ name: 'a', securityContext: { privileged: true } }] }), source: 'api', want: 'specified privileged container, but is disallowed' },
  { name: 'host network from a source not allowed', pod: testPod({ hostNetwork: true }), source: 'api', want: 'specified host networking, but is disallowed' },
  { name: 'host PID', pod: testPod({ hostPID: true }), source: 'api', want: 'specified host PID, but is disallowed' },
  { name: 'host IPC from an allowed source', pod: testPod({ hostIPC: true }), source: 'file', want: undefined },
];
for (const tc of admission) {
  test(`admission: ${tc.name}`, (t) => {
    const r = canRunPod(tc.pod, tc.source, { allowPrivileged: false, hostNetworkSources: ['file'], hostPIDSources: ['file'], hostIPCSources: ['file'] });
    if (tc.want === undefined) t.true(r.admit);
    else t.true(!r.admit && r.message.endsWith(tc.want) && r.reason === 'Forbidden');
  });
}

test('runAsNonRoot', (t) => {
  const sec = (user?: string) => ({ user, groupAdd: [], privileged: false, capAdd: [], capDrop: [], readOnlyRootfs: false, runAsNonRoot: true, noNewPrivileges: false });
  t.is(verifyRunAsNonRoot(sec('0'), ''), "container's runAsUser breaks non-root policy");
  t.is(verifyRunAsNonRoot(sec(), 'root'), 'container has runAsNonRoot and image will run as root');
  t.regex(verifyRunAsNonRoot(sec(), 'nobody') ?? '', /non-numeric user \(nobody\)/);
  t.is(verifyRunAsNonRoot(sec(), '1000:1000'), undefined);
  t.is(verifyRunAsNonRoot(sec('1000'), ''), undefined);
});
