/** -kube-subnet-mgr's pure parts: annotation names, diffing, leases from nodes. */
import test from 'ava';
import { flannelCommand } from '../../../agent/flannel/options.js';
import { FlannelConfigError, flannelConfigFromFlags } from '../../../agent/flannel/run.js';
import { kubeRestConfig } from '../../../agent/flannel/subnet/kube/manager.js';
import { commandTable, parseArgs } from '../../../controlplane/machinery/flags/index.js';
import { createLogger, defaultLogOptions } from '../../../controlplane/machinery/log/index.js';
import { formatIp4Net, parseIp4Net } from '../../../agent/flannel/lease/ip4.js';
import {
  annotationNames,
  annotationPatch,
  desiredAnnotations,
  leaseFromNode,
  nodePodCIDR,
  previousAttrsFromNode,
  publicIPOverwrite,
  withinNetwork,
  type NodeLike,
} from '../../../agent/flannel/subnet/kube/annotations.js';

const N = annotationNames('flannel.alpha.coreos.com');
const P = 'flannel.alpha.coreos.com/';

test('annotation names: a prefix without "/" gets one; one "/" is kept; two are refused', (t) => {
  t.is(N.backendData, `${P}backend-data`);
  t.is(N.subnetKubeManaged, `${P}kube-subnet-manager`);
  t.is(annotationNames('example.com/flannel-').publicIP, 'example.com/flannel-public-ip');
  t.throws(() => annotationNames('a/b/c'), { message: /at most one "\/"/ });
  t.throws(() => annotationNames('Not_A_Domain'), { message: /DNS subdomain/ });
});

const vx = { publicIP: '192.168.1.1', backendType: 'vxlan', backendData: { VNI: 1, VtepMAC: 'aa:bb:cc:dd:ee:ff' } };
const want = desiredAnnotations(N, vx, 'vxlan');

test('desired annotations', (t) => {
  t.deepEqual(want, {
    [`${P}kube-subnet-manager`]: 'true',
    [`${P}backend-type`]: 'vxlan',
    [`${P}backend-data`]: '{"VNI":1,"VtepMAC":"aa:bb:cc:dd:ee:ff"}',
    [`${P}public-ip`]: '192.168.1.1',
  });
  // udp publishes no type nor data in its attrs: the config's type, data null.
  const udp = desiredAnnotations(N, { publicIP: '10.0.0.1' }, 'udp');
  t.is(udp[`${P}backend-type`], 'udp');
  t.is(udp[`${P}backend-data`], 'null');
});

const diffCases: Array<{ name: string; current: Record<string, string> | undefined; patch: Record<string, string> | undefined }> = [
  { name: 'no annotations at all: everything', current: undefined, patch: want },
  { name: 'all equal: nothing', current: { ...want, other: 'x' }, patch: undefined },
  { name: 'same backend-data JSON in another key order: nothing', current: { ...want, [`${P}backend-data`]: '{"VtepMAC":"aa:bb:cc:dd:ee:ff","VNI":1}' }, patch: undefined },
  { name: 'another MAC: only backend-data', current: { ...want, [`${P}backend-data`]: '{"VNI":1,"VtepMAC":"00:00:00:00:00:01"}' }, patch: { [`${P}backend-data`]: want[`${P}backend-data`] } },
  { name: 'unparsable backend-data: rewritten', current: { ...want, [`${P}backend-data`]: '{' }, patch: { [`${P}backend-data`]: want[`${P}backend-data`] } },
  { name: 'public IP changed and manager flag missing', current: { [`${P}backend-type`]: 'vxlan', [`${P}backend-data`]: want[`${P}backend-data`], [`${P}public-ip`]: '192.168.1.9' }, patch: { [`${P}kube-subnet-manager`]: 'true', [`${P}public-ip`]: '192.168.1.1' } },
];
for (const c of diffCases) {
  test(`annotation patch: ${c.name}`, (t) => {
    t.deepEqual(annotationPatch(c.current, want, N), c.patch);
  });
}

function node(annotations: Record<string, string> | undefined, spec?: NodeLike['spec']): NodeLike {
  return { metadata: { name: 'n1', ...(annotations ? { annotations } : {}) }, ...(spec ? { spec } : {}) };
}

test('lease from node: a complete node', (t) => {
  const r = leaseFromNode(node(want, { podCIDR: '10.244.3.0/24' }), N);
  if (!('lease' in r)) return t.fail(r.skip);
  t.is(formatIp4Net(r.lease.subnet), '10.244.3.0/24');
  t.deepEqual(r.lease.attrs, vx);
  t.is(r.lease.expiration, undefined);
});

