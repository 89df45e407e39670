import test from 'ava';
import {
  applyOperation,
  decodeManagedFields,
  managerIdentifier,
  managerName,
  updateOperation,
  validateFieldManager,
  type ManagedFieldsEntry,
} from '../../../../controlplane/apiserver/fieldmanager/index.js';
import type { Obj } from '../../../../controlplane/apiserver/registry/types.js';
import { T0, T1, T2, configMap, deepFreeze, deployment, stored } from './helpers.js';

function update(old: Obj | undefined, updated: Obj, manager: string, now = T0, subresource?: string): Obj {
  return updateOperation({
    old: old && deepFreeze(structuredClone(old)),
    updated: deepFreeze(structuredClone(updated)),
    manager,
    apiVersion: updated.apiVersion!,
    now,
    subresource,
  }).object;
}

const entries = (o: Obj): ManagedFieldsEntry[] => (o.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
const owners = (o: Obj): Record<string, unknown> => Object.fromEntries(entries(o).map((e) => [`${e.manager}/${e.operation}${e.subresource ? '/' + e.subresource : ''}`, e.fieldsV1]));

test('create: the creator owns everything it set; new maps and list items carry "."; server metadata is not recorded', (t) => {
  const o = update(undefined, stored(configMap({ a: '1' }, { labels: { x: 'y' } })), 'kubectl-create');
  t.deepEqual(entries(o), [
    {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'v1',
      time: '2026-03-01T10:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } } },
    },
  ]);
  t.deepEqual(o.data, { a: '1' }, 'content is untouched');
});

test('create of a Deployment: value structs (spec, template, strategy) and containers carry no ".", pointer structs and new lists do', (t) => {
  const d = deployment([{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }] }], {
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
  });
  const o = update(undefined, { ...d, status: {} }, 'kubectl-create');
  t.deepEqual(entries(o)[0].fieldsV1, {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {},
      'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} },
      'f:template': {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': {
          'f:containers': {
            'k:{"name":"nginx"}': {
              '.': {},
              'f:image': {},
              'f:name': {},
              'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
            },
          },
        },
      },
    },
  });
});

test('an update moves the fields it changes to its manager; a manager left with nothing disappears', (t) => {
  const applied = applyOperation({ live: undefined, applied: configMap({ k: 'v' }), manager: 'ssa', apiVersion: 'v1', kind: 'ConfigMap', now: T0 }).object;
  const live = stored(applied);
  const o = update(live, { ...live, data: { k: 'edited' } }, 'kubectl-edit', T1);
  t.deepEqual(owners(o), { 'kubectl-edit/Update': { 'f:data': { 'f:k': {} } } });
  t.is(entries(o)[0].time, '2026-03-01T10:05:00Z');
});

test('an update that changes nothing leaves managedFields exactly as they were', (t) => {
  const live = stored(update(undefined, configMap({ k: 'v' }), 'kubectl-create', T0));
  const o = update(live, { ...live, metadata: { ...live.metadata, resourceVersion: '9', generation: 4 } }, 'kubectl-replace', T2);
  t.deepEqual(entries(o), entries(live));
});

test('removed fields are disowned by everybody; the writer gains nothing for a removal', (t) => {
  const live = stored(update(undefined, configMap({ a: '1', b: '2' }), 'creator'));
  const o = update(live, { ...live, data: { a: '1' } }, 'remover', T1);
  t.deepEqual(owners(o), { 'creator/Update': { 'f:data': { '.': {}, 'f:a': {} } } });
});

test('the same manager updating again keeps what it owned and gets a new time', (t) => {
  const live = stored(update(undefined, configMap({ a: '1' }), 'kubectl-edit', T0));
  const o = update(live, { ...live, data: { a: '1', b: '2' } }, 'kubectl-edit', T1);
  t.deepEqual(entries(o).map((e) => [e.manager, e.time, e.fieldsV1]), [['kubectl-edit', '2026-03-01T10:05:00Z', { 'f:data': { '.': {}, 'f:a': {}, 'f:b': {} } }]]);
});

