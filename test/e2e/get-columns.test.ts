// `kubectl get` columns for every kind of resource, printed by the REAL
// kubectl 1.27 and 1.33 from the server's meta.k8s.io Tables: objects are
// created with `kubectl create -f -` (status written through the status
// subresource where a row needs it), then the header line and a row of
// `kubectl get <res>` and `-o wide` are checked.
import test, { type ExecutionContext } from 'ava';
import { startApiServer } from '../harness/apiserver.js';
import { makeKubectl, type Kubectl, type KubectlVersion } from '../harness/kubectl.js';

const VERSIONS: KubectlVersion[] = ['1.27', '1.33'];

/** A header regex: column names in order, separated by kubectl's 3+ spaces. */
const header = (...names: string[]): RegExp => new RegExp(`^${names.map(esc).join(' {3,}')}\\s*$`);
/** A row regex from cell patterns (already regex source), separated by 3+ spaces. */
const row = (...cells: string[]): RegExp => new RegExp(`^${cells.join(' {3,}')}\\s*$`, 'm');
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const AGE = '\\d+s';
const ago = (ms: number): string => new Date(Date.now() - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function setup(t: ExecutionContext, version: KubectlVersion): Promise<Kubectl> {
  const srv = await startApiServer();
  const k = await makeKubectl(version, srv.url);
  t.teardown(async () => {
    await k.cleanup();
    await srv.stop();
  });
  return k;
}

/** Runs `kubectl get …` and checks the header line and one row. */
async function expectGet(t: ExecutionContext, k: Kubectl, args: string[], head: RegExp, ...rows: RegExp[]): Promise<void> {
  const out = await k.ok(['get', ...args]);
  const first = out.split('\n')[0];
  t.regex(first, head, `kubectl ${k.version} get ${args.join(' ')}: header\n${out}`);
  for (const r of rows) t.regex(out, r, `kubectl ${k.version} get ${args.join(' ')}: row\n${out}`);
}

async function patchStatus(k: Kubectl, resource: string, name: string, status: unknown): Promise<void> {
  await k.ok(['patch', resource, name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

const WORKLOADS = `
apiVersion: v1
kind: Pod
metadata: {name: init-pod}
spec:
  initContainers: [{name: init, image: busybox}]
  containers: [{name: app, image: nginx:1.27}]
---
apiVersion: v1
kind: Pod
metadata: {name: crash-pod}
spec:
  nodeName: node-a
  containers: [{name: app, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata: {name: done-pod}
spec:
  restartPolicy: Never
  containers: [{name: app, image: busybox}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: "nginx:1.27"}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 3
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: postgres, image: "postgres:16"}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers: [{name: agent, image: agent}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: pi, image: perl}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: hello}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: hello, image: busybox}]
---
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 5
  targetCPUUtilizationPercentage: 50
---
apiVersion: v1
kind: ReplicationController
metadata: {name: mysql}
spec:
  replicas: 1
  selector: {app: mysql}
  template:
    metadata: {labels: {app: mysql}}
    spec: {containers: [{name: mysql, image: mysql}]}
`;

const CLUSTER = `
apiVersion: v1
kind: Node
metadata:
  name: node-a
  labels: {node-role.kubernetes.io/control-plane: ""}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, nodePort: 30080}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: "1", b: "2"}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {user: admin}
---
apiVersion: v1
kind: Event
metadata: {name: crash-pod.1}
involvedObject: {kind: Pod, name: crash-pod, namespace: default}
reason: BackOff
message: Back-off restarting failed container
type: Warning
source: {component: kubelet, host: node-a}
firstTimestamp: "${ago(10 * 60_000)}"
lastTimestamp: "${ago(30_000)}"
count: 4
---
apiVersion: v1
kind: LimitRange
metadata: {name: limits}
spec:
  limits: [{type: Container, default: {cpu: 500m}}]
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: quota}
spec:
  hard: {pods: "10"}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: standard
  hostPath: {path: /tmp/pv1}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: standard
  resources: {requests: {storage: 1Gi}}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: rancher.io/local-path
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  ingressClassName: nginx
  tls: [{hosts: [a.example.com]}]
  rules:
  - host: a.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-only}
spec:
  podSelector: {matchLabels: {role: db}}
  policyTypes: [Ingress]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-pods}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
- {kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}
- {kind: ServiceAccount, name: builder, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-reader}
rules: [{apiGroups: [""], resources: [nodes], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: read-nodes}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-reader}
subjects: [{kind: Group, name: "system:nodes", apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: leader}
spec: {holderIdentity: node-a_1234, leaseDurationSeconds: 15}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-abc
  labels: {kubernetes.io/service-name: web}
addressType: IPv4
ports: [{name: http, port: 80, protocol: TCP}]
endpoints: [{addresses: [10.1.0.5]}, {addresses: [10.1.0.6]}]
---
apiVersion: v1
kind: PodTemplate
metadata: {name: tpl}
template:
  metadata: {labels: {app: tpl}}
  spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: apps/v1
kind: ControllerRevision
metadata: {name: db-rev1}
revision: 1
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder}
`;

for (const version of VERSIONS) {
  test(`kubectl ${version}: get pods shows READY, STATUS (Init:0/1, CrashLoopBackOff, Completed), RESTARTS (… ago) and -o wide`, async (t) => {
    const k = await setup(t, version);
    await k.ok(['create', '-f', '-'], { input: WORKLOADS });
    const POD = header('NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE');
    await expectGet(t, k, ['pods'], POD, row('init-pod', '0/1', 'Pending', '0', AGE));

    await patchStatus(k, 'pod', 'init-pod', {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'init', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { running: { startedAt: ago(1000) } } }],
      containerStatuses: [{ name: 'app', image: 'nginx:1.27', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
    });
    await patchStatus(k, 'pod', 'crash-pod', {
      phase: 'Running',
      podIP: '10.1.0.7',
      podIPs: [{ ip: '10.1.0.7' }],
      containerStatuses: [
        { name: 'app', image: 'busybox', imageID: '', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: ago(6 * 60_000), finishedAt: ago(5 * 60_000 + 10_000) } } },
      ],
    });
    await patchStatus(k, 'pod', 'done-pod', {
      phase: 'Succeeded',
      containerStatuses: [{ name: 'app', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: ago(20_000), finishedAt: ago(10_000) } } }],
    });

    await expectGet(
      t,
      k,
      ['pods'],
      POD,
      row('init-pod', '0/1', 'Init:0/1', '0', AGE),
      row('crash-pod', '0/1', 'CrashLoopBackOff', '5 \\(5m\\d+s ago\\)', AGE),
      row('done-pod', '0/1', 'Completed', '0', AGE),
    );
    await expectGet(
      t,
      k,
      ['pods', '-o', 'wide'],
      header('NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'),
      row('crash-pod', '0/1', 'CrashLoopBackOff', '5 \\(5m\\d+s ago\\)', AGE, '10\\.1\\.0\\.7', 'node-a', '<none>', '<none>'),
    );
    // All namespaces: NAMESPACE comes from the row's object metadata.
    await expectGet(t, k, ['pods', '-A'], header('NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'), row('default', 'done-pod', '0/1', 'Completed', '0', AGE));
    // A single object asked for by name gets the same columns.
    await expectGet(t, k, ['pod', 'crash-pod'], POD, row('crash-pod', '0/1', 'CrashLoopBackOff', '5 \\(5m\\d+s ago\\)', AGE));
  });

  test(`kubectl ${version}: get workloads (deployments, replicationcontrollers, statefulsets, daemonsets, jobs, cronjobs, hpa) and -o wide`, async (t) => {
    const k = await setup(t, version);
    await k.ok(['create', '-f', '-'], { input: WORKLOADS });
    await expectGet(t, k, ['deployments'], header('NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'), row('web', '\\d/2', '\\d', '\\d', AGE));
    await expectGet(
      t,
      k,
      ['deployments', '-o', 'wide'],
      header('NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'),
      row('web', '\\d/2', '\\d', '\\d', AGE, 'nginx', 'nginx:1\\.27', 'app=web'),
    );
    await expectGet(
      t,
      k,
      ['rc', '-o', 'wide'],
      header('NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'),
      row('mysql', '1', '\\d', '\\d', AGE, 'mysql', 'mysql', 'app=mysql'),
    );
    await expectGet(t, k, ['statefulsets'], header('NAME', 'READY', 'AGE'), row('db', '\\d/3', AGE));
    await expectGet(t, k, ['statefulsets', '-o', 'wide'], header('NAME', 'READY', 'AGE', 'CONTAINERS', 'IMAGES'), row('db', '\\d/3', AGE, 'postgres', 'postgres:16'));
    await expectGet(
      t,
      k,
      ['daemonsets'],
      header('NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'),
      row('agent', '\\d', '\\d', '\\d', '\\d', '\\d', 'kubernetes\\.io/os=linux', AGE),
    );
    await expectGet(t, k, ['jobs'], header('NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'), row('pi', '\\w+', '\\d/1', '(\\S+ {3,})?' + AGE));
    await patchStatus(k, 'job', 'pi', {
      startTime: ago(60_000),
      completionTime: ago(18_000),
      succeeded: 1,
      conditions: [
        { type: 'SuccessCriteriaMet', status: 'True', lastProbeTime: ago(18_000), lastTransitionTime: ago(18_000) },
        { type: 'Complete', status: 'True', lastProbeTime: ago(18_000), lastTransitionTime: ago(18_000) },
      ],
    });
    await expectGet(
      t,
      k,
      ['jobs', '-o', 'wide'],
      header('NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'),
      row('pi', 'Complete', '1/1', '42s', AGE, 'pi', 'perl', 'batch\\.kubernetes\\.io/controller-uid=\\S+'),
    );
    await expectGet(
      t,
      k,
      ['cronjobs'],
      header('NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'),
      row('hello', esc('*/5 * * * *'), '<none>', 'False', '0', '<none>', AGE),
    );
    await expectGet(
      t,
      k,
      ['hpa'],
      header('NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'),
      row('web', 'Deployment/web', 'cpu: <unknown>/50%', '1', '5', '0', AGE),
    );
  });

  test(`kubectl ${version}: get cluster, config, networking, rbac, storage and coordination resources and -o wide`, async (t) => {
    const k = await setup(t, version);
    await k.ok(['create', '-f', '-'], { input: CLUSTER });

    await k.ok(['cordon', 'node-a']);
    await patchStatus(k, 'node', 'node-a', {
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ok', lastHeartbeatTime: ago(0), lastTransitionTime: ago(0) }],
      addresses: [{ type: 'InternalIP', address: '10.0.0.5' }],
      nodeInfo: {
        kubeletVersion: 'v1.33.0',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        kernelVersion: '6.1.0-18-amd64',
        containerRuntimeVersion: 'containerd://1.7.13',
        machineID: '',
        systemUUID: '',
        bootID: '',
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    });
    await expectGet(t, k, ['nodes'], header('NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'), row('node-a', 'Ready,SchedulingDisabled', 'control-plane', AGE, 'v1\\.33\\.0'));
    await expectGet(
      t,
      k,
      ['nodes', '-o', 'wide'],
      header('NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'),
      row('node-a', 'Ready,SchedulingDisabled', 'control-plane', AGE, 'v1\\.33\\.0', '10\\.0\\.0\\.5', '<none>', esc('Debian GNU/Linux 12 (bookworm)'), '6\\.1\\.0-18-amd64', 'containerd://1\\.7\\.13'),
    );
    await expectGet(t, k, ['svc', 'web'], header('NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'), row('web', 'NodePort', '10\\.0\\.0\\.\\d+', '<none>', '80:30080/TCP', AGE));
    await expectGet(t, k, ['svc', '-o', 'wide'], header('NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR'), row('kubernetes', 'ClusterIP', '10\\.0\\.0\\.1', '<none>', '443/TCP', AGE, '<none>'));
    await expectGet(t, k, ['configmaps', 'settings'], header('NAME', 'DATA', 'AGE'), row('settings', '2', AGE));
    await expectGet(t, k, ['secrets', 'creds'], header('NAME', 'TYPE', 'DATA', 'AGE'), row('creds', 'Opaque', '1', AGE));
    await expectGet(t, k, ['events'], header('LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'), row('\\d+s', 'Warning', 'BackOff', 'pod/crash-pod', 'Back-off restarting failed container'));
    await expectGet(
      t,
      k,
      ['events', '-o', 'wide'],
      header('LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME'),
      row('\\d+s', 'Warning', 'BackOff', 'pod/crash-pod', 'kubelet, node-a', 'Back-off restarting failed container', '10m', '4', 'crash-pod\\.1'),
    );
    await expectGet(t, k, ['limitranges'], header('NAME', 'CREATED AT'), row('limits', '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ'));
    await patchStatus(k, 'resourcequota', 'quota', { hard: { pods: '10', 'limits.cpu': '2' }, used: { pods: '3', 'limits.cpu': '500m' } });
    await expectGet(t, k, ['resourcequotas'], header('NAME', 'REQUEST', 'LIMIT', 'AGE'), row('quota', 'pods: 3/10', 'limits\\.cpu: 500m/2', AGE));
    await expectGet(
      t,
      k,
      ['pv'],
      header('NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE'),
      row('pv1', '1Gi', 'RWO', 'Retain', '\\w*', 'standard', '<unset>', AGE),
    );
    await expectGet(t, k, ['pvc'], header('NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'), row('data', '\\w+', 'standard', '<unset>', AGE));
    await expectGet(
      t,
      k,
      ['storageclasses'],
      header('NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'),
      row(esc('standard (default)'), 'rancher\\.io/local-path', 'Delete', 'WaitForFirstConsumer', 'false', AGE),
    );
    await expectGet(t, k, ['ingressclasses'], header('NAME', 'CONTROLLER', 'PARAMETERS', 'AGE'), row('nginx', 'k8s\\.io/ingress-nginx', '<none>', AGE));
    await expectGet(t, k, ['ingresses'], header('NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'), row('web', 'nginx', 'a\\.example\\.com', '80, 443', AGE));
    await expectGet(t, k, ['networkpolicies'], header('NAME', 'POD-SELECTOR', 'AGE'), row('db-only', 'role=db', AGE));
    await expectGet(t, k, ['pdb'], header('NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'), row('web', '1', 'N/A', '0', AGE));
    await expectGet(t, k, ['roles'], header('NAME', 'CREATED AT'), row('reader', '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ'));
    await expectGet(t, k, ['clusterroles', 'node-reader'], header('NAME', 'CREATED AT'), row('node-reader', '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ'));
    await expectGet(t, k, ['rolebindings'], header('NAME', 'ROLE', 'AGE'), row('read-pods', 'Role/reader', AGE));
    await expectGet(
      t,
      k,
      ['rolebindings', '-o', 'wide'],
      header('NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS'),
      row('read-pods', 'Role/reader', AGE, 'alice', 'devs', 'default/builder'),
    );
    await expectGet(
      t,
      k,
      ['clusterrolebindings', 'read-nodes', '-o', 'wide'],
      header('NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS'),
      row('read-nodes', 'ClusterRole/node-reader', AGE, 'system:nodes'),
    );
    await expectGet(t, k, ['leases'], header('NAME', 'HOLDER', 'AGE'), row('leader', 'node-a_1234', AGE));
    await expectGet(t, k, ['endpointslices', 'web-abc'], header('NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'), row('web-abc', 'IPv4', '80', '10\\.1\\.0\\.5,10\\.1\\.0\\.6', AGE));
    await expectGet(t, k, ['podtemplates'], header('NAME', 'CONTAINERS', 'IMAGES', 'POD LABELS'), row('tpl', 'c', 'busybox', 'app=tpl'));
    await expectGet(t, k, ['controllerrevisions'], header('NAME', 'CONTROLLER', 'REVISION', 'AGE'), row('db-rev1', '<none>', '1', AGE));
    await expectGet(t, k, ['namespaces'], header('NAME', 'STATUS', 'AGE'), row('default', 'Active', AGE));
    await expectGet(t, k, ['serviceaccounts', 'builder'], header('NAME', 'SECRETS', 'AGE'), row('builder', '0', AGE));
    await expectGet(t, k, ['componentstatuses'], header('NAME', 'STATUS', 'MESSAGE', 'ERROR'), row('storage', 'Healthy', 'ok'), row('scheduler', 'Unhealthy', 'Get "http://127\\.0\\.0\\.1:\\d+/healthz": .*'));
  });
}
