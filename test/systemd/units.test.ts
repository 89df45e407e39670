/**
 * systemd/: every unit's ExecStart line, expanded with the sample EnvironmentFiles
 * of systemd/etc/ the way systemd expands it, parses through the daemon's real
 * flag table; the units keep the CentOS packages' shape and variables; and
 * hack/install.sh stages the tree, the units and the env files into a root,
 * never overwriting an operator's config.
 */
import test from 'ava';
import { accessSync, constants, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiserverCommand } from '../../controlplane/apiserver/options.js';
import { controllerManagerCommand } from '../../controlplane/controllers/options.js';
import { schedulerCommand } from '../../controlplane/scheduler/options.js';
import { kubeletCommand } from '../../agent/kubelet/options.js';
import { proxyCommand } from '../../agent/proxy/options.js';
import { flannelCommand } from '../../agent/flannel/options.js';
import { parseDockerOptsArgs } from '../../agent/flannel/dockeropts.js';
import { dnsCommand } from '../../controlplane/addons/dns/options.js';
import { commandTable, parseArgs, parseEnvFile, splitCommandLine, type CommandSpec, type ParsedFlags } from '../../controlplane/machinery/flags/index.js';
import { tryRun, type RunResult } from '../harness/exec.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SYSTEMD = join(REPO, 'systemd');
const INSTALL = join(REPO, 'hack', 'install.sh');

// --- a small reader of unit files (systemd.syntax(7)) ---------------------------

type UnitFile = Map<string, { key: string; value: string }[]>;

/** Sections of key=value entries; `#`/`;` comments; a trailing backslash joins the next line with a space. */
function parseUnit(text: string): UnitFile {
  const out: UnitFile = new Map();
  let section = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + ' ' + lines[++i].trim();
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1];
      if (!out.has(section)) out.set(section, []);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`not an assignment: ${line}`);
    const entries = out.get(section);
    if (!entries) throw new Error(`assignment outside a section: ${line}`);
    entries.push({ key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() });
  }
  return out;
}
const values = (u: UnitFile, section: string, key: string): string[] => (u.get(section) ?? []).filter((e) => e.key === key).map((e) => e.value);
const one = (u: UnitFile, section: string, key: string): string => {
  const v = values(u, section, key);
  if (v.length !== 1) throw new Error(`[${section}] ${key}: ${v.length} entries, want 1`);
  return v[0];
};
/** The variables a command line refers to, in order ($NAME and ${NAME}). */
const varsOf = (line: string): string[] => [...line.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g)].map((m) => m[1]);

// --- the table: what each unit must be ------------------------------------------------

interface UnitCase {
  daemon: string;
  command: CommandSpec;
  /** EnvironmentFile= entries, in order ('-' = optional). */
  envFiles: string[];
  /** The variables of the CentOS unit's ExecStart, in order. */
  vars: string[];
  check?: (flags: ParsedFlags, unit: UnitFile) => void;
}

