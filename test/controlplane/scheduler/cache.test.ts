// The scheduler cache: assumed pods count at once, are confirmed by the
// informer, forgotten on a failed bind, and expire when never confirmed.
import test from 'ava';
import { FakeClock } from '../../../controlplane/client/testing/clock.js';
import { SchedulerCache } from '../../../controlplane/scheduler/cache/cache.js';
import { node, pod } from './fixtures.js';

const setup = () => {
  const clock = new FakeClock();
  const cache = new SchedulerCache({ clock, ttlMs: 30_000 });
  cache.addNode(node('a', { cpu: '4' }));
  return { clock, cache };
};

test('an assumed pod counts immediately', (t) => {
  const { cache } = setup();
  cache.assumePod(pod('p', { cpu: '1', nodeName: 'a' }));
  t.is(cache.nodeInfo('a')!.requested.milliCPU, 1000);
  t.true(cache.isAssumed('default/p'));
  t.throws(() => cache.assumePod(pod('p', { cpu: '1', nodeName: 'a' })));
});

test('the informer confirms an assumption without double counting', (t) => {
  const { cache } = setup();
  cache.assumePod(pod('p', { cpu: '1', nodeName: 'a' }));
  cache.addPod(pod('p', { cpu: '1', nodeName: 'a' }));
  t.false(cache.isAssumed('default/p'));
  t.is(cache.nodeInfo('a')!.requested.milliCPU, 1000);
  t.is(cache.nodeInfo('a')!.pods.size, 1);
});

test('a failed bind forgets the assumption', (t) => {
  const { cache } = setup();
  const p = pod('p', { cpu: '1', nodeName: 'a' });
  cache.assumePod(p);
  cache.forgetPod(p);
  t.is(cache.nodeInfo('a')!.requested.milliCPU, 0);
  t.false(cache.hasPod('default/p'));
});

test('an unconfirmed assumption expires ttl after its binding finished', async (t) => {
  const { cache, clock } = setup();
  const p = pod('p', { cpu: '1', nodeName: 'a' });
  cache.assumePod(p);
  await clock.advance(60_000);
  t.deepEqual(cache.cleanupExpired(), [], 'no expiry while the bind is in flight');
  cache.finishBinding(p);
  await clock.advance(29_999);
  t.deepEqual(cache.cleanupExpired(), []);
  await clock.advance(1);
  t.deepEqual(cache.cleanupExpired(), ['default/p']);
  t.is(cache.nodeInfo('a')!.requested.milliCPU, 0);
});

test('pods on a node not yet seen are kept and count once it appears', (t) => {
  const { cache } = setup();
  cache.addPod(pod('early', { cpu: '1', nodeName: 'b' }));
  t.is(cache.nodeInfo('b'), undefined);
  t.is(cache.nodes.length, 1);
  cache.addNode(node('b'));
  t.is(cache.nodeInfo('b')!.requested.milliCPU, 1000);
  cache.removeNode(node('b'));
  t.is(cache.nodes.length, 1);
  cache.removePod(pod('early', { nodeName: 'b' }));
});

test('image counts follow nodes', (t) => {
  const { cache } = setup();
  cache.addNode(node('b', { images: [{ names: ['nginx'], sizeBytes: 1 }] }));
  cache.addNode(node('c', { images: [{ names: ['nginx:latest'], sizeBytes: 1 }] }));
  t.is(cache.imageNodeCount('nginx:latest'), 2);
  cache.removeNode(node('c'));
  t.is(cache.imageNodeCount('nginx:latest'), 1);
});
