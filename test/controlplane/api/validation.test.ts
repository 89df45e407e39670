import test from 'ava';
import { formatFieldError } from '../../../controlplane/machinery/errors.js';
import { applyDefaults } from '../../../controlplane/api/defaults.js';
import { validate } from '../../../controlplane/api/validation.js';
import { parseCron } from '../../../controlplane/api/batch/v1/cron.js';
import type { GroupVersionKind } from '../../../controlplane/api/scheme.js';

type Obj = Record<string, unknown>;
const gvk = (apiVersion: string, kind: string): GroupVersionKind => {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion, kind } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1), kind };
};
const clone = <T>(o: T): T => structuredClone(o);
/** Returns a copy of base with `mutate` applied, defaulted as the apiserver would. */
function variant(g: GroupVersionKind, base: Obj, mutate: (o: any) => void): Obj {
  const o = clone(base);
  applyDefaults(g, o);
  mutate(o);
  return o;
}
function errorsOf(g: GroupVersionKind, o: Obj, old?: Obj): string[] {
  return validate(g, o, old).map(formatFieldError);
}

/** `null` namespace = cluster-scoped. */
const meta = (name: string, namespace: string | null = 'default') => (namespace ? { name, namespace } : { name });
const podSpec = () => ({ containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] });
const template = () => ({ metadata: { labels: { app: 'web' } }, spec: podSpec() });

