import test from 'ava';
import { applyOperation, updateOperation, LAST_APPLIED_ANNOTATION, type ManagedFieldsEntry } from '../../../../controlplane/apiserver/fieldmanager/index.js';
import type { Obj } from '../../../../controlplane/apiserver/registry/types.js';
import { T0, T1, T2, configMap, deepFreeze, deployment, statusErrorOf, stored } from './helpers.js';

type Who = { manager: string; force?: boolean; now?: Date };

/** One SSA request against `live` (undefined = the object doesn't exist), inputs frozen to prove purity. */
function apply(live: Obj | undefined, applied: Obj, who: Who): Obj {
  return applyOperation({
    live: live && deepFreeze(structuredClone(live)),
    applied: deepFreeze(structuredClone(applied)),
    manager: who.manager,
    force: who.force,
    apiVersion: applied.apiVersion!,
    kind: applied.kind,
    now: who.now ?? T0,
  }).object;
}

/** An ordinary write (create when `old` is undefined) by `manager`. */
function update(old: Obj | undefined, updated: Obj, manager: string, now = T0): Obj {
  return updateOperation({ old: old && deepFreeze(structuredClone(old)), updated: deepFreeze(structuredClone(updated)), manager, apiVersion: updated.apiVersion!, now }).object;
}

