/** mk-docker-opts: rendering table, option parsing, and the launcher (and its .sh alias) once on temp files. */
import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULTS, parseDockerOptsArgs, parseEnvText, render } from '../../../agent/flannel/dockeropts.js';
import { tryRun } from '../../harness/exec.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ENV = { FLANNEL_NETWORK: '10.1.0.0/16', FLANNEL_SUBNET: '10.1.74.1/24', FLANNEL_MTU: '1450', FLANNEL_IPMASQ: 'true' };
const base = { key: 'DOCKER_OPTS', individual: false, combined: false, ipMasq: true };

const cases: Array<{ name: string; vars: Record<string, string>; o?: Partial<typeof base>; want: string }> = [
  {
    name: 'defaults: individual vars by name, then the combined one',
    vars: ENV,
    want: 'DOCKER_OPT_BIP="--bip=10.1.74.1/24"\nDOCKER_OPT_IPMASQ="--ip-masq=false"\nDOCKER_OPT_MTU="--mtu=1450"\nDOCKER_OPTS=" --bip=10.1.74.1/24 --ip-masq=false --mtu=1450 "\n',
  },
  { name: '-i', vars: ENV, o: { individual: true }, want: 'DOCKER_OPT_BIP="--bip=10.1.74.1/24"\nDOCKER_OPT_IPMASQ="--ip-masq=false"\nDOCKER_OPT_MTU="--mtu=1450"\n' },
  { name: '-c', vars: ENV, o: { combined: true }, want: 'DOCKER_OPTS=" --bip=10.1.74.1/24 --ip-masq=false --mtu=1450 "\n' },
  { name: '-i -c = both', vars: ENV, o: { individual: true, combined: true }, want: 'DOCKER_OPT_BIP="--bip=10.1.74.1/24"\nDOCKER_OPT_IPMASQ="--ip-masq=false"\nDOCKER_OPT_MTU="--mtu=1450"\nDOCKER_OPTS=" --bip=10.1.74.1/24 --ip-masq=false --mtu=1450 "\n' },
  { name: '-c -m: no --ip-masq', vars: ENV, o: { combined: true, ipMasq: false }, want: 'DOCKER_OPTS=" --bip=10.1.74.1/24 --mtu=1450 "\n' },
  { name: '-c -k DOCKER_NETWORK_OPTIONS', vars: ENV, o: { combined: true, key: 'DOCKER_NETWORK_OPTIONS' }, want: 'DOCKER_NETWORK_OPTIONS=" --bip=10.1.74.1/24 --ip-masq=false --mtu=1450 "\n' },
  { name: 'FLANNEL_IPMASQ=false: Docker masquerades', vars: { ...ENV, FLANNEL_IPMASQ: 'false' }, o: { combined: true }, want: 'DOCKER_OPTS=" --bip=10.1.74.1/24 --ip-masq=true --mtu=1450 "\n' },
  { name: 'no FLANNEL_IPMASQ: no option', vars: { FLANNEL_SUBNET: '10.1.74.1/24', FLANNEL_MTU: '1472' }, o: { combined: true }, want: 'DOCKER_OPTS=" --bip=10.1.74.1/24 --mtu=1472 "\n' },
  { name: 'the key\'s existing value comes first', vars: { ...ENV, DOCKER_OPTS: '--debug' }, o: { combined: true }, want: 'DOCKER_OPTS="--debug --bip=10.1.74.1/24 --ip-masq=false --mtu=1450 "\n' },
  {
    name: 'DOCKER_OPT_* already set are listed too, in name order',
    vars: { ...ENV, DOCKER_OPT_DNS: '--dns=10.254.0.10' },
    want: 'DOCKER_OPT_BIP="--bip=10.1.74.1/24"\nDOCKER_OPT_DNS="--dns=10.254.0.10"\nDOCKER_OPT_IPMASQ="--ip-masq=false"\nDOCKER_OPT_MTU="--mtu=1450"\nDOCKER_OPTS=" --bip=10.1.74.1/24 --dns=10.254.0.10 --ip-masq=false --mtu=1450 "\n',
  },
  { name: 'no env file at all: empty options', vars: {}, want: 'DOCKER_OPTS=" "\n' },
];
for (const c of cases) {
  test(`render: ${c.name}`, (t) => {
    t.is(render(c.vars, { ...base, ...c.o }), c.want);
  });
}