test('Update entries of one manager are distinct per apiVersion; Apply entries are not', (t) => {
  t.is(managerIdentifier({ manager: 'm', operation: 'Update', apiVersion: 'apps/v1' }), '{"manager":"m","operation":"Update","apiVersion":"apps/v1"}');
  t.is(managerIdentifier({ manager: 'm', operation: 'Apply', apiVersion: 'apps/v1' }), '{"manager":"m","operation":"Apply"}');
  t.is(managerIdentifier({ manager: 'kubelet', operation: 'Update', apiVersion: 'v1', subresource: 'status' }), '{"manager":"kubelet","operation":"Update","apiVersion":"v1","subresource":"status"}');
});

test('managedFields sent in the body replace the stored ones', (t) => {
  const live = stored(update(undefined, configMap({ a: '1' }), 'creator'));
  const edited: ManagedFieldsEntry[] = [{ manager: 'someone-else', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }];
  const o = update(live, { ...live, metadata: { ...live.metadata, managedFields: edited } }, 'kubectl-patch');
  t.deepEqual(entries(o), edited);
});

test('managedFields: [{}] in the body clears ownership', (t) => {
  const live = stored(update(undefined, configMap({ a: '1' }), 'creator'));
  const o = update(live, { ...live, metadata: { ...live.metadata, managedFields: [{}] } }, 'kubectl-patch');
  t.false('managedFields' in (o.metadata ?? {}));
});

test('unreadable managedFields in the body fall back to the stored ones', (t) => {
  const live = stored(update(undefined, configMap({ a: '1' }), 'creator'));
  const o = update(live, { ...live, metadata: { ...live.metadata, managedFields: [{ manager: 'x', operation: 'Bogus' }] } }, 'kubectl-patch');
  t.deepEqual(entries(o), entries(live));
});

test('a body without managedFields keeps the stored ones (clients that don\'t know the field can\'t erase it)', (t) => {
  const live = stored(update(undefined, configMap({ a: '1' }), 'creator'));
  const { managedFields: _drop, ...meta } = live.metadata!;
  const o = update(live, { ...live, metadata: meta, data: { a: '1', b: '2' } }, 'kubectl-replace', T1);
  t.deepEqual(owners(o), { 'creator/Update': { 'f:data': { '.': {}, 'f:a': {} } }, 'kubectl-replace/Update': { 'f:data': { 'f:b': {} } } });
});

test('/status writes are recorded with subresource "status" and only for status', (t) => {
  const live = stored(update(undefined, { ...deployment([{ name: 'n', image: 'n' }]) }, 'kubectl-create'));
  const next = { ...live, status: { replicas: 2, conditions: [{ type: 'Available', status: 'True' }] } };
  const o = update(live, next, 'kube-controller-manager', T1, 'status');
  t.deepEqual(owners(o)['kube-controller-manager/Update/status'], {
    'f:status': { 'f:conditions': { '.': {}, 'k:{"type":"Available"}': { '.': {}, 'f:status': {}, 'f:type': {} } }, 'f:replicas': {} },
  });
  t.is(entries(o).find((e) => e.subresource)?.subresource, 'status');
});

test('status changed through the main resource is not recorded', (t) => {
  const live = stored(update(undefined, configMap({ a: '1' }), 'creator'));
  const o = update(live, { ...live, status: { phase: 'x' } }, 'someone', T1);
  t.deepEqual(entries(o), entries(live));
});

test('more than ten Update managers: the oldest fold into "ancient-changes"', (t) => {
  let live = stored(update(undefined, configMap({ k0: '0' }), 'm0', new Date(Date.UTC(2026, 0, 1, 0, 0, 0))));
  for (let i = 1; i <= 11; i++) {
    live = stored(update(live, { ...live, data: { ...(live.data as object), [`k${i}`]: String(i) } }, `m${i}`, new Date(Date.UTC(2026, 0, 1, 0, i, 0))), String(i + 1));
  }
  const names = entries(live).map((e) => e.manager);
  t.is(names.length, 10);
  t.is(names[0], 'ancient-changes');
  t.deepEqual(entries(live)[0].fieldsV1, { 'f:data': { '.': {}, 'f:k0': {}, 'f:k1': {}, 'f:k2': {} } });
  t.deepEqual(names.slice(1), ['m3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11']);
});