const cases: UnitCase[] = [
  {
    daemon: 'kube-apiserver',
    command: apiserverCommand,
    envFiles: ['-/etc/kubernetes/config', '-/etc/kubernetes/apiserver'],
    vars: ['KUBE_LOGTOSTDERR', 'KUBE_LOG_LEVEL', 'KUBE_ETCD_SERVERS', 'KUBE_API_ADDRESS', 'KUBE_API_PORT', 'KUBELET_PORT', 'KUBE_ALLOW_PRIV', 'KUBE_SERVICE_ADDRESSES', 'KUBE_ADMISSION_CONTROL', 'KUBE_API_ARGS'],
  },
  {
    daemon: 'kube-controller-manager',
    command: controllerManagerCommand,
    envFiles: ['-/etc/kubernetes/config', '-/etc/kubernetes/controller-manager'],
    vars: ['KUBE_LOGTOSTDERR', 'KUBE_LOG_LEVEL', 'KUBE_MASTER', 'KUBE_CONTROLLER_MANAGER_ARGS'],
  },
  {
    daemon: 'kube-scheduler',
    command: schedulerCommand,
    envFiles: ['-/etc/kubernetes/config', '-/etc/kubernetes/scheduler'],
    vars: ['KUBE_LOGTOSTDERR', 'KUBE_LOG_LEVEL', 'KUBE_MASTER', 'KUBE_SCHEDULER_ARGS'],
  },
  {
    daemon: 'kubelet',
    command: kubeletCommand,
    envFiles: ['-/etc/kubernetes/config', '-/etc/kubernetes/kubelet'],
    vars: ['KUBE_LOGTOSTDERR', 'KUBE_LOG_LEVEL', 'KUBELET_API_SERVER', 'KUBELET_ADDRESS', 'KUBELET_PORT', 'KUBELET_HOSTNAME', 'KUBE_ALLOW_PRIV', 'KUBELET_POD_INFRA_CONTAINER', 'KUBELET_ARGS'],
    check: (f, u) => {
      if (one(u, 'Service', 'WorkingDirectory') !== '/var/lib/kubelet') throw new Error('kubelet: WorkingDirectory is not /var/lib/kubelet');
      if (!values(u, 'Unit', 'After').includes('docker.service')) throw new Error('kubelet: not After=docker.service');
      if (!values(u, 'Unit', 'Wants').includes('docker.service')) throw new Error('kubelet: does not want docker.service');
      if (f.list('api-servers').join() !== 'http://127.0.0.1:8080') throw new Error(`kubelet: --api-servers=${f.list('api-servers').join()}`);
    },
  },
  {
    daemon: 'kube-proxy',
    command: proxyCommand,
    envFiles: ['-/etc/kubernetes/config', '-/etc/kubernetes/proxy'],
    vars: ['KUBE_LOGTOSTDERR', 'KUBE_LOG_LEVEL', 'KUBE_MASTER', 'KUBE_PROXY_ARGS'],
  },
  {
    daemon: 'flanneld',
    command: flannelCommand,
    // Required, as in the CentOS unit: -etcd-endpoints= would be empty without it.
    envFiles: ['/etc/sysconfig/flanneld'],
    vars: ['FLANNEL_ETCD_ENDPOINTS', 'FLANNEL_ETCD_PREFIX', 'FLANNEL_OPTIONS'],
    check: (f, u) => {
      if (!values(u, 'Unit', 'Before').includes('docker.service')) throw new Error('flanneld: not Before=docker.service');
      // mk-docker-opts turns the subnet file into DOCKER_NETWORK_OPTIONS (as the CentOS unit); Type=simple, so it waits for the file (-w).
      const post = values(u, 'Service', 'ExecStartPost');
      if (post.length !== 1) throw new Error(`flanneld: ${post.length} ExecStartPost lines, want 1`);
      const subnetFile = f.string('subnet-file');
      const mk = splitCommandLine(post[0], {}, { mode: 'systemd', strict: true });
      if (mk[0] !== '/opt/kubets/bin/mk-docker-opts') throw new Error(`flanneld: ExecStartPost runs ${mk[0]}`);
      accessSync(join(REPO, 'bin', 'mk-docker-opts'), constants.X_OK);
      const o = parseDockerOptsArgs(mk.slice(1));
      if (o.key !== 'DOCKER_NETWORK_OPTIONS' || o.out !== '/run/flannel/docker' || o.envFile !== subnetFile || !(o.waitSeconds > 0)) throw new Error(`flanneld: mk-docker-opts ${mk.slice(1).join(' ')}`);
      if (f.list('etcd-endpoints').join() !== 'http://127.0.0.1:2379') throw new Error(`flanneld: -etcd-endpoints=${f.list('etcd-endpoints').join()}`);
      if (f.string('etcd-prefix') !== '/atomic.io/network') throw new Error(`flanneld: -etcd-prefix=${f.string('etcd-prefix')}`);
    },
  },
  {
    daemon: 'kube-dns',
    command: dnsCommand,
    envFiles: ['-/etc/kubernetes/config', '-/etc/kubernetes/dns'],
    vars: ['KUBE_LOGTOSTDERR', 'KUBE_LOG_LEVEL', 'KUBE_MASTER', 'KUBE_DNS_DOMAIN', 'KUBE_DNS_ARGS'],
    check: (f) => {
      // --master is kube-dns's alias of --kube-master-url, so the shared KUBE_MASTER works.
      if (f.string('kube-master-url') !== 'http://127.0.0.1:8080') throw new Error(`kube-dns: --kube-master-url=${f.string('kube-master-url')}`);
      if (f.string('domain') !== 'cluster.local.') throw new Error(`kube-dns: --domain=${f.string('domain')}`);
      if (f.string('config-map') !== 'kube-dns') throw new Error(`kube-dns: --config-map=${f.string('config-map')}`);
    },
  },
];

