/**
 * The acceptance: every daemon start-up script in the seed documents
 * parses without error through the real daemon flag table. The scripts are read
 * from /work/shared/seeds/002_*.txt as written (with their $VARIABLES filled in
 * with plausible values), and the EnvironmentFiles of 004_*.txt are expanded
 * into the ExecStart lines of the usual kubernetes/flannel systemd units.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { apiserverCommand } from '../../controlplane/apiserver/options.js';
import { controllerManagerCommand } from '../../controlplane/controllers/options.js';
import { schedulerCommand } from '../../controlplane/scheduler/options.js';
import { kubeletCommand } from '../../agent/kubelet/options.js';
import { proxyCommand } from '../../agent/proxy/options.js';
import { flannelCommand } from '../../agent/flannel/options.js';
import { commandTable, parseArgs, parseEnvFile, splitCommandLine, type CommandSpec } from '../../controlplane/machinery/flags/index.js';
import { seed, scriptEnv, seedScripts, WRAPPED } from '../harness/seeds.js';

const commands: Record<string, CommandSpec> = {
  'kube-apiserver': apiserverCommand,
  'kube-controller-manager': controllerManagerCommand,
  'kube-scheduler': schedulerCommand,
  kubelet: kubeletCommand,
  'kube-proxy': proxyCommand,
  flanneld: flannelCommand,
};

const text002 = seed('002_');
test('the seed still has the wrapped --etcd-servers line this test repairs', (t) => {
  t.true(text002.includes(WRAPPED));
});
const all = seedScripts();
// etcd's own script (2.1) starts the real etcd binary, which kubets does not replace.
const found = all.filter((s) => s.daemon in commands);
test('002: the only other script is etcd\'s', (t) => {
  t.deepEqual(all.filter((s) => !(s.daemon in commands)).map((s) => s.daemon), ['etcd']);
});

test('002 has one start-up script for each of the six daemons', (t) => {
  t.deepEqual(found.map((s) => s.daemon).sort(), Object.keys(commands).sort());
});

for (const s of found) {
  test(`002 ${s.daemon} start-up script parses through the real flag table`, (t) => {
    const argv = splitCommandLine(s.body, scriptEnv, { strict: true });
    t.is(basename(argv[0]), s.daemon);
    const cmd = commands[s.daemon];
    if (!cmd) return t.fail(`no flag table for ${s.daemon}`);
    const r = parseArgs(commandTable(cmd), argv.slice(1));
    if (r.kind === 'error') return t.fail(`${s.daemon}: ${r.error.message}`);
    if (r.kind !== 'flags') return t.fail(r.kind);
    t.deepEqual([...r.flags.positional], []);
    t.true(argv.length > 1);
    // Every word became a flag (nothing silently dropped as a value of another flag).
    const flagsGiven = argv.slice(1).filter((a) => a.startsWith('-')).length;
    t.is(flagsGiven, argv.length - 1);
  });
}

test('002 scripts: the values arrive typed', (t) => {
  const get = (daemon: string) => {
    const s = found.find((x) => x.daemon === daemon);
    if (!s) throw new Error(daemon);
    const r = parseArgs(commandTable(commands[daemon]), splitCommandLine(s.body, scriptEnv, { strict: true }).slice(1));
    if (r.kind !== 'flags') throw new Error(`${daemon}: ${r.kind === 'error' ? r.error.message : r.kind}`);
    return r.flags;
  };
  const api = get('kube-apiserver');
  t.deepEqual(api.list('etcd-servers'), ['http://192.168.10.15:4001', 'http://192.168.10.16:4001', 'http://192.168.10.17:4001']);
  t.deepEqual(api.portRange('service-node-port-range'), { base: 30000, size: 3501 });
  t.is(api.duration('event-ttl'), 30 * 60_000);
  t.is(api.number('v'), 6);
  const cm = get('kube-controller-manager');
  t.is(cm.duration('node-startup-grace-period'), 120_000);
  t.is(cm.number('stderrthreshold'), 4);
  t.true(cm.notices.some((n) => n.message.startsWith('Flag --loglevel has no effect in kubets')));
  const kubelet = get('kubelet');
  t.deepEqual(kubelet.eviction('eviction-hard').map((e) => `${e.signal}<${e.value}`), ['memory.available<200Mi', 'nodefs.available<10%', 'nodefs.inodesFree<10%']);
  t.deepEqual(kubelet.map('kube-reserved'), { cpu: '200m', memory: '500Mi' });
  t.deepEqual(kubelet.list('cluster-dns'), ['10.0.0.2']);
  t.true(kubelet.notices.some((n) => n.message === 'Flag --storage-driver-password has no effect in kubets: cAdvisor storage drivers (InfluxDB and others) are not part of kubets'));
  const proxy = get('kube-proxy');
  t.is(proxy.number('conntrack-max-per-core'), 65535);
  t.deepEqual(get('flanneld').list('etcd-endpoints'), ['http://192.168.10.15:4001', 'http://192.168.10.16:4001', 'http://192.168.10.17:4001']);
});

// --- 004: EnvironmentFiles + the ExecStart lines of the CentOS kubernetes/flannel units.
const text004 = seed('004_');
const blocks = [...text004.matchAll(/```[a-z]*\r?\n([\s\S]*?)```/g)].map((m) => m[1]);
const block = (key: string): Record<string, string> => {
  const b = blocks.find((x) => x.includes(key));
  if (!b) throw new Error(`004 has no block with ${key}`);
  return parseEnvFile(b);
};
/** /etc/kubernetes/config as the kubernetes RPM installs it (004 edits only the per-daemon files). */
const commonConfig = parseEnvFile(
  'KUBE_LOGTOSTDERR="--logtostderr=true"\nKUBE_LOG_LEVEL="--v=0"\nKUBE_ALLOW_PRIV="--allow-privileged=false"\nKUBE_MASTER="--master=http://192.168.197.130:8080"\n',
);
const units: { daemon: string; execStart: string; env: () => Record<string, string> }[] = [
  {
    daemon: 'kube-apiserver',
    execStart: '/usr/bin/kube-apiserver $KUBE_LOGTOSTDERR $KUBE_LOG_LEVEL $KUBE_ETCD_SERVERS $KUBE_API_ADDRESS $KUBE_API_PORT $KUBELET_PORT $KUBE_ALLOW_PRIV $KUBE_SERVICE_ADDRESSES $KUBE_ADMISSION_CONTROL $KUBE_API_ARGS',
    env: () => ({ ...commonConfig, ...block('KUBE_API_ADDRESS') }),
  },
  {
    daemon: 'kube-controller-manager',
    execStart: '/usr/bin/kube-controller-manager $KUBE_LOGTOSTDERR $KUBE_LOG_LEVEL $KUBE_MASTER $KUBE_CONTROLLER_MANAGER_ARGS',
    env: () => ({ ...commonConfig, KUBE_CONTROLLER_MANAGER_ARGS: '' }),
  },
  {
    daemon: 'kube-scheduler',
    execStart: '/usr/bin/kube-scheduler $KUBE_LOGTOSTDERR $KUBE_LOG_LEVEL $KUBE_MASTER $KUBE_SCHEDULER_ARGS',
    env: () => ({ ...commonConfig, KUBE_SCHEDULER_ARGS: '' }),
  },
  {
    daemon: 'kubelet',
    execStart: '/usr/bin/kubelet $KUBE_LOGTOSTDERR $KUBE_LOG_LEVEL $KUBELET_API_SERVER $KUBELET_ADDRESS $KUBELET_PORT $KUBELET_HOSTNAME $KUBE_ALLOW_PRIV $KUBELET_POD_INFRA_CONTAINER $KUBELET_ARGS',
    // KUBELET_PORT is commented out in 004's file: systemd expands it to nothing.
    env: () => ({ ...commonConfig, KUBELET_PORT: '', ...block('KUBELET_ADDRESS') }),
  },
  {
    daemon: 'kube-proxy',
    execStart: '/usr/bin/kube-proxy $KUBE_LOGTOSTDERR $KUBE_LOG_LEVEL $KUBE_MASTER $KUBE_PROXY_ARGS',
    env: () => ({ ...commonConfig, KUBE_PROXY_ARGS: '' }),
  },
  {
    // flanneld-start: exec /usr/bin/flanneld -etcd-endpoints=${FLANNEL_ETCD_ENDPOINTS} -etcd-prefix=${FLANNEL_ETCD_PREFIX} "$@"
    daemon: 'flanneld',
    execStart: '/usr/bin/flanneld -etcd-endpoints=${FLANNEL_ETCD_ENDPOINTS} -etcd-prefix=${FLANNEL_ETCD_PREFIX} $FLANNEL_OPTIONS',
    env: () => ({ FLANNEL_OPTIONS: '', ...block('FLANNEL_ETCD_ENDPOINTS') }),
  },
];
for (const u of units) {
  test(`004 ${u.daemon} systemd unit with the seed's EnvironmentFile parses`, (t) => {
    const argv = splitCommandLine(u.execStart, u.env(), { mode: 'systemd', strict: true });
    const r = parseArgs(commandTable(commands[u.daemon]), argv.slice(1));
    if (r.kind === 'error') return t.fail(`${u.daemon}: ${r.error.message}`);
    if (r.kind !== 'flags') return t.fail(r.kind);
    t.deepEqual([...r.flags.positional], []);
    t.true(argv.length > 1);
  });
}

test('004 apiserver file: --port and --kubelet-port are accepted with upstream deprecation lines', (t) => {
  const u = units[0];
  const r = parseArgs(commandTable(apiserverCommand), splitCommandLine(u.execStart, u.env(), { mode: 'systemd', strict: true }).slice(1));
  if (r.kind !== 'flags') return t.fail();
  t.is(r.flags.number('insecure-port'), 8080);
  t.deepEqual(
    r.flags.notices.map((n) => n.message),
    ['Flag --port has been deprecated, see --insecure-port instead.', 'Flag --kubelet-port has been deprecated, kubelet-port is deprecated and will be removed.'],
  );
  t.deepEqual(r.flags.list('admission-control'), ['NamespaceLifecycle', 'NamespaceExists', 'LimitRanger', 'ResourceQuota']);
});
