import test from 'ava';
import { applyDefaults, hasDefaulter } from '../../../controlplane/api/defaults.js';
import { defaultPullPolicy, imageTag } from '../../../controlplane/api/core/v1/defaults.js';
import type { Pod, Service, Namespace, Secret, Node, LimitRange, ReplicationController } from '../../../controlplane/api/core/v1/types.js';
import type { DaemonSet, Deployment, StatefulSet } from '../../../controlplane/api/apps/v1/types.js';
import type { CronJob, Job } from '../../../controlplane/api/batch/v1/types.js';
import type { HorizontalPodAutoscaler } from '../../../controlplane/api/autoscaling/v1/types.js';
import type { NetworkPolicy } from '../../../controlplane/api/networking/v1/types.js';
import type { RoleBinding } from '../../../controlplane/api/rbac/v1/types.js';

const core = (kind: string) => ({ group: '', version: 'v1', kind });
const g = (group: string, kind: string) => ({ group, version: 'v1', kind });

const pullCases: [string, string, 'Always' | 'IfNotPresent'][] = [
  ['nginx', 'latest', 'Always'],
  ['nginx:latest', 'latest', 'Always'],
  ['nginx:1.25', '1.25', 'IfNotPresent'],
  ['localhost:5000/app', 'latest', 'Always'],
  ['localhost:5000/app:v2', 'v2', 'IfNotPresent'],
  ['busybox@sha256:abcd', '', 'IfNotPresent'],
  ['busybox:1.36@sha256:abcd', '1.36', 'IfNotPresent'],
];
for (const [image, tag, policy] of pullCases) {
  test(`image ${image}: tag ${tag || '(none)'} → ${policy}`, (t) => {
    t.is(imageTag(image), tag);
    t.is(defaultPullPolicy(image), policy);
  });
}

test('pod defaults', (t) => {
  const pod: Pod = {
    metadata: { name: 'p' },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'nginx',
          ports: [{ containerPort: 80 }],
          resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } },
          livenessProbe: { httpGet: { port: 80 } },
          env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        },
      ],
      volumes: [{ name: 'v' }, { name: 'cm', configMap: { name: 'x' } }],
    },
  };
  applyDefaults(core('Pod'), pod);
  const s = pod.spec!;
  t.is(s.restartPolicy, 'Always');
  t.is(s.dnsPolicy, 'ClusterFirst');
  t.is(s.schedulerName, 'default-scheduler');
  t.is(s.terminationGracePeriodSeconds, 30);
  t.deepEqual(s.securityContext, {});
  t.is(s.enableServiceLinks, true);
  t.is(s.priority, 0);
  t.is(s.preemptionPolicy, 'PreemptLowerPriority');
  const c = s.containers[0];
  t.is(c.imagePullPolicy, 'Always');
  t.is(c.terminationMessagePath, '/dev/termination-log');
  t.is(c.terminationMessagePolicy, 'File');
  t.is(c.ports![0].protocol, 'TCP');
  t.deepEqual(c.resources!.requests, { cpu: '500m', memory: '1Gi' });
  t.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  t.is(c.env![0].valueFrom!.fieldRef!.apiVersion, 'v1');
  t.deepEqual(s.volumes![0].emptyDir, {});
  t.is(s.volumes![1].configMap!.defaultMode, 420);
});

test('pod defaults keep user values and hostNetwork copies ports', (t) => {
  const pod: Pod = {
    metadata: { name: 'p' },
    spec: { hostNetwork: true, restartPolicy: 'Never', terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'x:1', imagePullPolicy: 'Never', ports: [{ containerPort: 8080, protocol: 'UDP' }] }] },
  };
  applyDefaults(core('Pod'), pod);
  t.is(pod.spec!.restartPolicy, 'Never');
  t.is(pod.spec!.terminationGracePeriodSeconds, 0);
  t.is(pod.spec!.containers[0].imagePullPolicy, 'Never');
  t.deepEqual(pod.spec!.containers[0].ports, [{ containerPort: 8080, protocol: 'UDP', hostPort: 8080 }]);
});

test('service defaults', (t) => {
  const svc: Service = { metadata: { name: 's' }, spec: { selector: { a: 'b' }, ports: [{ port: 80 }, { port: 53, targetPort: 'dns', protocol: 'UDP' }] } };
  applyDefaults(core('Service'), svc);
  t.like(svc.spec, { type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'] });
  t.deepEqual(svc.spec!.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 53, targetPort: 'dns', protocol: 'UDP' }]);
  t.is(svc.spec!.externalTrafficPolicy, undefined);

  const lb: Service = { metadata: { name: 'l' }, spec: { type: 'LoadBalancer', sessionAffinity: 'ClientIP', ports: [{ port: 1 }] } };
  applyDefaults(core('Service'), lb);
  t.like(lb.spec, { externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true, sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } });

  const en: Service = { metadata: { name: 'e' }, spec: { type: 'ExternalName', externalName: 'example.com' } };
  applyDefaults(core('Service'), en);
  t.is(en.spec!.ipFamilyPolicy, undefined);
  t.is(en.spec!.internalTrafficPolicy, undefined);
});