const names: { name: string; fieldManager?: string; userAgent?: string; want: string }[] = [
  { name: 'fieldManager wins', fieldManager: 'kubectl-edit', userAgent: 'kubectl/v1.30.0 (linux/amd64) kubernetes/abc', want: 'kubectl-edit' },
  { name: 'user agent up to the first slash', userAgent: 'kubectl/v1.30.0 (linux/amd64) kubernetes/abc', want: 'kubectl' },
  { name: 'controller user agent', userAgent: 'kube-controller-manager/v1.30.0 (linux/amd64) kubernetes/abc/system:serviceaccount:kube-system:deployment-controller', want: 'kube-controller-manager' },
  { name: 'non-printable characters dropped', userAgent: 'my\u0007tool/1', want: 'mytool' },
  { name: 'nothing at all', want: 'unknown' },
  { name: 'cut at 128 bytes', userAgent: 'x'.repeat(200), want: 'x'.repeat(128) },
];
for (const tc of names) {
  test(`managerName: ${tc.name}`, (t) => {
    t.is(managerName(tc.fieldManager, tc.userAgent), tc.want);
  });
}

const validations: { name: string; fm: string | undefined; opts: Parameters<typeof validateFieldManager>[1]; message?: string }[] = [
  { name: 'apply without fieldManager', fm: undefined, opts: { kind: 'PatchOptions', apply: true }, message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch' },
  { name: 'apply with one', fm: 'kubectl', opts: { kind: 'PatchOptions', apply: true } },
  { name: 'create without one', fm: '', opts: { kind: 'CreateOptions' } },
  { name: 'a control character', fm: 'a\u0001b', opts: { kind: 'UpdateOptions' }, message: 'UpdateOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\\u0001b": invalid character U+0001 (at position 1)' },
];
for (const tc of validations) {
  test(`validateFieldManager: ${tc.name}`, (t) => {
    const err = validateFieldManager(tc.fm, tc.opts);
    if (tc.message === undefined) t.is(err, undefined);
    else {
      t.is(err?.code, 422);
      t.is(err?.message, tc.message);
    }
  });
}

test('validateFieldManager: longer than 128 bytes', (t) => {
  t.regex(validateFieldManager('x'.repeat(129), { kind: 'PatchOptions' })?.message ?? '', /fieldManager: Too long/);
});

const badEntries: { name: string; entries: unknown; message: string }[] = [
  { name: 'bad operation', entries: [{ manager: 'a', operation: 'Patch', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} }], message: 'operation must be `Apply` or `Update`' },
  { name: 'no apiVersion', entries: [{ manager: 'a', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: {} }], message: 'apiVersion must not be empty' },
  { name: 'no fieldsType', entries: [{ manager: 'a', operation: 'Update', apiVersion: 'v1', fieldsV1: {} }], message: 'missing fieldsType in managed fields entry 0' },
  { name: 'another fieldsType', entries: [{ manager: 'a', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV2' }], message: 'invalid fieldsType "FieldsV2" in managed fields entry 0' },
];
for (const tc of badEntries) {
  test(`decodeManagedFields rejects ${tc.name}`, (t) => {
    t.throws(() => decodeManagedFields(tc.entries), { message: tc.message });
  });
}

test('an ordinary update of an object nobody tracked stays untracked (only creates start tracking)', (t) => {
  const untracked = stored(configMap({ a: '1' }));
  const o = update(untracked, { ...untracked, data: { a: '2' } }, 'kubectl-edit');
  t.false('managedFields' in (o.metadata ?? {}));
  t.deepEqual(o.data, { a: '2' });
});
