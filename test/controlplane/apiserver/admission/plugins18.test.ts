/** The rest of kube-apiserver v1.8's admission plugins: table-driven, one test per plugin. */
import test from 'ava';
import { INERT_ADMISSION_PLUGINS, KNOWN_ADMISSION_PLUGINS, newAdmissionChain } from '../../../../controlplane/apiserver/admission/index.js';
import { memoryObjects } from '../../../../controlplane/apiserver/admission/testing/objects.js';
import type { AdmissionAttributes } from '../../../../controlplane/apiserver/admission/types.js';
import type { Obj } from '../../../../controlplane/apiserver/registry/types.js';
import { StatusError } from '../../../../controlplane/machinery/errors.js';

type Rec = Record<string, unknown>;
const admin = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
const ns = (name: string, annotations: Record<string, string> = {}): Obj => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations }, status: { phase: 'Active' } });
const pod = (name: string, spec: Rec = {}, meta: Rec = {}): Obj => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'team', ...meta }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });

function attrs(op: AdmissionAttributes['operation'], resource: string, object: Obj | undefined, extra: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  return { operation: op, group: '', version: 'v1', kind: '', resource, subresource: '', namespace: 'team', name: op === 'CREATE' ? '' : (object?.metadata?.name ?? ''), object, user: admin, dryRun: false, ...extra };
}
const connect = (sub: string, name: string): AdmissionAttributes => attrs('CONNECT', 'pods', undefined, { subresource: sub, name });

async function refusal(p: Promise<unknown>): Promise<StatusError | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
}

const V18_NAMES = [
  'AlwaysAdmit', 'AlwaysDeny', 'AlwaysPullImages', 'DefaultStorageClass', 'DefaultTolerationSeconds', 'DenyEscalatingExec', 'DenyExecOnPrivileged',
  'EventRateLimit', 'GenericAdmissionWebhook', 'ImagePolicyWebhook', 'InitialResources', 'Initializers', 'LimitPodHardAntiAffinityTopology', 'LimitRanger',
  'NamespaceAutoProvision', 'NamespaceExists', 'NamespaceLifecycle', 'NodeRestriction', 'OwnerReferencesPermissionEnforcement', 'PersistentVolumeClaimResize',
  'PersistentVolumeLabel', 'PodNodeSelector', 'PodPreset', 'PodTolerationRestriction', 'Priority', 'ResourceQuota', 'SecurityContextDeny', 'ServiceAccount',
];

test('every v1.8 plugin name is accepted; the inert ones are reported once each with a reason', (t) => {
  for (const n of V18_NAMES) t.true(KNOWN_ADMISSION_PLUGINS.includes(n), n);
  const chain = newAdmissionChain([...V18_NAMES, 'PersistentVolumeLabel'], memoryObjects());
  t.deepEqual(chain.inert.map((x) => x.name).sort(), V18_NAMES.filter((n) => n in INERT_ADMISSION_PLUGINS).sort());
  for (const x of chain.inert) t.true(x.why.length > 10, x.name);
  const recommended = newAdmissionChain('NamespaceLifecycle,LimitRanger,ServiceAccount,PersistentVolumeLabel,DefaultStorageClass,DefaultTolerationSeconds,NodeRestriction,ResourceQuota'.split(','), memoryObjects());
  t.deepEqual(recommended.inert.map((x) => x.name), ['PersistentVolumeLabel']);
  t.is(recommended.plugins.length, 7);
  // only inert names: nothing to run
  t.true(newAdmissionChain(['PodPreset', 'Initializers'], memoryObjects()).empty);
  // A security plugin that cannot act is refused, not silently skipped.
  t.throws(() => newAdmissionChain(['NamespaceLifecycle', 'PodSecurityPolicy'], memoryObjects()), { message: /"PodSecurityPolicy" is not implemented in kubets and would let every pod through unchecked/ });
  // names of Object.prototype are not plugins
  t.throws(() => newAdmissionChain(['toString'], memoryObjects()), { message: /unknown admission plugin "toString"/ });
  t.throws(() => newAdmissionChain(['constructor'], memoryObjects()), { message: /unknown admission plugin "constructor"/ });
});

const NR = 'node.alpha.kubernetes.io/notReady';
const UR = 'node.alpha.kubernetes.io/unreachable';
const tol = (key: string, seconds: number) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });

test('DefaultTolerationSeconds: adds the missing not-ready/unreachable NoExecute tolerations', async (t) => {
  const chain = newAdmissionChain(['DefaultTolerationSeconds'], memoryObjects(), { defaultNotReadyTolerationSeconds: 60, defaultUnreachableTolerationSeconds: 120 });
  const other = { key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' };
  const cases: [string, AdmissionAttributes, unknown][] = [
    ['none', attrs('CREATE', 'pods', pod('p')), [tol(NR, 60), tol(UR, 120)]],
    ['others kept', attrs('CREATE', 'pods', pod('p', { tolerations: [other] })), [other, tol(NR, 60), tol(UR, 120)]],
    ['own not-ready kept', attrs('CREATE', 'pods', pod('p', { tolerations: [tol(NR, 5)] })), [tol(NR, 5), tol(UR, 120)]],
    ['NoSchedule not-ready does not count', attrs('CREATE', 'pods', pod('p', { tolerations: [{ key: NR, operator: 'Exists', effect: 'NoSchedule' }] })), [{ key: NR, operator: 'Exists', effect: 'NoSchedule' }, tol(NR, 60), tol(UR, 120)]],
    ['empty key and effect tolerates everything', attrs('CREATE', 'pods', pod('p', { tolerations: [{ operator: 'Exists' }] })), [{ operator: 'Exists' }]],
    ['update too', attrs('UPDATE', 'pods', pod('p')), [tol(NR, 60), tol(UR, 120)]],
    ['status subresource untouched', attrs('UPDATE', 'pods', pod('p'), { subresource: 'status' }), undefined],
    ['other resources untouched', attrs('CREATE', 'configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, spec: {} }), undefined],
  ];
  for (const [name, a, want] of cases) {
    await chain.admit(a);
    t.deepEqual((a.object!.spec as Rec).tolerations, want, name);
  }
  const dflt = newAdmissionChain(['DefaultTolerationSeconds'], memoryObjects());
  const a = attrs('CREATE', 'pods', pod('p'));
  await dflt.admit(a);
  t.deepEqual((a.object!.spec as Rec).tolerations, [tol(NR, 300), tol(UR, 300)]);
});

test('SecurityContextDeny: the v1.8 fields and messages', async (t) => {
  const chain = newAdmissionChain(['SecurityContextDeny'], memoryObjects());
  const c = (sc: Rec) => [{ name: 'c', image: 'busybox', securityContext: sc }];
  const cases: [string, Rec, string | undefined][] = [
    ['nothing set', {}, undefined],
    ['privileged and capabilities are fine', { containers: c({ privileged: true, capabilities: { add: ['NET_ADMIN'] } }) }, undefined],
    ['pod runAsNonRoot is fine', { securityContext: { runAsNonRoot: true } }, undefined],
    ['pod supplementalGroups', { securityContext: { supplementalGroups: [1] } }, 'SecurityContext.SupplementalGroups is forbidden'],
    ['pod seLinuxOptions', { securityContext: { seLinuxOptions: { level: 's0' } } }, 'pod.Spec.SecurityContext.SELinuxOptions is forbidden'],
    ['pod runAsUser', { securityContext: { runAsUser: 1000 } }, 'pod.Spec.SecurityContext.RunAsUser is forbidden'],
    ['pod runAsUser 0', { securityContext: { runAsUser: 0 } }, 'pod.Spec.SecurityContext.RunAsUser is forbidden'],
    ['pod fsGroup', { securityContext: { fsGroup: 2000 } }, 'SecurityContext.FSGroup is forbidden'],
    ['container seLinuxOptions', { containers: c({ seLinuxOptions: { user: 'u' } }) }, 'SecurityContext.SELinuxOptions is forbidden'],
    ['container runAsUser', { containers: c({ runAsUser: 1 }) }, 'SecurityContext.RunAsUser is forbidden'],
    ['init container runAsUser', { initContainers: c({ runAsUser: 1 }) }, 'SecurityContext.RunAsUser is forbidden'],
  ];
  for (const [name, spec, why] of cases) {
    const e = await refusal(chain.admit(attrs('CREATE', 'pods', pod('p', spec))));
    t.is(e?.message, why && `pods "p" is forbidden: ${why}`, name);
    if (why) t.is(e?.code, 403, name);
    const u = await refusal(chain.admit(attrs('UPDATE', 'pods', pod('p', spec))));
    t.is(u?.message, why && `pods "p" is forbidden: ${why}`, `${name} (update)`);
  }
  t.is(await refusal(chain.admit(attrs('UPDATE', 'pods', pod('p', { securityContext: { runAsUser: 1 } }), { subresource: 'status' }))), undefined);
  t.is(await refusal(chain.admit(attrs('DELETE', 'pods', undefined, { name: 'p', oldObject: pod('p', { securityContext: { runAsUser: 1 } }) }))), undefined);
});

test('DenyEscalatingExec and DenyExecOnPrivileged: CONNECT on exec/attach', async (t) => {
  const priv = [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }];
  const objects = memoryObjects([
    pod('plain'),
    pod('priv', { containers: priv }),
    pod('privinit', { initContainers: priv }),
    pod('hostpid', { hostPID: true }),
    pod('hostipc', { hostIPC: true }),
    pod('hostnet', { hostNetwork: true }),
  ]);
  const escalating = newAdmissionChain(['DenyEscalatingExec'], objects);
  const onPrivileged = newAdmissionChain(['DenyExecOnPrivileged'], objects);
  const PRIV = 'cannot exec into or attach to a privileged container';
  const cases: [string, string, string | undefined, string | undefined][] = [
    // pod, subresource, DenyEscalatingExec's refusal, DenyExecOnPrivileged's
    ['plain', 'exec', undefined, undefined],
    ['priv', 'exec', PRIV, PRIV],
    ['priv', 'attach', PRIV, PRIV],
    ['privinit', 'exec', PRIV, PRIV],
    ['hostpid', 'exec', 'cannot exec into or attach to a container using host pid', undefined],
    ['hostipc', 'attach', 'cannot exec into or attach to a container using host ipc', undefined],
    ['hostnet', 'exec', undefined, undefined],
    ['priv', 'portforward', undefined, undefined],
    ['priv', 'log', undefined, undefined],
  ];
  for (const [name, sub, esc, onp] of cases) {
    const e1 = await refusal(escalating.admit(connect(sub, name)));
    t.is(e1?.message, esc && `pods "${name}" is forbidden: ${esc}`, `DenyEscalatingExec ${name}/${sub}`);
    if (esc) t.is(e1?.code, 403);
    const e2 = await refusal(onPrivileged.admit(connect(sub, name)));
    t.is(e2?.message, onp && `pods "${name}" is forbidden: ${onp}`, `DenyExecOnPrivileged ${name}/${sub}`);
  }
  t.is((await refusal(escalating.admit(connect('exec', 'gone'))))?.message, 'pods "gone" is forbidden: pods "gone" not found');
  // writes are not theirs to judge
  t.is(await refusal(escalating.admit(attrs('CREATE', 'pods', pod('x', { containers: priv, hostPID: true })))), undefined);
});

test('CONNECT reaches only the plugins that handle it', async (t) => {
  const objects = memoryObjects([ns('team'), pod('p')]);
  const writeOnly = newAdmissionChain(['NamespaceLifecycle', 'NamespaceExists', 'LimitRanger', 'ServiceAccount', 'NodeRestriction', 'ResourceQuota', 'SecurityContextDeny', 'DefaultTolerationSeconds'], objects);
  const node = { name: 'system:node:n1', groups: ['system:nodes'] };
  t.is(await refusal(writeOnly.admit({ ...connect('exec', 'p'), namespace: 'nope', user: node })), undefined);
  const deny = await refusal(newAdmissionChain(['AlwaysDeny'], objects).admit(connect('exec', 'p')));
  t.is(deny?.message, 'pods "p" is forbidden: admission control is denying all modifications');
});

test('PodNodeSelector: the namespace selector is merged; conflicts are refused', async (t) => {
  const objects = memoryObjects([ns('team', { 'scheduler.alpha.kubernetes.io/node-selector': 'env=prod, zone=a' }), ns('free'), ns('bad', { 'scheduler.alpha.kubernetes.io/node-selector': 'oops' })]);
  const chain = newAdmissionChain(['PodNodeSelector'], objects);
  const cases: [string, AdmissionAttributes, unknown, string?][] = [
    ['merged', attrs('CREATE', 'pods', pod('p')), { env: 'prod', zone: 'a' }],
    ['own labels kept', attrs('CREATE', 'pods', pod('p', { nodeSelector: { disk: 'ssd', env: 'prod' } })), { disk: 'ssd', env: 'prod', zone: 'a' }],
    ['conflict', attrs('CREATE', 'pods', pod('p', { nodeSelector: { env: 'dev' } })), undefined, 'pods "p" is forbidden: pod node label selector conflicts with its namespace node label selector'],
    ['no annotation', attrs('CREATE', 'pods', pod('p', {}, { namespace: 'free' }), { namespace: 'free' }), undefined],
    ['bad annotation', attrs('CREATE', 'pods', pod('p', {}, { namespace: 'bad' }), { namespace: 'bad' }), undefined, 'pods "p" is forbidden: namespace bad has a bad scheduler.alpha.kubernetes.io/node-selector annotation: invalid selector term "oops": want key=value'],
  ];
  for (const [name, a, want, err] of cases) {
    const e = await refusal(chain.admit(a));
    t.is(e?.message, err, name);
    if (!err) t.deepEqual((a.object!.spec as Rec).nodeSelector, want, name);
  }
});

test('PodTolerationRestriction: namespace defaults merged, whitelist enforced', async (t) => {
  const dflt = { key: 'team', operator: 'Equal', value: 'a', effect: 'NoSchedule' };
  const objects = memoryObjects([
    ns('team', { 'scheduler.alpha.kubernetes.io/defaultTolerations': JSON.stringify([dflt]), 'scheduler.alpha.kubernetes.io/tolerationsWhitelist': JSON.stringify([{ key: 'team', operator: 'Equal', value: 'a' }, { key: 'gpu', operator: 'Exists' }]) }),
  ]);
  const chain = newAdmissionChain(['PodTolerationRestriction'], objects);
  const gpu = { key: 'gpu', operator: 'Exists', effect: 'NoSchedule' };
  const cases: [string, AdmissionAttributes, unknown, string?][] = [
    ['defaults added', attrs('CREATE', 'pods', pod('p')), [dflt]],
    ['merged with whitelisted own', attrs('CREATE', 'pods', pod('p', { tolerations: [gpu] })), [gpu, dflt]],
    ['same toleration not doubled', attrs('CREATE', 'pods', pod('p', { tolerations: [dflt] })), [dflt]],
    ['conflict with defaults', attrs('CREATE', 'pods', pod('p', { tolerations: [{ ...dflt, value: 'b' }] })), undefined, 'pods "p" is forbidden: namespace tolerations and pod tolerations conflict'],
    ['not whitelisted', attrs('CREATE', 'pods', pod('p', { tolerations: [{ key: 'other', operator: 'Exists' }] })), undefined, 'pods "p" is forbidden: pod tolerations (possibly merged with namespace default tolerations) conflict with its namespace whitelist'],
    ['update: whitelist only', attrs('UPDATE', 'pods', pod('p', { tolerations: [gpu] })), [gpu]],
  ];
  for (const [name, a, want, err] of cases) {
    const e = await refusal(chain.admit(a));
    t.is(e?.message, err, name);
    if (!err) t.deepEqual((a.object!.spec as Rec).tolerations, want, name);
  }
});

test('Priority: from the PriorityClass, the global default, or 0', async (t) => {
  const pc = (name: string, value: number, globalDefault = false): Obj => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, globalDefault } as Obj);
  const withDefault = newAdmissionChain(['Priority'], memoryObjects([pc('high', 1000), pc('normal', 10, true)]));
  const without = newAdmissionChain(['Priority'], memoryObjects([pc('high', 1000)]));
  const cases: [string, typeof without, Obj, number | undefined, string?][] = [
    ['named class', withDefault, pod('p', { priorityClassName: 'high' }), 1000],
    ['global default', withDefault, pod('p'), 10],
    ['no default', without, pod('p'), 0],
    ['system class', without, pod('p', { priorityClassName: 'system-node-critical' }), 2000001000],
    ['unknown class', without, pod('p', { priorityClassName: 'nope' }), undefined, 'pods "p" is forbidden: no PriorityClass with name nope was found'],
    ['integer given', without, pod('p', { priority: 5 }), undefined, 'pods "p" is forbidden: the integer value of priority must not be provided in pod spec. Priority admission controller populates the value from the given PriorityClass name'],
    ['mirror pod untouched', without, pod('p', { priority: 5 }, { annotations: { 'kubernetes.io/config.mirror': 'x' } }), 5],
  ];
  for (const [name, chain, o, want, err] of cases) {
    const a = attrs('CREATE', 'pods', o);
    const e = await refusal(chain.admit(a));
    t.is(e?.message, err, name);
    if (!err) t.is((a.object!.spec as Rec).priority, want, name);
  }
});

test('LimitPodHardAntiAffinityTopology: required anti-affinity only by hostname', async (t) => {
  const chain = newAdmissionChain(['LimitPodHardAntiAffinityTopology'], memoryObjects());
  const aff = (topologyKey: string, hard = true) => ({ affinity: { podAntiAffinity: { [hard ? 'requiredDuringSchedulingIgnoredDuringExecution' : 'preferredDuringSchedulingIgnoredDuringExecution']: [{ topologyKey, labelSelector: {} }] } } });
  const cases: [string, Rec, string | undefined][] = [
    ['hostname', aff('kubernetes.io/hostname'), undefined],
    ['zone, preferred', aff('failure-domain.beta.kubernetes.io/zone', false), undefined],
    ['zone, required', aff('failure-domain.beta.kubernetes.io/zone'), 'pods "p" is forbidden: affinity.PodAntiAffinity.RequiredDuringScheduling has TopologyKey failure-domain.beta.kubernetes.io/zone but only key kubernetes.io/hostname is allowed'],
  ];
  for (const [name, spec, err] of cases) t.is((await refusal(chain.admit(attrs('CREATE', 'pods', pod('p', spec)))))?.message, err, name);
});