const readUnit = (daemon: string): UnitFile => parseUnit(readFileSync(join(SYSTEMD, `${daemon}.service`), 'utf8'));
/** The sample behind an EnvironmentFile= entry: /etc/kubernetes/x → systemd/etc/kubernetes/x. */
const sampleOf = (entry: string): string => join(SYSTEMD, entry.replace(/^-/, ''));
/** The environment systemd gives the unit: its EnvironmentFiles in order, later keys winning. */
const unitEnv = (u: UnitFile): Record<string, string> =>
  Object.assign({}, ...values(u, 'Service', 'EnvironmentFile').map((e) => parseEnvFile(readFileSync(sampleOf(e), 'utf8'))));
/** ExecStart as argv, expanded as systemd expands it (a bare $VAR splits into words, ${VAR} does not). */
const execArgv = (u: UnitFile): string[] => splitCommandLine(one(u, 'Service', 'ExecStart'), unitEnv(u), { mode: 'systemd', strict: true });

function parseUnitFlags(c: UnitCase): ParsedFlags {
  const argv = execArgv(readUnit(c.daemon));
  const r = parseArgs(commandTable(c.command), argv.slice(1));
  if (r.kind === 'error') throw new Error(`${c.daemon}: ${r.error.message}`);
  if (r.kind !== 'flags') throw new Error(`${c.daemon}: parseArgs gave ${r.kind}`);
  return r.flags;
}

test('systemd/ holds exactly the seven units', (t) => {
  t.deepEqual(
    readdirSync(SYSTEMD).filter((f) => f.endsWith('.service')).sort(),
    cases.map((c) => `${c.daemon}.service`).sort(),
  );
});

