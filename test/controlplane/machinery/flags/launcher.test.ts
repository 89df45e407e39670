/**
 * The built launchers, for real: `node bin/<daemon> …` as an operator runs them.
 * Assumes dist/ is built (hack/test.sh runs `npx tsc -b tsconfig.json` first).
 */
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const run = (bin: string, args: string[], cwd = ROOT) => spawnSync(process.execPath, [join(cwd, 'bin', bin), ...args], { cwd, encoding: 'utf8', timeout: 30_000 });

const DAEMONS: { bin: string; dist: string }[] = [
  { bin: 'kube-apiserver', dist: 'dist/controlplane/apiserver/main.js' },
  { bin: 'kube-controller-manager', dist: 'dist/controlplane/controllers/main.js' },
  { bin: 'kube-scheduler', dist: 'dist/controlplane/scheduler/main.js' },
  { bin: 'kubelet', dist: 'dist/agent/kubelet/main.js' },
  { bin: 'kube-proxy', dist: 'dist/agent/proxy/main.js' },
  { bin: 'flanneld', dist: 'dist/agent/flannel/main.js' },
];

for (const d of DAEMONS) {
  test(`bin/${d.bin}: built, --help exits 0 and lists flags`, (t) => {
    if (!existsSync(join(ROOT, d.dist))) return t.fail(`${d.dist} is missing: run \`npx tsc -b tsconfig.json\` before this test`);
    const r = run(d.bin, [d.bin === 'flanneld' ? '-help' : '--help']);
    t.is(r.status, 0, r.stderr);
    t.regex(r.stdout, d.bin === 'flanneld' ? /^ {2}-etcd-endpoints strings$/m : /^ {6}--log-flush-frequency duration +.*\(default 5s\)$/m);
    t.is(r.stderr, '');
  });
}

test('bin/kube-scheduler --nope: exit 2, the one-line message', (t) => {
  const r = run('kube-scheduler', ['--nope']);
  t.is(r.status, 2);
  t.is(r.stderr, "error: unknown flag: --nope\nRun 'kube-scheduler --help' for usage.\n");
  t.is(r.stdout, '');
});

test('bin/kube-scheduler --v=abc: exit 2 naming flag, value and expectation', (t) => {
  const r = run('kube-scheduler', ['--v=abc']);
  t.is(r.status, 2);
  t.is(r.stderr.split('\n')[0], 'error: invalid argument "abc" for "--v" flag: strconv.ParseInt: parsing "abc": invalid syntax');
});

test('bin/kube-scheduler with a positional argument: exit 2', (t) => {
  const r = run('kube-scheduler', ['start']);
  t.is(r.status, 2);
  t.regex(r.stderr, /^error: unexpected argument "start"/);
});

test('bin/flanneld -iface naming no interface: exit 1 with the reason, nothing configured', (t) => {
  const r = run('flanneld', ['-iface=kt-no-such-if0', '-etcd-endpoints=http://127.0.0.1:1']);
  t.is(r.status, 1);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  t.regex(lines[0], /^I\d{4} [\d:.]+ +\d+ flanneld\] Starting flanneld /);
  t.regex(lines[lines.length - 1], /^E\d{4} .* flanneld\] invalid configuration: failed to find the interface to use: no interface named or addressed kt-no-such-if0 \(-iface\)$/);
});

test('bin/flanneld with no reachable etcd: says what it waits for, retries, exits 0 on SIGTERM', async (t) => {
  // -iface=lo and an endpoint nobody serves: it only reads links and addresses, then waits for etcd.
  const p = spawn(process.execPath, [join(ROOT, 'bin', 'flanneld'), '-iface=lo', '-etcd-endpoints=http://127.0.0.1:1', '-etcd-prefix=/atomic.io/network'], { cwd: ROOT });
  let err = '';
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => p.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!/fetch network config: no etcd endpoint answered/.test(err) && Date.now() < deadline && p.exitCode === null) await new Promise((r) => setTimeout(r, 100));
  p.kill('SIGTERM');
  t.is(await exited, 0, err);
  t.regex(err, /^I.*\] Using interface with name lo and address 127\.0\.0\.1/m);
  t.regex(err, /^E.*\] fetch network config: no etcd endpoint answered: http:\/\/127\.0\.0\.1:1: connect ECONNREFUSED 127\.0\.0\.1:1 \(retrying in 1s\)$/m);
});

test('bin/kube-scheduler --version', (t) => {
  const r = run('kube-scheduler', ['--version']);
  t.is(r.status, 0);
  t.regex(r.stdout, /^Kubernetes v1\.8\.7-kubets \(kube-scheduler, kubets \d+\.\d+\.\d+\)\n$/);
});

test('bin/kube-controller-manager --v=1: FLAG dump, no-op and deprecation lines (then it stops: no apiserver configured)', (t) => {
  const r = run('kube-controller-manager', ['--v=1', '--loglevel=0', '--cloud-provider=aws', '--daemonset-lookup-cache-size=5']);
  t.is(r.status, 1);
  t.regex(r.stderr, /invalid configuration: no configuration: no --kubeconfig/);
  t.regex(r.stderr, /\] FLAG: --concurrent-rc-syncs="5"$/m);
  t.regex(r.stderr, /^W.*\] Flag --loglevel has no effect in kubets: not a Kubernetes flag/m);
  t.regex(r.stderr, /^W.*\] Flag --cloud-provider has no effect in kubets: no cloud provider integration$/m);
  t.regex(r.stderr, /^W.*\] Flag --daemonset-lookup-cache-size has been deprecated, /m);
});

test('bin/flanneld -logtostderr=false -log-dir: lines go to <dir>/flanneld.log, errors also to stderr, secrets redacted', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kubets-bin-'));
  try {
    const r = run('flanneld', ['-logtostderr=false', `-log-dir=${dir}`, '-etcd-password=hunter2', '-v=1', '-iface=kt-no-such-if0']);
    t.is(r.status, 1);
    const file = readFileSync(join(dir, 'flanneld.log'), 'utf8');
    t.regex(file, /\] Starting flanneld /);
    t.regex(file, /\] FLAG: -etcd-password="<redacted>"$/m);
    t.false(file.includes('hunter2'));
    t.regex(r.stderr, /^E.*\] invalid configuration: failed to find the interface to use/m);
    t.false(r.stderr.includes('Starting flanneld'));
    t.false(r.stderr.includes('hunter2'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a launcher without dist/ tells the user to run npm run build', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kubets-nodist-'));
  try {
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(ROOT, 'bin', 'kube-proxy'), join(dir, 'bin', 'kube-proxy'));
    copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    const r = run('kube-proxy', ['--help'], dir);
    t.is(r.status, 1);
    t.regex(r.stderr, /^kube-proxy: .*dist\/agent\/proxy\/main\.js is missing: .* Run `npm run build` in .* first\.\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
