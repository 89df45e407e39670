// The generic registry over the in-memory reference Store: system metadata,
// generation on spec changes only, status kept apart from the main resource,
// optimistic concurrency, finalizers and graceful pod deletion, and watch
// events as a selector sees them.
import test from 'ava';
import { MemoryStore } from '../../../../controlplane/storage/memory/store.js';
import { scheme } from '../../../../controlplane/api/scheme.js';
import { GenericStore } from '../../../../controlplane/apiserver/registry/generic.js';
import { apiHooks } from '../../../../controlplane/apiserver/hooks.js';
import { parseSelector } from '../../../../controlplane/machinery/labels.js';
import { StatusError } from '../../../../controlplane/machinery/errors.js';
import type { Obj } from '../../../../controlplane/apiserver/registry/types.js';

function registry(resource: string, group = '') {
  const info = scheme.forResource(group, resource)!;
  return new GenericStore(info, new MemoryStore(), apiHooks.hooksFor(info.group, info.version, info.kind), group ? `/${group}/${resource}` : `/${resource}`);
}

const deploy = (name: string, image = 'nginx:1.25', replicas = 1): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } } },
});

test('create fills uid, creationTimestamp, generation 1, resourceVersion; clears status', async (t) => {
  const r = registry('deployments', 'apps');
  const o = await r.create('ns', { ...deploy('d'), status: { replicas: 9 } });
  t.regex(o.metadata!.uid!, /^[0-9a-f-]{36}$/);
  t.regex(String(o.metadata!.creationTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.is(o.metadata!.generation, 1);
  t.truthy(o.metadata!.resourceVersion);
  t.is(o.status, undefined);
  t.is((o.spec as { revisionHistoryLimit: number }).revisionHistoryLimit, 10); // defaulted
});

test('generation moves on spec changes only; the main resource cannot change status', async (t) => {
  const r = registry('deployments', 'apps');
  const o = await r.create('ns', deploy('d'));
  const labelled = await r.update('ns', 'd', { ...o, metadata: { ...o.metadata, labels: { x: 'y' } } });
  t.is(labelled.metadata!.generation, 1);
  const scaled = await r.update('ns', 'd', { ...labelled, spec: { ...(labelled.spec as object), replicas: 3 }, status: { replicas: 42 } });
  t.is(scaled.metadata!.generation, 2);
  t.is(scaled.status, undefined);
  const st = await r.update('ns', 'd', { ...scaled, status: { replicas: 3 }, spec: { ...(scaled.spec as object), replicas: 7 } }, { subresource: 'status' });
  t.deepEqual(st.status, { replicas: 3 });
  t.is((st.spec as { replicas: number }).replicas, 3, '/status cannot change spec');
  t.is(st.metadata!.generation, 2);
});

test('a stale resourceVersion is a 409 Conflict; none means unconditional', async (t) => {
  const r = registry('configmaps');
  const o = await r.create('ns', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } });
  await r.update('ns', 'c', { ...o, data: { a: '2' } });
  const err = await t.throwsAsync(r.update('ns', 'c', { ...o, data: { a: '3' } }));
  t.true(err instanceof StatusError && err.code === 409 && err.reason === 'Conflict');
  const { resourceVersion: _rv, ...meta } = o.metadata!;
  const u = await r.update('ns', 'c', { ...o, metadata: meta, data: { a: '4' } });
  t.deepEqual(u.data, { a: '4' });
});

test('finalizers hold a delete until they are removed', async (t) => {
  const r = registry('configmaps');
  await r.create('ns', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['example.com/hold'] } });
  const d = await r.delete('ns', 'c');
  t.truthy(d.metadata!.deletionTimestamp);
  const still = await r.get('ns', 'c');
  t.deepEqual(still.metadata!.finalizers, ['example.com/hold']);
  await r.update('ns', 'c', { ...still, metadata: { ...still.metadata, finalizers: [] } });
  const gone = await t.throwsAsync(r.get('ns', 'c'));
  t.is((gone as StatusError).code, 404);
});

test('a pod on a node is deleted gracefully; an unscheduled one at once', async (t) => {
  const r = registry('pods');
  const pod = (name: string, nodeName?: string): Obj => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }] } });
  await r.create('ns', pod('bound', 'n1'));
  await r.create('ns', pod('loose'));
  const d = await r.delete('ns', 'bound');
  t.is(d.metadata!.deletionGracePeriodSeconds, 30);
  t.truthy((await r.get('ns', 'bound')).metadata!.deletionTimestamp);
  await r.delete('ns', 'loose');
  t.is(((await t.throwsAsync(r.get('ns', 'loose'))) as StatusError).code, 404);
  await r.delete('ns', 'bound', { gracePeriodSeconds: 0 });
  t.is(((await t.throwsAsync(r.get('ns', 'bound'))) as StatusError).code, 404);
});

test('watch with a selector: ADDED when an object starts matching, DELETED when it stops', async (t) => {
  const r = registry('configmaps');
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const o = await r.create('ns', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { app: 'a' } } });
  const it = r.watch('ns', { labelSelector: parseSelector('tier=web'), resourceVersion: o.metadata!.resourceVersion }, ac.signal)[Symbol.asyncIterator]();
  const cur = await r.update('ns', 'c', { ...o, metadata: { ...o.metadata, labels: { tier: 'web' } } });
  t.is((await it.next()).value?.type, 'ADDED');
  await r.update('ns', 'c', { ...cur, metadata: { ...cur.metadata, labels: { tier: 'db' } } });
  t.is((await it.next()).value?.type, 'DELETED');
});

test('field selectors name only supported fields', async (t) => {
  const r = registry('pods');
  await t.notThrowsAsync(r.list('ns', { fieldRequirements: [{ field: 'spec.nodeName', op: '=', value: 'n1' }] }));
  const err = await t.throwsAsync(r.list('ns', { fieldRequirements: [{ field: 'spec.bogus', op: '=', value: 'x' }] }));
  t.is((err as StatusError).message, 'field label not supported: spec.bogus');
});