for (const c of cases) {
  test(`${c.daemon}.service: CentOS shape, Restart=on-failure, LimitNOFILE=65536, WantedBy=multi-user.target`, (t) => {
    const u = readUnit(c.daemon);
    t.deepEqual([...u.keys()], ['Unit', 'Service', 'Install']);
    t.regex(one(u, 'Unit', 'Description'), /\S/);
    t.regex(one(u, 'Unit', 'Documentation'), /^https:\/\//);
    t.true(values(u, 'Unit', 'After').includes('network.target'));
    t.deepEqual(values(u, 'Service', 'EnvironmentFile'), c.envFiles);
    t.is(one(u, 'Service', 'Restart'), 'on-failure');
    t.is(one(u, 'Service', 'LimitNOFILE'), '65536');
    t.is(one(u, 'Install', 'WantedBy'), 'multi-user.target');
    // Type=notify would hang start-up: kubets sends no sd_notify.
    t.deepEqual(values(u, 'Service', 'Type'), []);
  });

  test(`${c.daemon}.service: ExecStart runs /opt/kubets/bin/${c.daemon} with exactly the CentOS unit's variables`, (t) => {
    const u = readUnit(c.daemon);
    const line = one(u, 'Service', 'ExecStart');
    t.is(line.split(/\s+/)[0], `/opt/kubets/bin/${c.daemon}`);
    t.deepEqual(varsOf(line), c.vars);
    t.notThrows(() => accessSync(join(REPO, 'bin', c.daemon), constants.X_OK), `bin/${c.daemon} is not an executable launcher`);
  });

  test(`${c.daemon}.service: the sample EnvironmentFiles define every variable, and each one they define is used`, (t) => {
    const u = readUnit(c.daemon);
    for (const e of c.envFiles) t.true(existsSync(sampleOf(e)), `no sample for EnvironmentFile=${e}`);
    const env = unitEnv(u);
    t.deepEqual(c.vars.filter((v) => !(v in env)), [], 'variables the unit uses but no sample defines');
    // The unit's own file (the last one) has nothing the unit ignores; /etc/kubernetes/config is
    // shared, so its variables only need a user among all units.
    const own = parseEnvFile(readFileSync(sampleOf(c.envFiles[c.envFiles.length - 1]), 'utf8'));
    t.deepEqual(Object.keys(own).filter((k) => !c.vars.includes(k)), [], 'variables the sample defines but the unit ignores');
  });

  test(`${c.daemon}.service: ExecStart with the sample EnvironmentFiles parses through the real flag table`, (t) => {
    const argv = execArgv(readUnit(c.daemon));
    t.is(argv[0], `/opt/kubets/bin/${c.daemon}`);
    t.true(argv.length > 1);
    const flags = parseUnitFlags(c);
    t.deepEqual([...flags.positional], []);
    // Every word is a flag with its value attached: nothing was taken as another flag's value.
    t.deepEqual(argv.slice(1).filter((a) => !/^--?[a-z][a-z0-9-]*(=|$)/.test(a)), []);
    if (c.check) t.notThrows(() => c.check?.(flags, readUnit(c.daemon)));
  });
}

test('/etc/kubernetes/config: every shared variable is used by some unit', (t) => {
  const shared = parseEnvFile(readFileSync(join(SYSTEMD, 'etc/kubernetes/config'), 'utf8'));
  const used = new Set(cases.flatMap((c) => c.vars));
  t.deepEqual(Object.keys(shared).sort(), ['KUBE_ALLOW_PRIV', 'KUBE_LOGTOSTDERR', 'KUBE_LOG_LEVEL', 'KUBE_MASTER']);
  t.deepEqual(Object.keys(shared).filter((k) => !used.has(k)), []);
});

test('the sample apiserver file: single host on 127.0.0.1:8080, embedded SQLite store, seed admission list', (t) => {
  const c = cases.find((x) => x.daemon === 'kube-apiserver');
  if (!c) return t.fail();
  const f = parseUnitFlags(c);
  t.deepEqual(f.list('etcd-servers').filter(Boolean), []); // no etcd: the sqlite backend
  t.is(f.string('storage-backend'), 'sqlite');
  t.is(f.string('data-dir'), '/var/lib/kubets/apiserver');
  t.is(f.string('insecure-bind-address'), '127.0.0.1');
  t.is(f.number('insecure-port'), 8080);
  t.is(f.string('service-cluster-ip-range'), '10.254.0.0/16');
  t.deepEqual(f.list('admission-control'), ['NamespaceLifecycle', 'NamespaceExists', 'LimitRanger', 'ResourceQuota']);
  t.is(f.bool('logtostderr'), true);
  t.is(f.number('v'), 0);
  t.is(f.bool('allow-privileged'), false);
});

test('the sample shared config points the other daemons at the local API server', (t) => {
  for (const daemon of ['kube-controller-manager', 'kube-scheduler', 'kube-proxy']) {
    const c = cases.find((x) => x.daemon === daemon);
    if (!c) return t.fail(daemon);
    t.is(parseUnitFlags(c).string('master'), 'http://127.0.0.1:8080', daemon);
  }
});

// --- hack/install.sh --------------------------------------------------------------

/** The environment for install.sh, without a PREFIX inherited from the caller. */
function installEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'PREFIX') env[k] = v;
  return env;
}
const install = (...args: string[]): Promise<RunResult> => tryRun('bash', [INSTALL, ...args], { env: installEnv(), extendEnv: false });
function stagingRoot(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubets-install-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
const samples = (): string[] => {
  const out: string[] = [];
  for (const d of ['etc/kubernetes', 'etc/sysconfig']) for (const f of readdirSync(join(SYSTEMD, d))) out.push(`${d}/${f}`);
  return out.sort();
};

test('install.sh --root: stages the tree, the units and the sample env files', async (t) => {
  const root = stagingRoot(t);
  const r = await install('--root', root);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /not running systemctl daemon-reload/);
  for (const c of cases) {
    const name = `${c.daemon}.service`;
    t.is(readFileSync(join(root, 'etc/systemd/system', name), 'utf8'), readFileSync(join(SYSTEMD, name), 'utf8'), name);
  }
  t.deepEqual(samples(), ['etc/kubernetes/apiserver', 'etc/kubernetes/config', 'etc/kubernetes/controller-manager', 'etc/kubernetes/dns', 'etc/kubernetes/kubelet', 'etc/kubernetes/proxy', 'etc/kubernetes/scheduler', 'etc/sysconfig/flanneld']);
  for (const s of samples()) t.is(readFileSync(join(root, s), 'utf8'), readFileSync(join(SYSTEMD, s), 'utf8'), s);
  for (const item of ['bin', 'dist', 'node_modules', 'package.json']) t.true(existsSync(join(root, 'opt/kubets', item)), item);
  t.true(lstatSync(join(root, 'var/lib/kubelet')).isDirectory());
  // The staged tree runs: the launcher finds its dist/ and node_modules/.
  const v = await tryRun(process.execPath, [join(root, 'opt/kubets/bin/kube-apiserver'), '--version']);
  t.is(v.exitCode, 0, v.stderr);
  t.regex(v.stdout, /kube-apiserver/);
});