const valid: [string, GroupVersionKind, Obj][] = [
  ['pod', gvk('v1', 'Pod'), { metadata: meta('web'), spec: podSpec() }],
  [
    'pod with volumes, probes, env, affinity',
    gvk('v1', 'Pod'),
    {
      metadata: meta('full'),
      spec: {
        volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c' } }],
        initContainers: [{ name: 'init', image: 'busybox', command: ['true'] }],
        containers: [
          {
            name: 'app',
            image: 'registry:5000/app:v1',
            env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'X', value: '1' }],
            volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'cfg', mountPath: '/etc/cfg', readOnly: true }],
            resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
            livenessProbe: { httpGet: { port: 8080, path: '/healthz' } },
            readinessProbe: { tcpSocket: { port: 'http' } },
            ports: [{ name: 'http', containerPort: 8080 }],
          },
        ],
        tolerations: [{ key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' }],
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] }] } } },
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' }],
      },
    },
  ],
  ['service', gvk('v1', 'Service'), { metadata: meta('web'), spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } }],
  ['headless service', gvk('v1', 'Service'), { metadata: meta('db'), spec: { clusterIP: 'None', selector: { app: 'db' } } }],
  ['nodeport service', gvk('v1', 'Service'), { metadata: meta('np'), spec: { type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: 30080 }, { name: 'b', port: 81 }] } }],
  ['externalname service', gvk('v1', 'Service'), { metadata: meta('ext'), spec: { type: 'ExternalName', externalName: 'example.com.' } }],
  ['namespace', gvk('v1', 'Namespace'), { metadata: meta('team-a', null) }],
  ['node', gvk('v1', 'Node'), { metadata: meta('node-1.example', null), spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'], taints: [{ key: 'k', effect: 'NoSchedule' }] } }],
  ['configmap', gvk('v1', 'ConfigMap'), { metadata: meta('cfg'), data: { 'app.properties': 'a=b', KEY_1: 'x' } }],
  ['secret', gvk('v1', 'Secret'), { metadata: meta('s'), data: { password: Buffer.from('pw').toString('base64') } }],
  ['tls secret', gvk('v1', 'Secret'), { metadata: meta('tls'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==', 'tls.key': 'eA==' } }],
  ['endpoints', gvk('v1', 'Endpoints'), { metadata: meta('web'), subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] }],
  ['rc', gvk('v1', 'ReplicationController'), { metadata: meta('rc'), spec: { template: template() } }],
  ['pvc', gvk('v1', 'PersistentVolumeClaim'), { metadata: meta('data'), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  ['pv', gvk('v1', 'PersistentVolume'), { metadata: meta('pv0', null), spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/pv0' } } }],
  ['deployment', gvk('apps/v1', 'Deployment'), { metadata: meta('web'), spec: { selector: { matchLabels: { app: 'web' } }, template: template() } }],
  ['replicaset', gvk('apps/v1', 'ReplicaSet'), { metadata: meta('web'), spec: { selector: { matchLabels: { app: 'web' } }, template: template() } }],
  ['statefulset', gvk('apps/v1', 'StatefulSet'), { metadata: meta('db'), spec: { serviceName: 'db', selector: { matchLabels: { app: 'web' } }, template: template() } }],
  ['daemonset', gvk('apps/v1', 'DaemonSet'), { metadata: meta('agent'), spec: { selector: { matchLabels: { app: 'web' } }, template: template() } }],
  [
    'job',
    gvk('batch/v1', 'Job'),
    { metadata: meta('pi'), spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } }, template: { metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'u' } }, spec: { ...podSpec(), restartPolicy: 'Never' } } } },
  ],
  ['cronjob', gvk('batch/v1', 'CronJob'), { metadata: meta('tick'), spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { ...podSpec(), restartPolicy: 'OnFailure' } } } } } }],
  ['hpa', gvk('autoscaling/v1', 'HorizontalPodAutoscaler'), { metadata: meta('web'), spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5 } }],
  ['ingress', gvk('networking.k8s.io/v1', 'Ingress'), { metadata: meta('web'), spec: { rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } }],
  ['networkpolicy', gvk('networking.k8s.io/v1', 'NetworkPolicy'), { metadata: meta('deny'), spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 80 }] }] } }],
  ['role', gvk('rbac.authorization.k8s.io/v1', 'Role'), { metadata: meta('reader'), rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] }],
  ['clusterrole', gvk('rbac.authorization.k8s.io/v1', 'ClusterRole'), { metadata: meta('system:metrics', null), rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }] }],
  ['rolebinding', gvk('rbac.authorization.k8s.io/v1', 'RoleBinding'), { metadata: meta('rb'), roleRef: { kind: 'Role', name: 'reader' }, subjects: [{ kind: 'User', name: 'jane' }, { kind: 'ServiceAccount', name: 'default', namespace: 'default' }] }],
  ['lease', gvk('coordination.k8s.io/v1', 'Lease'), { metadata: meta('kube-scheduler'), spec: { holderIdentity: 'x', leaseDurationSeconds: 15 } }],
  ['storageclass', gvk('storage.k8s.io/v1', 'StorageClass'), { metadata: meta('standard', null), provisioner: 'kubernetes.io/no-provisioner' }],
  ['endpointslice', gvk('discovery.k8s.io/v1', 'EndpointSlice'), { metadata: meta('web-abc'), addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80 }] }],
  ['pdb', gvk('policy/v1', 'PodDisruptionBudget'), { metadata: meta('web'), spec: { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } } }],
  ['csr', gvk('certificates.k8s.io/v1', 'CertificateSigningRequest'), { metadata: meta('node-csr', null), spec: { request: 'LS0t', signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['client auth'] } }],
  ['selfsubjectaccessreview', gvk('authorization.k8s.io/v1', 'SelfSubjectAccessReview'), { spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } }],
  ['serviceaccount (no dedicated validator)', gvk('v1', 'ServiceAccount'), { metadata: meta('builder') }],
];
for (const [name, g, obj] of valid) {
  test(`valid ${name}`, (t) => {
    const o = clone(obj);
    applyDefaults(g, o);
    t.deepEqual(errorsOf(g, o), []);
  });
}

const POD = gvk('v1', 'Pod');
const basePod: Obj = { metadata: meta('web'), spec: podSpec() };
const SVC = gvk('v1', 'Service');
const baseSvc: Obj = { metadata: meta('web'), spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } };
const DEP = gvk('apps/v1', 'Deployment');
const baseDep: Obj = { metadata: meta('web'), spec: { selector: { matchLabels: { app: 'web' } }, template: template() } };
const JOB = gvk('batch/v1', 'Job');
const baseJob: Obj = { metadata: meta('j'), spec: { selector: { matchLabels: { app: 'web' } }, template: { ...template(), spec: { ...podSpec(), restartPolicy: 'Never' } } } };
const CJ = gvk('batch/v1', 'CronJob');
const baseCj: Obj = { metadata: meta('c'), spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { spec: { ...podSpec(), restartPolicy: 'Never' } } } } } };