test('render: an invalid FLANNEL_IPMASQ is an error', (t) => {
  t.throws(() => render({ ...ENV, FLANNEL_IPMASQ: 'yes' }, base), { message: 'Invalid value of FLANNEL_IPMASQ: yes' });
  t.notThrows(() => render({ ...ENV, FLANNEL_IPMASQ: 'yes' }, { ...base, ipMasq: false }));
});

test('options: getopts "f:d:icmk:w:"', (t) => {
  t.deepEqual(parseDockerOptsArgs([]), DEFAULTS);
  t.deepEqual(parseDockerOptsArgs(['-f', '/a', '-d/b', '-ic', '-m', '-k', 'K', '-w', '5']), { envFile: '/a', out: '/b', individual: true, combined: true, ipMasq: false, key: 'K', waitSeconds: 5 });
  t.throws(() => parseDockerOptsArgs(['-w', 'x']), { message: /not a number of seconds/ });
  t.is(parseDockerOptsArgs(['-ckDOCKER_NETWORK_OPTIONS']).key, 'DOCKER_NETWORK_OPTIONS');
  t.throws(() => parseDockerOptsArgs(['-x']), { message: /illegal option -- x/ });
  t.throws(() => parseDockerOptsArgs(['-f']), { message: /requires an argument -- f/ });
  t.throws(() => parseDockerOptsArgs(['-k', 'A-B']), { message: /not a shell variable name/ });
});

test('env file text: what flanneld writes, quotes, comments', (t) => {
  t.deepEqual(parseEnvText('FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET="10.1.74.1/24"\n# x\nexport FLANNEL_MTU=1450\nnot a line\n'), { FLANNEL_NETWORK: '10.1.0.0/16', FLANNEL_SUBNET: '10.1.74.1/24', FLANNEL_MTU: '1450' });
});

test('bin/mk-docker-opts and bin/mk-docker-opts.sh on a temp subnet.env', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-mkdo-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const envFile = join(dir, 'subnet.env');
  await writeFile(envFile, 'FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.74.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n');
  const out = join(dir, 'flannel', 'docker');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const r = await tryRun(join(ROOT, 'bin/mk-docker-opts'), ['-k', 'DOCKER_NETWORK_OPTIONS', '-d', out, '-f', envFile], { env });
  t.is(r.exitCode, 0, r.stderr);
  t.is(await readFile(out, 'utf8'), 'DOCKER_OPT_BIP="--bip=10.1.74.1/24"\nDOCKER_OPT_IPMASQ="--ip-masq=false"\nDOCKER_OPT_MTU="--mtu=1450"\nDOCKER_NETWORK_OPTIONS=" --bip=10.1.74.1/24 --ip-masq=false --mtu=1450 "\n');
  const out2 = join(dir, 'docker_opts.env');
  const r2 = await tryRun(join(ROOT, 'bin/mk-docker-opts.sh'), ['-c', '-m', '-f', envFile, '-d', out2], { env });
  t.is(r2.exitCode, 0, r2.stderr);
  t.is(await readFile(out2, 'utf8'), 'DOCKER_OPTS=" --bip=10.1.74.1/24 --mtu=1450 "\n');
  // -w: waits for a file that comes later (flanneld.service is Type=simple); gives up with exit 1 when it never does.
  const later = join(dir, 'later.env');
  const waiting = tryRun(join(ROOT, 'bin/mk-docker-opts'), ['-w', '60', '-c', '-f', later, '-d', join(dir, 'later.out')], { env });
  setTimeout(() => void writeFile(later, 'FLANNEL_SUBNET=10.1.5.1/24\n'), 500);
  const w = await waiting;
  t.is(w.exitCode, 0, w.stderr);
  t.is(await readFile(join(dir, 'later.out'), 'utf8'), 'DOCKER_OPTS=" --bip=10.1.5.1/24 "\n');
  const never = await tryRun(join(ROOT, 'bin/mk-docker-opts'), ['-w', '1', '-f', join(dir, 'never.env'), '-d', join(dir, 'never.out')], { env });
  t.is(never.exitCode, 1);
  t.regex(never.stderr, /did not appear within 1s/);
  const bad = await tryRun(join(ROOT, 'bin/mk-docker-opts'), ['-z'], { env });
  t.is(bad.exitCode, 1);
  t.regex(bad.stderr, /illegal option -- z[\s\S]*\[-k COMBINED-KEY\]/);
});