// systemd's own parser, offline: the staged root gets the host's system units (sysinit.target …)
// so that only our units can make it complain. Unknown keys and bad values are warnings on
// stderr (exit 0), so stderr must be empty.
const SYSTEMD_ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));
const SYSTEM_UNITS = ['/usr/lib/systemd/system', '/lib/systemd/system'].find((p) => existsSync(join(p, 'sysinit.target')));
(SYSTEMD_ANALYZE && SYSTEM_UNITS ? test : test.skip)('systemd-analyze verify accepts the installed units (staged root)', async (t) => {
  if (!SYSTEMD_ANALYZE || !SYSTEM_UNITS) return t.fail();
  const root = stagingRoot(t);
  const r = await install('--root', root);
  t.is(r.exitCode, 0, r.stderr);
  cpSync(SYSTEM_UNITS, join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
  const unitDir = join(root, 'etc/systemd/system');
  const v = await tryRun(SYSTEMD_ANALYZE, ['verify', `--root=${root}`, ...cases.map((c) => `./${c.daemon}.service`)], { cwd: unitDir });
  t.is(v.exitCode, 0, v.stderr);
  t.is(v.stderr.trim(), '');
});

test('install.sh: a second run keeps the operator\'s env files, restores missing ones and the units, keeps a masked unit', async (t) => {
  const root = stagingRoot(t);
  t.is((await install('--root', root)).exitCode, 0);
  const edited = join(root, 'etc/kubernetes/apiserver');
  writeFileSync(edited, 'KUBE_API_ARGS="--secure-port=0"\n');
  rmSync(join(root, 'etc/kubernetes/proxy'));
  writeFileSync(join(root, 'etc/systemd/system/kube-proxy.service'), '[Unit]\n');
  rmSync(join(root, 'etc/systemd/system/kubelet.service'));
  symlinkSync('/dev/null', join(root, 'etc/systemd/system/kubelet.service'));

  const r = await install(`--root=${root}`);
  t.is(r.exitCode, 0, r.stderr);
  t.is(readFileSync(edited, 'utf8'), 'KUBE_API_ARGS="--secure-port=0"\n');
  t.regex(r.stdout, /config \S+\/etc\/kubernetes\/apiserver exists: kept/);
  t.is(readFileSync(join(root, 'etc/kubernetes/proxy'), 'utf8'), readFileSync(join(SYSTEMD, 'etc/kubernetes/proxy'), 'utf8'));
  t.is(readFileSync(join(root, 'etc/systemd/system/kube-proxy.service'), 'utf8'), readFileSync(join(SYSTEMD, 'kube-proxy.service'), 'utf8'));
  t.is(readlinkSync(join(root, 'etc/systemd/system/kubelet.service')), '/dev/null');
  t.regex(r.stdout, /unit \S+kube-apiserver.service is up to date/);
});

test('install.sh --prefix: the units start the daemons from the prefix', async (t) => {
  const root = stagingRoot(t);
  const r = await install('--prefix', '/usr/local/kubets', '--root', root);
  t.is(r.exitCode, 0, r.stderr);
  t.true(existsSync(join(root, 'usr/local/kubets/bin/kubelet')));
  t.false(existsSync(join(root, 'opt')));
  for (const c of cases) {
    const u = parseUnit(readFileSync(join(root, 'etc/systemd/system', `${c.daemon}.service`), 'utf8'));
    t.is(one(u, 'Service', 'ExecStart').split(/\s+/)[0], `/usr/local/kubets/bin/${c.daemon}`);
  }
  const flannel = parseUnit(readFileSync(join(root, 'etc/systemd/system/flanneld.service'), 'utf8'));
  t.is(values(flannel, 'Service', 'ExecStartPost')[0].split(/\s+/)[0], '/usr/local/kubets/bin/mk-docker-opts');
  t.true(existsSync(join(root, 'usr/local/kubets/bin/mk-docker-opts.sh')));
});

test('install.sh --dry-run changes nothing', async (t) => {
  const root = stagingRoot(t);
  const stage = join(root, 'stage');
  mkdirSync(stage);
  const r = await install('--dry-run', '--root', stage);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /\[dry-run\] cp -a /);
  t.deepEqual(readdirSync(stage), []);
});

const badArgs: { args: string[]; message: RegExp }[] = [
  { args: ['--bogus'], message: /unknown argument --bogus/ },
  { args: ['--prefix'], message: /--prefix needs a directory/ },
  { args: ['--prefix', 'relative/dir'], message: /--prefix must be an absolute path/ },
  { args: ['--prefix', '/opt/kube ts'], message: /--prefix may use only/ },
  { args: ['--root'], message: /--root needs a directory/ },
];
for (const b of badArgs) {
  test(`install.sh ${b.args.join(' ')}: exit 2 with one line`, async (t) => {
    const r = await install(...b.args);
    t.is(r.exitCode, 2);
    t.is(r.stdout, '');
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.regex(r.stderr, b.message);
  });
}