// [name, gvk, base, mutation, an expected formatted error]
const invalid: [string, GroupVersionKind, Obj, (o: any) => void, string][] = [
  ['image required', POD, basePod, (o) => delete o.spec.containers[0].image, 'spec.containers[0].image: Required value'],
  ['containers required', POD, basePod, (o) => (o.spec.containers = []), 'spec.containers: Required value'],
  ['container name DNS label', POD, basePod, (o) => (o.spec.containers[0].name = 'Web'), 'spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of'],
  ['duplicate container', POD, basePod, (o) => o.spec.containers.push({ ...o.spec.containers[0] }), 'spec.containers[1].name: Duplicate value: "web"'],
  ['restartPolicy', POD, basePod, (o) => (o.spec.restartPolicy = 'Sometimes'), 'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
  ['dnsPolicy', POD, basePod, (o) => (o.spec.dnsPolicy = 'Foo'), 'spec.dnsPolicy: Unsupported value: "Foo": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'],
  ['containerPort range', POD, basePod, (o) => (o.spec.containers[0].ports[0].containerPort = 70000), 'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'],
  ['env name', POD, basePod, (o) => (o.spec.containers[0].env = [{ name: '1BAD=', value: 'x' }]), 'spec.containers[0].env[0].name: Invalid value: "1BAD="'],
  ['mount unknown volume', POD, basePod, (o) => (o.spec.containers[0].volumeMounts = [{ name: 'nope', mountPath: '/x' }]), 'spec.containers[0].volumeMounts[0].name: Not found: "nope"'],
  ['duplicate volume', POD, basePod, (o) => (o.spec.volumes = [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }]), 'spec.volumes[1].name: Duplicate value: "v"'],
  ['two volume sources', POD, basePod, (o) => (o.spec.volumes = [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }]), 'spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type'],
  [
    'request above limit',
    POD,
    basePod,
    (o) => (o.spec.containers[0].resources = { requests: { cpu: '2' }, limits: { cpu: '1' } }),
    'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
  ],
  ['probe without handler', POD, basePod, (o) => (o.spec.containers[0].livenessProbe = { periodSeconds: 5 }), 'spec.containers[0].livenessProbe: Required value: must specify a handler type'],
  ['liveness successThreshold', POD, basePod, (o) => (o.spec.containers[0].livenessProbe = { exec: { command: ['true'] }, successThreshold: 2 }), 'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'],
  ['toleration Exists with value', POD, basePod, (o) => (o.spec.tolerations = [{ key: 'k', operator: 'Exists', value: 'v' }]), "spec.tolerations[0].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'"],
  ['pod name', POD, basePod, (o) => (o.metadata.name = 'Bad_Name'), 'metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain'],

  ['service ports required', SVC, baseSvc, (o) => (o.spec.ports = []), 'spec.ports: Required value'],
  ['service name is DNS-1035', SVC, baseSvc, (o) => (o.metadata.name = '1web'), 'metadata.name: Invalid value: "1web": a DNS-1035 label must consist of'],
  ['service type', SVC, baseSvc, (o) => (o.spec.type = 'Magic'), 'spec.type: Unsupported value: "Magic"'],
  ['service port name required with 2 ports', SVC, baseSvc, (o) => o.spec.ports.push({ port: 81, protocol: 'TCP', targetPort: 81 }), 'spec.ports[0].name: Required value'],
  ['nodePort on ClusterIP', SVC, baseSvc, (o) => (o.spec.ports[0].nodePort = 30001), "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
  ['bad clusterIP', SVC, baseSvc, (o) => (o.spec.clusterIP = '10.0.0.300'), 'spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address'],
  ['externalName required', SVC, { metadata: meta('e'), spec: { type: 'ExternalName' } }, () => {}, 'spec.externalName: Required value'],
  ['selector labels', SVC, baseSvc, (o) => (o.spec.selector = { app: 'bad value!' }), 'spec.selector: Invalid value: "bad value!"'],

  ['deployment selector required', DEP, baseDep, (o) => delete o.spec.selector, 'spec.selector: Required value'],
  [
    'deployment selector mismatch',
    DEP,
    baseDep,
    (o) => (o.spec.selector = { matchLabels: { app: 'other' } }),
    'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
  ],
  ['deployment negative replicas', DEP, baseDep, (o) => (o.spec.replicas = -1), 'spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
  ['deployment empty selector', DEP, baseDep, (o) => (o.spec.selector = {}), 'spec.selector: Invalid value: {}: empty selector is invalid for deployment'],
  ['deployment restartPolicy', DEP, baseDep, (o) => (o.spec.template.spec.restartPolicy = 'Never'), 'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
  ['deployment maxSurge+maxUnavailable 0', DEP, baseDep, (o) => (o.spec.strategy.rollingUpdate = { maxSurge: 0, maxUnavailable: 0 }), 'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0'],

  ['job restartPolicy', JOB, baseJob, (o) => (o.spec.template.spec.restartPolicy = 'Always'), 'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"'],
  ['cronjob schedule', CJ, baseCj, (o) => (o.spec.schedule = 'every minute'), 'spec.schedule: Invalid value: "every minute": expected exactly 5 fields, found 2: every minute'],
  ['cronjob minute range', CJ, baseCj, (o) => (o.spec.schedule = '61 * * * *'), 'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'],
  ['cronjob name length', CJ, baseCj, (o) => (o.metadata.name = 'a'.repeat(53)), 'metadata.name: Invalid value: "' + 'a'.repeat(53) + '": must be no more than 52 characters'],

  ['configmap key', gvk('v1', 'ConfigMap'), { metadata: meta('c'), data: { 'a b': 'x' } }, () => {}, 'data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters'],
  ['configmap too big', gvk('v1', 'ConfigMap'), { metadata: meta('c'), data: { big: 'x'.repeat(1024 * 1024 + 1) } }, () => {}, ': Too long: must have at most 1048576 bytes'],
  ['secret tls keys', gvk('v1', 'Secret'), { metadata: meta('s'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }, () => {}, 'data[tls.key]: Required value'],
  ['namespace is a DNS label', gvk('v1', 'Namespace'), { metadata: meta('a.b', null) }, () => {}, 'metadata.name: Invalid value: "a.b": must not contain dots'],
  ['node podCIDR', gvk('v1', 'Node'), { metadata: meta('n', null), spec: { podCIDRs: ['10.0.0.0/33'] } }, () => {}, 'spec.podCIDRs[0]: Invalid value: "10.0.0.0/33"'],
  ['endpoints ip', gvk('v1', 'Endpoints'), { metadata: meta('e'), subsets: [{ addresses: [{ ip: 'x' }], ports: [{ port: 1 }] }] }, () => {}, 'subsets[0].addresses[0].ip: Invalid value: "x"'],
  ['rc selector mismatch', gvk('v1', 'ReplicationController'), { metadata: meta('r'), spec: { selector: { app: 'x' }, template: template() } }, () => {}, 'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`'],
  ['lease duration', gvk('coordination.k8s.io/v1', 'Lease'), { metadata: meta('l'), spec: { leaseDurationSeconds: 0 } }, () => {}, 'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0'],
  ['role verbs', gvk('rbac.authorization.k8s.io/v1', 'Role'), { metadata: meta('r'), rules: [{ apiGroups: [''], resources: ['pods'], verbs: [] }] }, () => {}, 'rules[0].verbs: Required value: verbs must contain at least one value'],
  ['role nonResourceURLs', gvk('rbac.authorization.k8s.io/v1', 'Role'), { metadata: meta('r'), rules: [{ nonResourceURLs: ['/x'], verbs: ['get'] }] }, () => {}, 'rules[0].nonResourceURLs: Invalid value: ["/x"]: namespaced rules cannot apply to non-resource URLs'],
  ['role name path segment', gvk('rbac.authorization.k8s.io/v1', 'Role'), { metadata: meta('a/b'), rules: [] }, () => {}, "metadata.name: Invalid value: \"a/b\": may not contain '/'"],
  ['clusterrolebinding to Role', gvk('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'), { metadata: meta('b', null), roleRef: { kind: 'Role', name: 'r' } }, () => {}, 'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"'],
  ['hpa min > max', gvk('autoscaling/v1', 'HorizontalPodAutoscaler'), { metadata: meta('h'), spec: { scaleTargetRef: { kind: 'Deployment', name: 'd' }, minReplicas: 5, maxReplicas: 2 } }, () => {}, 'spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`'],
  ['ingress pathType', gvk('networking.k8s.io/v1', 'Ingress'), { metadata: meta('i'), spec: { rules: [{ http: { paths: [{ path: '/', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } }, () => {}, 'spec.rules[0].http.paths[0].pathType: Required value'],
  ['ingress nothing', gvk('networking.k8s.io/v1', 'Ingress'), { metadata: meta('i'), spec: {} }, () => {}, 'spec: Invalid value: {}: either `defaultBackend` or `rules` must be specified'],
  ['pdb both set', gvk('policy/v1', 'PodDisruptionBudget'), { metadata: meta('p'), spec: { minAvailable: 1, maxUnavailable: 1 } }, () => {}, 'spec: Invalid value: {"minAvailable":1,"maxUnavailable":1}: minAvailable and maxUnavailable cannot be both set'],
  ['SAR neither attrs', gvk('authorization.k8s.io/v1', 'SubjectAccessReview'), { spec: { user: 'u' } }, () => {}, 'spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified'],
];
for (const [name, g, base, mutate, expected] of invalid) {
  test(`invalid: ${name}`, (t) => {
    const o = variant(g, base, mutate);
    const errs = errorsOf(g, o);
    t.true(errs.some((e) => e.startsWith(expected)), `expected "${expected}" in:\n${errs.join('\n')}`);
  });
}

test('validation does not mutate its input', (t) => {
  const o = variant(POD, basePod, (p) => (p.spec.containers[0].image = ''));
  const before = JSON.stringify(o);
  validate(POD, o);
  t.is(JSON.stringify(o), before);
});

test('validation never throws on garbage', (t) => {
  for (const junk of [null, 5, 'x', [], {}, { spec: 'nope' }, { metadata: 3, spec: { containers: 'x' } }]) {
    t.notThrows(() => validate(POD, junk));
    t.notThrows(() => validate(DEP, junk));
    t.notThrows(() => validate(SVC, junk, junk));
  }
});

// Updates -------------------------------------------------------------------

function stored(g: GroupVersionKind, base: Obj): Obj {
  return variant(g, base, (o) => {
    o.metadata.resourceVersion = '5';
    o.metadata.uid = 'u1';
  });
}

test('pod update: image may change', (t) => {
  const old = stored(POD, basePod);
  const neu = clone(old) as any;
  neu.spec.containers[0].image = 'nginx:1.26';
  t.deepEqual(errorsOf(POD, neu, old), []);
});

test('pod update: tolerations may be added, activeDeadlineSeconds tightened', (t) => {
  const old = stored(POD, { ...basePod, spec: { ...podSpec(), activeDeadlineSeconds: 100 } });
  const neu = clone(old) as any;
  neu.spec.tolerations = [{ key: 'k', operator: 'Exists' }];
  neu.spec.activeDeadlineSeconds = 50;
  t.deepEqual(errorsOf(POD, neu, old), []);
  neu.spec.activeDeadlineSeconds = 200;
  t.true(errorsOf(POD, neu, old).includes('spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value'));
});

test('pod update: other fields are forbidden', (t) => {
  const old = stored(POD, basePod);
  const neu = clone(old) as any;
  neu.spec.containers[0].ports[0].containerPort = 81;
  const errs = errorsOf(POD, neu, old);
  t.true(errs.some((e) => e.startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`')), errs.join('\n'));
});

test('pod update: removing a toleration is forbidden', (t) => {
  const old = stored(POD, { ...basePod, spec: { ...podSpec(), tolerations: [{ key: 'k', operator: 'Exists' }] } });
  const neu = clone(old) as any;
  neu.spec.tolerations = [];
  t.true(errorsOf(POD, neu, old).includes('spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds'));
});

test('deployment update: selector is immutable, replicas are not', (t) => {
  const old = stored(DEP, baseDep);
  const scaled = clone(old) as any;
  scaled.spec.replicas = 5;
  t.deepEqual(errorsOf(DEP, scaled, old), []);
  const moved = clone(old) as any;
  moved.spec.selector = { matchLabels: { app: 'web', tier: 'x' } };
  moved.spec.template.metadata.labels.tier = 'x';
  t.true(errorsOf(DEP, moved, old).some((e) => e.startsWith('spec.selector: Invalid value: ') && e.endsWith('field is immutable')));
});

test('service update: clusterIP may not change', (t) => {
  const old = stored(SVC, { ...baseSvc, spec: { ...(baseSvc.spec as Obj), clusterIP: '10.96.0.10' } });
  const neu = clone(old) as any;
  neu.spec.clusterIP = '10.96.0.11';
  t.true(errorsOf(SVC, neu, old).some((e) => e.startsWith('spec.clusterIPs[0]: Invalid value: ["10.96.0.11"]: may not change once set')));
});

test('secret update: immutable secret data may not change', (t) => {
  const g = gvk('v1', 'Secret');
  const old = stored(g, { metadata: meta('s'), immutable: true, data: { a: 'eA==' } });
  const neu = clone(old) as any;
  neu.data.a = 'eQ==';
  t.true(errorsOf(g, neu, old).includes('data: Forbidden: field is immutable when `immutable` is set'));
});

test('rolebinding update: roleRef is fixed', (t) => {
  const g = gvk('rbac.authorization.k8s.io/v1', 'RoleBinding');
  const old = stored(g, { metadata: meta('rb'), roleRef: { kind: 'Role', name: 'a' } });
  const neu = clone(old) as any;
  neu.roleRef.name = 'b';
  t.true(errorsOf(g, neu, old).some((e) => e.startsWith('roleRef: Invalid value:') && e.endsWith('cannot change roleRef')));
});

test('update without resourceVersion is rejected via machinery', (t) => {
  const old = stored(gvk('v1', 'ConfigMap'), { metadata: meta('c') });
  const neu = clone(old) as any;
  delete neu.metadata.resourceVersion;
  t.true(errorsOf(gvk('v1', 'ConfigMap'), neu, old).some((e) => e.startsWith('metadata.resourceVersion: Invalid value')));
});

// Cron ----------------------------------------------------------------------

const cronOk = ['* * * * *', '*/15 0-6 1,15 JAN-MAR mon-fri', '0 0 * * 0', '@hourly', '@daily', '@every 1h30m', '5 4 ? * SUN', '0 0 L * *'.replace('L', '1')];
for (const s of cronOk) test(`cron accepts ${s}`, (t) => t.notThrows(() => parseCron(s)));
const cronBad: [string, string][] = [
  ['', 'empty spec string'],
  ['* * * *', 'expected exactly 5 fields, found 4: * * * *'],
  ['* 24 * * *', 'end of range (24) above maximum (23): 24'],
  ['0 0 0 * *', 'beginning of range (0) below minimum (1): 0'],
  ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
  ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
  ['*/0 * * * *', 'step of range should be a positive number: */0'],
  ['x * * * *', 'failed to parse int from x'],
];
for (const [s, msg] of cronBad) {
  test(`cron rejects ${JSON.stringify(s)}`, (t) => {
    const e = t.throws(() => parseCron(s));
    t.true(e?.message.startsWith(msg), e?.message);
  });
}

test('cron fields expand', (t) => {
  const c = parseCron('*/20 1-3 * JAN,dec SUN');
  t.deepEqual([...c.minutes], [0, 20, 40]);
  t.deepEqual([...c.hours], [1, 2, 3]);
  t.deepEqual([...c.months], [1, 12]);
  t.deepEqual([...c.daysOfWeek], [0]);
});
