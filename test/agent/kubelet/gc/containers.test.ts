// Dead container GC decisions (v1.8 kuberuntime_gc): TTL, per-container and global
// limits, deleted pods, the eviction manager's "all unused", and the newest of each
// live pod's container always kept.
import test from 'ava';
import { selectContainersToRemove, type ContainerGCPolicy, type GCContainer } from '../../../../agent/kubelet/gc/containers.js';

const MIN = 60_000;
const NOW = 100 * MIN;
/** A dead app container of pod/name created `ago` minutes ago. */
const dead = (id: string, pod: string, name: string, ago: number): GCContainer => ({ id, podUID: pod, containerName: name, isSandbox: false, state: 'exited', createdAt: new Date(NOW - ago * MIN) });
const running = (id: string, pod: string, name: string, ago: number): GCContainer => ({ ...dead(id, pod, name, ago), state: 'running' });
const P = (minAgeMs: number, maxPerPodContainer: number, maxContainers: number): ContainerGCPolicy => ({ minAgeMs, maxPerPodContainer, maxContainers });

const cases: { name: string; cs: GCContainer[]; policy: ContainerGCPolicy; live?: string[]; ready?: boolean; evictAll?: boolean; want: string[] }[] = [
  {
    name: 'per container: keep the newest N dead (plus the running one)',
    cs: [running('r', 'p', 'c', 1), dead('d1', 'p', 'c', 2), dead('d2', 'p', 'c', 3), dead('d3', 'p', 'c', 4), dead('d4', 'p', 'c', 5)],
    policy: P(0, 2, -1),
    want: ['d4', 'd3'],
  },
  {
    name: 'the TTL protects young dead containers',
    cs: [running('r', 'p', 'c', 0), dead('young', 'p', 'c', 0.5), dead('old', 'p', 'c', 2)],
    policy: P(MIN, 0, -1),
    want: ['old'],
  },
  {
    name: 'the newest container of a live pod is kept even at limit 0',
    cs: [dead('last', 'p', 'c', 2), dead('before', 'p', 'c', 3)],
    policy: P(0, 0, -1),
    want: ['before'],
  },
  {
    name: 'a pod no source has: all of it goes',
    cs: [dead('a', 'gone', 'c', 2), dead('b', 'gone', 'c', 3), dead('keep', 'p', 'c', 2)],
    policy: P(0, 5, -1),
    want: ['a', 'b'],
  },
  {
    name: 'sources not ready: a missing pod is not believed gone',
    cs: [dead('a', 'gone', 'c', 2), dead('b', 'gone', 'c', 3)],
    policy: P(0, 5, -1),
    ready: false,
    want: [],
  },
  {
    name: 'global limit: each unit cut to max(1, total/units), then the oldest overall',
    cs: [running('r1', 'p', 'a', 0), dead('a1', 'p', 'a', 1), dead('a2', 'p', 'a', 2), dead('a3', 'p', 'a', 3), running('r2', 'p', 'b', 0), dead('b1', 'p', 'b', 4), dead('b2', 'p', 'b', 5), running('r3', 'p', 'c', 0), dead('c1', 'p', 'c', 6)],
    policy: P(0, -1, 2),
    // 6 evictable > 2: per unit max(1, 2/3=0) = 1 → a1, b1, c1 stay (3 > 2) → the oldest overall (c1) goes.
    want: ['a3', 'a2', 'b2', 'c1'],
  },
  {
    name: 'no limits (-1): only deleted pods',
    cs: [running('r', 'p', 'c', 0), dead('d1', 'p', 'c', 1), dead('d2', 'p', 'c', 2)],
    policy: P(0, -1, -1),
    want: [],
  },
  {
    name: 'eviction reclaim: every dead one old enough, the newest of a live container kept',
    cs: [dead('last', 'p', 'c', 2), dead('before', 'p', 'c', 3), running('r', 'p', 'd', 0), dead('d1', 'p', 'd', 5), dead('young', 'p', 'd', 0.1)],
    policy: P(MIN, 2, 240),
    evictAll: true,
    want: ['before', 'd1'],
  },
  {
    name: 'sandboxes are never chosen',
    cs: [{ id: 'sb', podUID: 'gone', containerName: 'POD', isSandbox: true, state: 'exited', createdAt: new Date(0) }],
    policy: P(0, 0, 0),
    want: [],
  },
];
for (const c of cases) {
  test(`select containers: ${c.name}`, (t) => {
    const live = new Set(c.live ?? ['p']);
    const got = selectContainersToRemove(c.cs, c.policy, { now: NOW, podExists: (u) => live.has(u), allSourcesReady: c.ready ?? true, evictAll: c.evictAll });
    t.deepEqual([...got].sort(), [...c.want].sort());
  });
}