const entries = (o: Obj): ManagedFieldsEntry[] => (o.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
const owners = (o: Obj): Record<string, unknown> => Object.fromEntries(entries(o).map((e) => [`${e.manager}/${e.operation}`, e.fieldsV1]));
const data = (o: Obj): unknown => o.data;

test('apply creates: the object is the applied configuration, owned by the applier', (t) => {
  const o = apply(undefined, configMap({ a: '1', b: '2' }), { manager: 'kubectl' });
  t.deepEqual(data(o), { a: '1', b: '2' });
  t.deepEqual(entries(o), [
    { manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: '2026-03-01T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} } } },
  ]);
});

test('kubectl apply --server-side, then a smaller file: the dropped data key disappears', (t) => {
  // What the server does: the first apply creates (the registry adds uid, resourceVersion…), the second patches.
  const first = stored(apply(undefined, configMap({ k: '1', extra: 'x' }), { manager: 'kubectl' }));
  const second = apply(first, configMap({ k: '2' }), { manager: 'kubectl', now: T1 });
  t.deepEqual(data(second), { k: '2' });
  t.deepEqual(owners(second), { 'kubectl/Apply': { 'f:data': { 'f:k': {} } } });
  t.is(entries(second)[0].time, '2026-03-01T10:05:00Z');
  t.is(second.metadata?.uid, 'u-1', 'server-owned metadata is kept');
});

test('apply twice with the last data key dropped: data goes away entirely', (t) => {
  const first = stored(apply(undefined, configMap({ a: '1' }), { manager: 'kubectl' }));
  const second = apply(first, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' } }, { manager: 'kubectl' });
  t.false('data' in second);
  t.deepEqual(entries(second), [], 'an applier owning nothing has no entry');
});

test('a field dropped by its applier stays while another manager owns it too', (t) => {
  let o = stored(apply(undefined, configMap({ k: 'v', a: '1' }), { manager: 'one' }));
  o = apply(o, configMap({ k: 'v' }), { manager: 'two' }); // same value: shared ownership, no conflict
  t.deepEqual(owners(o), { 'one/Apply': { 'f:data': { 'f:a': {}, 'f:k': {} } }, 'two/Apply': { 'f:data': { 'f:k': {} } } });
  o = apply(o, configMap({ a: '1' }), { manager: 'one' });
  t.deepEqual(data(o), { k: 'v', a: '1' }, 'k is still owned by "two"');
  o = apply(o, configMap({ z: '0' }), { manager: 'two' });
  t.deepEqual(data(o), { a: '1', z: '0' }, 'k had no owner left and was removed');
});

test('fields nobody owns are never pruned', (t) => {
  // Set by the server or a controller without managedFields (e.g. defaults): not the applier's to remove.
  const live = stored(apply(undefined, configMap({ a: '1' }), { manager: 'kubectl' }));
  const withUnowned = { ...live, data: { a: '1', serverSet: 'y' } };
  const o = apply(withUnowned, configMap({ b: '2' }), { manager: 'kubectl' });
  t.deepEqual(data(o), { serverSet: 'y', b: '2' });
});

test('two managers applying different values for one field: 409 with upstream message and causes', (t) => {
  const live = stored(apply(undefined, configMap({ k: 'one' }), { manager: 'first-manager' }));
  const err = statusErrorOf(() => apply(live, configMap({ k: 'two' }), { manager: 'second-manager' }));
  t.truthy(err);
  t.is(err!.code, 409);
  t.is(err!.reason, 'Conflict');
  t.is(err!.message, 'Apply failed with 1 conflict: conflict with "first-manager": .data.k');
  t.deepEqual(err!.details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "first-manager"', field: '.data.k' }] });
  t.deepEqual(err!.toStatus().details?.causes?.[0].field, '.data.k');
});

test('several conflicts are listed per manager, managers sorted', (t) => {
  let live = stored(apply(undefined, configMap({ a: '1', b: '1' }), { manager: 'zeta' }));
  live = update(live, { ...live, data: { a: '1', b: '1', c: '1' } }, 'alpha-editor');
  const err = statusErrorOf(() => apply(live, configMap({ a: '2', b: '2', c: '2' }), { manager: 'mine' }));
  t.is(err?.message, 'Apply failed with 3 conflicts: conflicts with "alpha-editor" using v1:\n- .data.c\nconflicts with "zeta":\n- .data.a\n- .data.b');
  t.deepEqual(err?.details?.causes?.map((c) => c.field), ['.data.c', '.data.a', '.data.b']);
});

test('force=true takes the conflicting field over: the value changes and the other manager loses it', (t) => {
  const live = stored(apply(undefined, configMap({ k: 'one', other: 'x' }), { manager: 'first-manager' }));
  const o = apply(live, configMap({ k: 'two' }), { manager: 'second-manager', force: true, now: T1 });
  t.deepEqual(data(o), { k: 'two', other: 'x' });
  t.deepEqual(owners(o), { 'first-manager/Apply': { 'f:data': { 'f:other': {} } }, 'second-manager/Apply': { 'f:data': { 'f:k': {} } } });
  // …and the entry left empty disappears entirely.
  const o2 = apply(stored(o, '2'), configMap({ other: 'y' }), { manager: 'second-manager', force: true });
  t.deepEqual(Object.keys(owners(o2)), ['second-manager/Apply']);
});

test('client-side apply (Update), then server-side apply of a changed field by another manager: conflict', (t) => {
  const file = configMap({ k: 'v1' });
  const csa = { ...file, metadata: { ...file.metadata, annotations: { [LAST_APPLIED_ANNOTATION]: JSON.stringify(file) + '\n' } } };
  const live = stored(update(undefined, csa, 'kubectl-client-side-apply'));
  t.deepEqual(owners(live), {
    'kubectl-client-side-apply/Update': {
      'f:data': { '.': {}, 'f:k': {} },
      'f:metadata': { 'f:annotations': { '.': {}, [`f:${LAST_APPLIED_ANNOTATION}`]: {} } },
    },
  });
  const err = statusErrorOf(() => apply(live, configMap({ k: 'v2' }), { manager: 'my-controller' }));
  t.is(err?.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.k');
  t.deepEqual(err?.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.data.k' }]);
});

test('kubectl upgrade from client-side apply: fields still equal to last-applied move to "kubectl" without conflict', (t) => {
  const file = configMap({ k: 'v1' });
  const csa = { ...file, metadata: { ...file.metadata, annotations: { [LAST_APPLIED_ANNOTATION]: JSON.stringify(file) + '\n' } } };
  const live = stored(update(undefined, csa, 'kubectl-client-side-apply'));
  const o = apply(live, configMap({ k: 'v2' }), { manager: 'kubectl' });
  t.deepEqual(data(o), { k: 'v2' });
  t.deepEqual(owners(o), {
    'kubectl/Apply': { 'f:data': { 'f:k': {} } },
    // The client-side applier keeps the annotation, and `.data` itself (it created the map), as upstream's entries show.
    'kubectl-client-side-apply/Update': { 'f:data': {}, 'f:metadata': { 'f:annotations': { '.': {}, [`f:${LAST_APPLIED_ANNOTATION}`]: {} } } },
  });
  // The annotation is rewritten to what was applied (sorted keys, trailing newline), as upstream does for "kubectl".
  t.is(
    o.metadata?.annotations?.[LAST_APPLIED_ANNOTATION],
    '{"apiVersion":"v1","data":{"k":"v2"},"kind":"ConfigMap","metadata":{"name":"cm","namespace":"default"}}\n',
  );
});

test('kubectl upgrade does not forgive a field someone changed after the last client-side apply', (t) => {
  const file = configMap({ k: 'v1' });
  const csa = { ...file, metadata: { ...file.metadata, annotations: { [LAST_APPLIED_ANNOTATION]: JSON.stringify(file) + '\n' } } };
  let live = stored(update(undefined, csa, 'kubectl-client-side-apply'));
  live = update(live, { ...live, data: { k: 'edited' } }, 'kubectl-edit');
  const err = statusErrorOf(() => apply(live, configMap({ k: 'v2' }), { manager: 'kubectl' }));
  t.is(err?.message, 'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.k');
});

test('applying a value equal to the live one is never a conflict; ownership becomes shared', (t) => {
  const live = stored(update(undefined, configMap({ k: 'v' }), 'kubectl-create'));
  const o = apply(live, configMap({ k: 'v' }), { manager: 'ssa' });
  t.deepEqual(owners(o), { 'ssa/Apply': { 'f:data': { 'f:k': {} } }, 'kubectl-create/Update': { 'f:data': { '.': {}, 'f:k': {} } } });
  t.is(entries(o)[0].manager, 'ssa', 'Apply entries sort before Update entries');
});

test('a no-op re-apply keeps the entry and its time', (t) => {
  const first = stored(apply(undefined, configMap({ k: 'v' }), { manager: 'kubectl', now: T0 }));
  const again = apply(first, configMap({ k: 'v' }), { manager: 'kubectl', now: T2 });
  t.deepEqual(entries(again), entries(first));
  t.deepEqual(data(again), data(first));
});

test('Deployment: dropped env var and container are removed, a container another manager added is kept', (t) => {
  const nginx = (env: unknown[]) => ({ name: 'nginx', image: 'nginx:1.25', env });
  let o = stored(apply(undefined, deployment([nginx([{ name: 'A', value: '1' }, { name: 'B', value: '2' }])]), { manager: 'kubectl' }));
  o = apply(o, deployment([nginx([{ name: 'A', value: '1' }])]), { manager: 'kubectl' });
  const containers = (x: Obj) => (x.spec as { template: { spec: { containers: { name: string; image?: string; env?: unknown }[] } } }).template.spec.containers;
  t.deepEqual(containers(o)[0].env, [{ name: 'A', value: '1' }]);

  // Another manager adds a sidecar through an ordinary update.
  const withSidecar = structuredClone(o);
  containers(withSidecar).push({ name: 'sidecar', image: 'busybox' });
  o = stored(update(stored(o, '2'), withSidecar, 'kubectl-edit'), '3');

  // The applier renames its container: nginx goes, app comes, sidecar stays.
  o = apply(o, deployment([{ name: 'app', image: 'app:1' }]), { manager: 'kubectl' });
  t.deepEqual(containers(o).map((c) => c.name), ['sidecar', 'app']);
  t.deepEqual(owners(o)['kubectl-edit/Update'], { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"sidecar"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } });
});

test('keyed list merge order: live-only items stay put, applied items follow the applied order', (t) => {
  const c = (name: string) => ({ name, image: name });
  const live = stored(update(undefined, deployment([c('a'), c('b'), c('c')]), 'kubectl-create'));
  const o = apply(live, deployment([c('c'), c('a')]), { manager: 'ssa' });
  const names = ((o.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec.containers).map((x) => x.name);
  t.deepEqual(names, ['b', 'c', 'a']);
});

test('a struct whose last owned field is dropped is removed, not left as {}', (t) => {
  const withStrategy = (s: unknown) => deployment([{ name: 'nginx', image: 'nginx' }], { strategy: s });
  let o = stored(apply(undefined, withStrategy({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } }), { manager: 'kubectl' }));
  o = apply(o, withStrategy({ type: 'RollingUpdate' }), { manager: 'kubectl' });
  t.deepEqual((o.spec as { strategy: unknown }).strategy, { type: 'RollingUpdate' });
});

test('finalizers merge as a set; a dropped finalizer of the applier is removed, others stay', (t) => {
  const withFinalizers = (finalizers: string[]): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default', finalizers } });
  let o = stored(update(undefined, withFinalizers(['ctrl.example.com/x']), 'controller'));
  o = apply(o, withFinalizers(['mine.example.com/a', 'mine.example.com/b']), { manager: 'ssa' });
  t.deepEqual(o.metadata?.finalizers, ['ctrl.example.com/x', 'mine.example.com/a', 'mine.example.com/b']);
  o = apply(o, withFinalizers(['mine.example.com/a']), { manager: 'ssa' });
  t.deepEqual(o.metadata?.finalizers, ['ctrl.example.com/x', 'mine.example.com/a']);
  t.deepEqual(owners(o)['ssa/Apply'], { 'f:metadata': { 'f:finalizers': { 'v:"mine.example.com/a"': {} } } });
});

test('status applied through the main resource is never owned', (t) => {
  const o = apply(undefined, { ...deployment([{ name: 'n', image: 'n' }]), status: { replicas: 3 } }, { manager: 'kubectl' });
  t.false('f:status' in (entries(o)[0].fieldsV1 as object));
});

test('server-owned metadata is never recorded', (t) => {
  const o = apply(undefined, configMap({ a: '1' }, { labels: { x: 'y' }, uid: 'client-uid', generation: 7 }), { manager: 'kubectl' });
  t.deepEqual(entries(o)[0].fieldsV1, { 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:x': {} } } });
});

const rejected: { name: string; applied: Obj; kind?: string; code: number; message: string }[] = [
  {
    name: 'managedFields in the applied configuration',
    applied: configMap({}, { managedFields: [] }),
    code: 400,
    message: 'metadata.managedFields must be nil',
  },
  {
    name: 'another kind than the URL names',
    applied: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cm' } },
    kind: 'ConfigMap',
    code: 400,
    message: 'invalid object type: /v1, Kind=Secret',
  },
  {
    name: 'duplicate keys in a keyed list',
    applied: deployment([{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }]),
    code: 422,
    message: 'failed to create typed patch object (apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="a"]',
  },
  {
    name: 'a keyed list item without its key',
    applied: deployment([{ image: 'x' }]),
    code: 422,
    message:
      'failed to create typed patch object (apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
  },
];
for (const tc of rejected) {
  test(`apply rejects ${tc.name}`, (t) => {
    const err = statusErrorOf(() =>
      applyOperation({ live: undefined, applied: tc.applied, manager: 'kubectl', apiVersion: tc.applied.apiVersion!, kind: tc.kind ?? tc.applied.kind, now: T0 }),
    );
    t.is(err?.code, tc.code);
    t.is(err?.message, tc.message);
  });
}

test('apply rejects an apiVersion other than the request\'s', (t) => {
  const err = statusErrorOf(() => applyOperation({ live: undefined, applied: configMap({}), manager: 'kubectl', apiVersion: 'v2', now: T0 }));
  t.is(err?.message, 'Incorrect version specified in apply patch. Specified patch version: v1, expected: v2');
});

test('null in an applied configuration unsets the field but the applier owns it', (t) => {
  const live = stored(update(undefined, configMap({ a: '1', b: '2' }), 'kubectl-create'));
  const o = apply(live, { ...configMap({}), data: { a: null } } as unknown as Obj, { manager: 'ssa', force: true });
  t.deepEqual(data(o), { b: '2' });
  t.deepEqual(owners(o)['ssa/Apply'], { 'f:data': { 'f:a': {} } });
});

test('apply to an object nobody tracked yet: its fields belong to "before-first-apply", so changing them conflicts', (t) => {
  const untracked = stored(configMap({ k: 'old', keep: 'x' })); // written before tracking began
  const err = statusErrorOf(() => apply(untracked, configMap({ k: 'new' }), { manager: 'ssa' }));
  t.is(err?.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .data.k');

  const o = apply(untracked, configMap({ k: 'old', extra: 'y' }), { manager: 'ssa' });
  t.deepEqual(owners(o), {
    'ssa/Apply': { 'f:data': { 'f:extra': {}, 'f:k': {} } },
    'before-first-apply/Update': { 'f:data': { '.': {}, 'f:keep': {}, 'f:k': {} } },
  });
  t.deepEqual(data(o), { k: 'old', keep: 'x', extra: 'y' });
});