test('lease from node: podCIDRs when podCIDR is absent; first IPv4 one', (t) => {
  const r = leaseFromNode(node(want, { podCIDRs: ['fd00::/64', '10.244.4.0/24'] }), N);
  t.true('lease' in r && formatIp4Net(r.lease.subnet) === '10.244.4.0/24');
});

const skipCases: Array<{ name: string; n: NodeLike; skip: RegExp }> = [
  { name: 'no annotations', n: node(undefined, { podCIDR: '10.244.3.0/24' }), skip: /kube-subnet-manager=true/ },
  { name: 'manager flag false', n: node({ ...want, [`${P}kube-subnet-manager`]: 'false' }, { podCIDR: '10.244.3.0/24' }), skip: /kube-subnet-manager=true/ },
  { name: 'no pod CIDR', n: node(want), skip: /no spec\.podCIDR/ },
  { name: 'bad pod CIDR', n: node(want, { podCIDR: 'nonsense' }), skip: /no spec\.podCIDR/ },
  { name: 'no public-ip', n: node({ ...want, [`${P}public-ip`]: '' }, { podCIDR: '10.244.3.0/24' }), skip: /no flannel\.alpha\.coreos\.com\/public-ip/ },
  { name: 'bad public-ip', n: node({ ...want, [`${P}public-ip`]: 'x' }, { podCIDR: '10.244.3.0/24' }), skip: /not an IPv4/ },
  { name: 'backend-data not JSON', n: node({ ...want, [`${P}backend-data`]: '{' }, { podCIDR: '10.244.3.0/24' }), skip: /not JSON/ },
];
for (const c of skipCases) {
  test(`lease from node skips: ${c.name}`, (t) => {
    const r = leaseFromNode(c.n, N);
    t.true('skip' in r && c.skip.test(r.skip), JSON.stringify(r));
  });
}

test('udp lease (backend-data null) has no backendData', (t) => {
  const r = leaseFromNode(node(desiredAnnotations(N, { publicIP: '10.0.0.2' }, 'udp'), { podCIDR: '10.244.3.0/24' }), N);
  t.true('lease' in r);
  if ('lease' in r) t.deepEqual(r.lease.attrs, { publicIP: '10.0.0.2', backendType: 'udp' });
});

test('previous attrs, public-ip-overwrite, pod CIDR inside Network', (t) => {
  t.deepEqual(previousAttrsFromNode(node(want), N), vx);
  t.is(previousAttrsFromNode(node(undefined), N), undefined);
  t.is(publicIPOverwrite(node({ [`${P}public-ip-overwrite`]: '1.2.3.4' }), N), '1.2.3.4');
  t.is(publicIPOverwrite(node({ [`${P}public-ip-overwrite`]: 'nope' }), N), undefined);
  const net = parseIp4Net('10.244.0.0/16')!;
  t.true(withinNetwork(net, parseIp4Net('10.244.7.0/24')!));
  t.false(withinNetwork(net, parseIp4Net('10.245.7.0/24')!));
  t.false(withinNetwork(net, parseIp4Net('10.0.0.0/8')!));
  t.is(nodePodCIDR(node(undefined)), undefined);
});

test('flags: -kube-subnet-mgr needs no etcd endpoints, refuses a bad annotation prefix; -kube-api-url alone ignores KUBECONFIG', (t) => {
  const flagsOf = (argv: string[]) => {
    const r = parseArgs(commandTable(flannelCommand), argv);
    if (r.kind !== 'flags') throw new Error(r.kind);
    return r.flags;
  };
  const log = createLogger(defaultLogOptions('test'), { stderr: { write: () => true } });
  const cfg = flannelConfigFromFlags(flagsOf(['-kube-subnet-mgr', '-etcd-endpoints=', '-kube-api-url=http://10.0.0.1:8080']), log);
  t.true(cfg.kubeSubnetMgr);
  t.deepEqual({ ...cfg.kube, env: undefined }, { kubeconfigFile: '', apiUrl: 'http://10.0.0.1:8080', annotationPrefix: 'flannel.alpha.coreos.com', netConfigPath: '/etc/kube-flannel/net-conf.json', env: undefined });
  t.throws(() => flannelConfigFromFlags(flagsOf(['-kube-subnet-mgr', '-kube-annotation-prefix=a/b/c']), log), { instanceOf: FlannelConfigError, message: /at most one/ });
  t.throws(() => flannelConfigFromFlags(flagsOf(['-etcd-endpoints=']), log), { instanceOf: FlannelConfigError });
  t.is(kubeRestConfig({ apiUrl: 'http://10.0.0.1:8080', env: { KUBECONFIG: '/nonexistent/kubeconfig' } }).server, 'http://10.0.0.1:8080');
  t.throws(() => kubeRestConfig({ env: {} }), { message: /in-cluster/ });
});
