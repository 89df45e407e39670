// The scheduling decision end to end over a static cluster: the failure
// message form, the sampling rule, tie-breaking, providers and policies.
import test from 'ava';
import { Algorithm, numFeasibleNodesToFind } from '../../../controlplane/scheduler/framework/algorithm.js';
import { failureMessage } from '../../../controlplane/scheduler/framework/message.js';
import { filtersFor, parsePolicy, PolicyError, providerProfile } from '../../../controlplane/scheduler/framework/registry.js';
import { cluster, node, pod } from './fixtures.js';

const sampling: [nodes: number, want: number][] = [
  [0, 0],
  [1, 1],
  [99, 99],
  [100, 100], // 50 − 0 = 50 % → 50, raised to the 100 minimum
  [250, 125], // 48 % → 120? no: 50 − 2 = 48 % of 250 = 120
  [1000, 420], // 50 − 8 = 42 %
  [5000, 500], // 50 − 40 = 10 %
  [6000, 300], // 50 − 48 = 2 % → floor 5 %
];
sampling[4] = [250, 120];
for (const [n, want] of sampling) {
  test(`numFeasibleNodesToFind(${n}) = ${want}`, (t) => t.is(numFeasibleNodesToFind(n), want));
}
test('numFeasibleNodesToFind honours an explicit percentage', (t) => {
  t.is(numFeasibleNodesToFind(1000, 100), 1000);
  t.is(numFeasibleNodesToFind(1000, 30), 300);
  t.is(numFeasibleNodesToFind(1000, 5), 100);
});

const messages: [string, number, [string, number][], string][] = [
  ['the issue example', 3, [['Insufficient cpu', 2], ['node(s) were unschedulable', 1]], '0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.'],
  ['one reason', 1, [["node(s) didn't match Pod's node affinity/selector", 1]], "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector."],
  ['sorted as strings', 12, [['Insufficient memory', 10], ['Insufficient cpu', 2]], '0/12 nodes are available: 10 Insufficient memory, 2 Insufficient cpu.'],
  ['no nodes', 0, [], 'no nodes available to schedule pods'],
];
for (const [name, n, hist, want] of messages) {
  test(`failure message: ${name}`, (t) => t.is(failureMessage(n, new Map(hist)), want));
}

test('unschedulable pod: every node counted under each of its reasons', (t) => {
  const c = cluster({ nodes: [node('small', { cpu: '1' }), node('cordoned', { unschedulable: true }), node('small2', { cpu: '1' })] });
  const r = new Algorithm(providerProfile('DefaultProvider')).schedule(pod('big', { cpu: '2' }), c);
  t.is(r.kind, 'unschedulable');
  if (r.kind === 'unschedulable') t.is(r.message, '0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.');
});

test('a node failing cpu and memory counts toward both', (t) => {
  const c = cluster({ nodes: [node('a', { cpu: '1', memory: '1Gi' })] });
  const r = new Algorithm(providerProfile('DefaultProvider')).schedule(pod('big', { cpu: '2', memory: '2Gi' }), c);
  t.like(r, { kind: 'unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.' });
});

test('DefaultProvider spreads onto the emptier node; ClusterAutoscalerProvider packs', (t) => {
  const mk = () => cluster({ nodes: [node('busy'), node('idle')], pods: [pod('x', { cpu: '2', memory: '4Gi', nodeName: 'busy' })] });
  const p = pod('p', { cpu: '500m', memory: '512Mi' });
  t.like(new Algorithm(providerProfile('DefaultProvider')).schedule(p, mk()), { kind: 'scheduled', node: 'idle' });
  t.like(new Algorithm(providerProfile('ClusterAutoscalerProvider')).schedule(p, mk()), { kind: 'scheduled', node: 'busy' });
});

test('ties are broken at random among the best', (t) => {
  const c = cluster({ nodes: [node('a'), node('b'), node('c')] });
  const seen = new Set<string>();
  let i = 0;
  const rands = [0.9, 0.1, 0.9, 0.9, 0.1, 0.1];
  const alg = new Algorithm(providerProfile('DefaultProvider'), { rand: () => rands[i++ % rands.length] });
  for (let k = 0; k < 6; k++) {
    const r = alg.schedule(pod(`p${k}`), c);
    if (r.kind === 'scheduled') seen.add(r.node);
  }
  t.true(seen.size >= 2);
});

test('sampling: with 1000 nodes 420 are evaluated and the next search starts where the last stopped', (t) => {
  const nodes = Array.from({ length: 1000 }, (_, i) => node(`n${i}`));
  const c = cluster({ nodes });
  const alg = new Algorithm(providerProfile('DefaultProvider'));
  const r1 = alg.schedule(pod('p1'), c);
  t.like(r1, { kind: 'scheduled', evaluatedNodes: 420, feasibleNodes: 420 });
  const r2 = alg.schedule(pod('p2'), c);
  t.like(r2, { kind: 'scheduled', evaluatedNodes: 420 });
  // The second search covered n420..n839, so it cannot have picked from the first window.
  if (r2.kind === 'scheduled') t.true(Number(r2.node.slice(1)) >= 420 && Number(r2.node.slice(1)) < 840);
});

test('policy: named predicates and weighted priorities', (t) => {
  const p = parsePolicy(
    JSON.stringify({
      kind: 'Policy',
      apiVersion: 'v1',
      predicates: [{ name: 'PodFitsResources' }, { name: 'MatchNodeSelector' }],
      priorities: [{ name: 'MostRequestedPriority', weight: 3 }],
      hardPodAffinitySymmetricWeight: 7,
    }),
  );
  t.deepEqual(
    p.profile.filters.map((f) => f.name),
    ['MatchNodeSelector', 'PodFitsResources'],
  );
  t.deepEqual(
    p.profile.scores.map((s) => [s.plugin.name, s.weight]),
    [['MostRequestedPriority', 3]],
  );
  t.is(p.hardPodAffinitySymmetricWeight, 7);
  // With only resource predicates a cordoned node is acceptable.
  const c = cluster({ nodes: [node('cordoned', { unschedulable: true })] });
  t.like(new Algorithm(p.profile).schedule(pod('x'), c), { kind: 'scheduled', node: 'cordoned' });
});

test('policy: GeneralPredicates expands; unknown names are refused', (t) => {
  t.deepEqual(
    filtersFor(['GeneralPredicates']).map((f) => f.name),
    ['HostName', 'PodFitsHostPorts', 'MatchNodeSelector', 'PodFitsResources'],
  );
  t.throws(() => parsePolicy('{"predicates":[{"name":"NoSuch"}]}'), { instanceOf: PolicyError, message: /invalid predicate name "NoSuch"/ });
  t.throws(() => parsePolicy('{"priorities":[{"name":"LeastRequestedPriority","weight":0}]}'), { instanceOf: PolicyError });
  t.throws(() => parsePolicy('not json'), { instanceOf: PolicyError });
});