test('namespace, secret, node, limitrange, rc defaults', (t) => {
  const ns: Namespace = { metadata: { name: 'team' } };
  applyDefaults(core('Namespace'), ns);
  t.is(ns.status!.phase, 'Active');
  t.is(ns.metadata.labels!['kubernetes.io/metadata.name'], 'team');

  const sec: Secret = { metadata: { name: 's' } };
  applyDefaults(core('Secret'), sec);
  t.is(sec.type, 'Opaque');

  const node: Node = { metadata: { name: 'n' }, status: { capacity: { cpu: '4' } } };
  applyDefaults(core('Node'), node);
  t.deepEqual(node.status!.allocatable, { cpu: '4' });

  const lr: LimitRange = { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '1Mi' } }] } };
  applyDefaults(core('LimitRange'), lr);
  t.deepEqual(lr.spec!.limits[0].default, { cpu: '2' });
  t.deepEqual(lr.spec!.limits[0].defaultRequest, { cpu: '2', memory: '1Mi' });

  const rc: ReplicationController = { metadata: { name: 'r' }, spec: { template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } };
  applyDefaults(core('ReplicationController'), rc);
  t.deepEqual(rc.spec!.selector, { app: 'a' });
  t.deepEqual(rc.metadata.labels, { app: 'a' });
  t.is(rc.spec!.replicas, 1);
  t.is(rc.spec!.template!.spec!.restartPolicy, 'Always');
});

const tmpl = () => ({ metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } });

test('deployment defaults (template gets PodSpec defaults but not pod-only ones)', (t) => {
  const d: Deployment = { metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'a' } }, template: tmpl() } };
  applyDefaults(g('apps', 'Deployment'), d);
  t.like(d.spec, { replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } } });
  t.is(d.spec!.template.spec!.dnsPolicy, 'ClusterFirst');
  t.is(d.spec!.template.spec!.containers[0].imagePullPolicy, 'IfNotPresent');
  t.is(d.spec!.template.spec!.enableServiceLinks, undefined);

  const r: Deployment = { metadata: { name: 'd' }, spec: { selector: {}, template: tmpl(), strategy: { type: 'Recreate' } } };
  applyDefaults(g('apps', 'Deployment'), r);
  t.deepEqual(r.spec!.strategy, { type: 'Recreate' });
});

test('statefulset and daemonset defaults', (t) => {
  const s: StatefulSet = { metadata: { name: 's' }, spec: { selector: {}, template: tmpl(), volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }] } };
  applyDefaults(g('apps', 'StatefulSet'), s);
  t.like(s.spec, { replicas: 1, podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } });
  t.deepEqual(s.spec!.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  t.is(s.spec!.volumeClaimTemplates![0].spec!.volumeMode, 'Filesystem');
  t.is(s.spec!.volumeClaimTemplates![0].status!.phase, 'Pending');

  const ds: DaemonSet = { metadata: { name: 'd' }, spec: { selector: {}, template: tmpl() } };
  applyDefaults(g('apps', 'DaemonSet'), ds);
  t.deepEqual(ds.spec!.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  t.is(ds.spec!.revisionHistoryLimit, 10);
});

test('job and cronjob defaults', (t) => {
  const j: Job = { metadata: { name: 'j' }, spec: { template: tmpl() } };
  applyDefaults(g('batch', 'Job'), j);
  t.like(j.spec, { completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed' });

  const j2: Job = { metadata: { name: 'j' }, spec: { completions: 5, template: tmpl() } };
  applyDefaults(g('batch', 'Job'), j2);
  t.is(j2.spec!.parallelism, 1);
  t.is(j2.spec!.completions, 5);

  const j3: Job = { metadata: { name: 'j' }, spec: { parallelism: 3, template: tmpl() } };
  applyDefaults(g('batch', 'Job'), j3);
  t.is(j3.spec!.completions, undefined);

  const cj: CronJob = { metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: tmpl() } } } };
  applyDefaults(g('batch', 'CronJob'), cj);
  t.like(cj.spec, { concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
  t.is(cj.spec!.jobTemplate.spec!.backoffLimit, undefined);
  t.is(cj.spec!.jobTemplate.spec!.template.spec!.restartPolicy, 'Always');
});

test('hpa, netpol, rbac defaults', (t) => {
  const hpa: HorizontalPodAutoscaler = { metadata: { name: 'h' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'd' }, maxReplicas: 3 } };
  applyDefaults({ group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler' }, hpa);
  t.is(hpa.spec!.minReplicas, 1);

  const np: NetworkPolicy = { metadata: { name: 'n' }, spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } };
  applyDefaults(g('networking.k8s.io', 'NetworkPolicy'), np);
  t.deepEqual(np.spec!.policyTypes, ['Ingress', 'Egress']);
  t.is(np.spec!.egress![0].ports![0].protocol, 'TCP');

  const rb: RoleBinding = { metadata: { name: 'r' }, roleRef: { apiGroup: '', kind: 'Role', name: 'x' }, subjects: [{ kind: 'User', name: 'u' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'd' }] };
  applyDefaults(g('rbac.authorization.k8s.io', 'RoleBinding'), rb);
  t.is(rb.roleRef.apiGroup, 'rbac.authorization.k8s.io');
  t.is(rb.subjects![0].apiGroup, 'rbac.authorization.k8s.io');
  t.is(rb.subjects![1].apiGroup, undefined);
});

test('unknown kinds and malformed objects are tolerated', (t) => {
  t.false(hasDefaulter(core('Binding')));
  t.notThrows(() => applyDefaults(core('Pod'), { metadata: {} }));
  t.notThrows(() => applyDefaults(g('apps', 'Deployment'), { metadata: {}, spec: {} }));
  t.notThrows(() => applyDefaults(core('Pod'), null));
});
