/**
 * The kubectl commands whose request bodies are captured as fixtures (capture.ts) and checked
 * (wire.test.ts): kubectl 1.33 sends each one as protobuf, kubectl 1.31 as JSON, and our decoding
 * of the first must equal the second.
 */
export interface CaptureCase {
  /** Fixture file stem. */
  name: string;
  /** Commands run first whose bodies are not captured (objects the captured command needs). */
  setup?: ReadonlyArray<readonly string[]>;
  args: readonly string[];
  /** Which recorded POST/PUT of the captured command to keep (default: the first). */
  pick?: (path: string) => boolean;
  /**
   * Paths that legitimately differ between the two runs (server-made uids and times);
   * the test checks they are present in both and compares the rest.
   */
  volatile?: readonly string[];
  /**
   * kubectl 1.31 sends a different object for this command (autoscale: autoscaling/v1 where 1.33
   * sends v2), so its JSON is not the expected decoding; the test states the expectation itself.
   */
  differentObjectIn131?: true;
}

const CSR_MANIFEST = 'csr.yaml';

export const CAPTURE_CASES: readonly CaptureCase[] = [
  { name: 'configmap', args: ['create', 'configmap', 'cm1', '--from-literal=k=v', '--from-literal=greeting=hello world'] },
  { name: 'secret-generic', args: ['create', 'secret', 'generic', 's1', '--from-literal=password=hunter2', '--from-literal=user=admin'] },
  { name: 'secret-tls', args: ['create', 'secret', 'tls', 'tls1', '--cert=tls.crt', '--key=tls.key'] },
  {
    name: 'secret-docker-registry',
    args: ['create', 'secret', 'docker-registry', 'reg1', '--docker-server=registry.example.com', '--docker-username=u', '--docker-password=p', '--docker-email=u@example.com'],
  },
  { name: 'namespace', args: ['create', 'namespace', 'ns1'] },
  { name: 'serviceaccount', args: ['create', 'serviceaccount', 'sa1'] },
  { name: 'deployment', args: ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3', '--port=80'] },
  { name: 'job', args: ['create', 'job', 'j1', '--image=busybox', '--', 'sh', '-c', 'echo hi'] },
  { name: 'cronjob', args: ['create', 'cronjob', 'cj1', '--image=busybox', '--schedule=*/5 * * * *', '--restart=OnFailure', '--', 'date'] },
  { name: 'role', args: ['create', 'role', 'r1', '--verb=get,list,watch', '--resource=pods,services', '--resource-name=a'] },
  { name: 'rolebinding', args: ['create', 'rolebinding', 'rb1', '--role=r1', '--user=bob', '--serviceaccount=default:sa1'] },
  { name: 'clusterrole', args: ['create', 'clusterrole', 'cr1', '--verb=get', '--non-resource-url=/healthz', '--non-resource-url=/metrics'] },
  {
    name: 'clusterrolebinding',
    args: ['create', 'clusterrolebinding', 'crb1', '--clusterrole=view', '--user=alice', '--group=devs', '--serviceaccount=kube-system:default'],
  },
  { name: 'quota', args: ['create', 'quota', 'q1', '--hard=cpu=1,memory=1Gi,pods=10', '--scopes=BestEffort'] },
  { name: 'pdb', args: ['create', 'poddisruptionbudget', 'pdb1', '--selector=app=web', '--min-available=50%'] },
  { name: 'priorityclass', args: ['create', 'priorityclass', 'pc1', '--value=1000', '--description=high', '--preemption-policy=Never'] },
  { name: 'service-clusterip', args: ['create', 'service', 'clusterip', 'cip1', '--tcp=5678:8080', '--tcp=443'] },
  { name: 'service-nodeport', args: ['create', 'service', 'nodeport', 'np1', '--tcp=80:8080', '--node-port=30080'] },
  { name: 'service-loadbalancer', args: ['create', 'service', 'loadbalancer', 'lb1', '--tcp=80:8080'] },
  { name: 'service-externalname', args: ['create', 'service', 'externalname', 'ext1', '--external-name=example.com'] },
  {
    name: 'ingress',
    args: ['create', 'ingress', 'ing1', '--class=nginx', '--rule=foo.com/bar*=svc1:8080,tls=my-cert', '--rule=/exact=svc2:http', '--default-backend=defsvc:80'],
  },
  { name: 'token', setup: [['create', 'serviceaccount', 'sa2']], args: ['create', 'token', 'sa2', '--audience=api', '--duration=1h'] },
  { name: 'can-i', args: ['auth', 'can-i', 'list', 'pods', '--namespace=kube-system'] },
  { name: 'whoami', args: ['auth', 'whoami'] },
  {
    name: 'autoscale-v2',
    setup: [['create', 'deployment', 'hpa-target', '--image=nginx']],
    args: ['autoscale', 'deployment', 'hpa-target', '--min=2', '--max=5', '--cpu-percent=80'],
    differentObjectIn131: true,
  },
  {
    name: 'certificate-approve',
    setup: [['create', '-f', CSR_MANIFEST, '--validate=false']],
    args: ['certificate', 'approve', 'csr1'],
    pick: (path) => path.endsWith('/approval'),
    volatile: [
      'metadata.uid',
      'metadata.resourceVersion',
      'metadata.creationTimestamp',
      'status.conditions.0.lastUpdateTime',
    ],
  },
];
