// Ranking for eviction (v1.8): QoS class first, then memory above request / disk usage.
import test from 'ava';
import type { Pod, Volume } from '../../../../controlplane/api/core/v1/types.js';
import { rank, type Candidate } from '../../../../agent/kubelet/eviction/rank.js';
import type { PodStats } from '../../../../agent/kubelet/stats/types.js';

const Mi = 1024 * 1024;
const T = '2025-01-01T00:00:00Z';

function cand(name: string, res: Record<string, unknown>, usage?: { ws?: number; rootfs?: number; logs?: number; vol?: number }, volumes: Volume[] = []): Candidate {
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'd', uid: name }, spec: { containers: [{ name: 'c', image: 'i', resources: res }], volumes } };
  const stats: PodStats | undefined = usage
    ? {
        podRef: { name, namespace: 'd', uid: name },
        startTime: T,
        containers: [{ name: 'c', startTime: T, memory: { time: T, workingSetBytes: usage.ws ?? 0 }, rootfs: { time: T, usedBytes: usage.rootfs ?? 0, inodesUsed: 1 }, logs: { time: T, usedBytes: usage.logs ?? 0, inodesUsed: 1 } }],
        volume: usage.vol !== undefined ? [{ name: 'data', time: T, usedBytes: usage.vol }] : undefined,
      }
    : undefined;
  return { pod, stats };
}

const BE = {};
const BU = (req: string) => ({ requests: { memory: req } });
const GU = (m: string) => ({ requests: { memory: m, cpu: '1' }, limits: { memory: m, cpu: '1' } });

const cases: { name: string; pods: Candidate[]; resource: Parameters<typeof rank>[1]; dedicated?: boolean; want: string[] }[] = [
  { name: 'memory: QoS before usage', resource: 'memory', pods: [cand('g', GU('1Gi'), { ws: 2000 * Mi }), cand('b', BU('10Mi'), { ws: 500 * Mi }), cand('be', BE, { ws: 1 * Mi })], want: ['be', 'b', 'g'] },
  { name: 'memory: within a class, usage above request', resource: 'memory', pods: [cand('small-over', BU('100Mi'), { ws: 150 * Mi }), cand('big-within', BU('1Gi'), { ws: 900 * Mi }), cand('most-over', BU('10Mi'), { ws: 300 * Mi })], want: ['most-over', 'small-over', 'big-within'] },
  { name: 'memory: no stats ranks first within a class', resource: 'memory', pods: [cand('x', BE, { ws: 5 * Mi }), cand('nostats', BE)], want: ['nostats', 'x'] },
  { name: 'nodefs without imagefs: rootfs + logs + local volumes', resource: 'nodefs', pods: [cand('logs', BE, { logs: 300 * Mi }), cand('vol', BE, { vol: 500 * Mi }, [{ name: 'data', emptyDir: {} }]), cand('root', BE, { rootfs: 100 * Mi })], want: ['vol', 'logs', 'root'] },
  { name: 'memory-backed emptyDir is not disk', resource: 'nodefs', pods: [cand('tmpfs', BE, { vol: 500 * Mi }, [{ name: 'data', emptyDir: { medium: 'Memory' } }]), cand('root', BE, { rootfs: 100 * Mi })], want: ['root', 'tmpfs'] },
  { name: 'imagefs with a dedicated imagefs: rootfs only', resource: 'imagefs', dedicated: true, pods: [cand('logs', BE, { logs: 900 * Mi }), cand('root', BE, { rootfs: 100 * Mi })], want: ['root', 'logs'] },
  { name: 'nodefs with a dedicated imagefs: logs and volumes only', resource: 'nodefs', dedicated: true, pods: [cand('root', BE, { rootfs: 900 * Mi }), cand('logs', BE, { logs: 100 * Mi })], want: ['logs', 'root'] },
];
for (const c of cases) {
  test(`rank: ${c.name}`, (t) => {
    t.deepEqual(
      rank(c.pods, c.resource, c.dedicated === true).map((x) => x.pod.metadata.name),
      c.want,
    );
  });
}
