import test from 'ava';
import { parseEnvFile, splitCommandLine } from '../../../../controlplane/machinery/flags/envfile.js';

test('parseEnvFile: systemd EnvironmentFile forms', (t) => {
  const text = [
    '###',
    '# kubernetes system config',
    '; also a comment',
    'KUBE_LOGTOSTDERR="--logtostderr=true"',
    "KUBE_LOG_LEVEL='--v=0'",
    '  KUBE_ALLOW_PRIV=--allow-privileged=false   ',
    'KUBE_API_ARGS=""',
    'MULTI="--a=1 \\',
    '--b=2"',
    'UNQUOTED=one\\',
    'two',
    'ESCAPED="say \\"hi\\""',
    'not an assignment',
    'KUBE_LOG_LEVEL="--v=2"',
  ].join('\n');
  t.deepEqual(parseEnvFile(text), {
    KUBE_LOGTOSTDERR: '--logtostderr=true',
    KUBE_LOG_LEVEL: '--v=2',
    KUBE_ALLOW_PRIV: '--allow-privileged=false',
    KUBE_API_ARGS: '',
    MULTI: '--a=1 --b=2',
    UNQUOTED: 'onetwo',
    ESCAPED: 'say "hi"',
  });
});

const env = { A: '--a=1 --b=2', EMPTY: '', DIR: '/var/log/kube', HOST: '10.0.0.5' };
const cases: { name: string; line: string; want: string[]; mode?: 'sh' | 'systemd' }[] = [
  { name: 'plain words', line: 'kube-proxy --v=2 --master=http://x', want: ['kube-proxy', '--v=2', '--master=http://x'] },
  { name: 'unquoted $VAR splits', line: 'x $A', want: ['x', '--a=1', '--b=2'] },
  { name: 'empty unquoted var vanishes', line: 'x $EMPTY --c', want: ['x', '--c'] },
  { name: 'quoted var stays one word', line: 'x --log-dir="$DIR/"', want: ['x', '--log-dir=/var/log/kube/'] },
  { name: '${VAR} in a word', line: 'x --node-ip=${HOST}', want: ['x', '--node-ip=10.0.0.5'] },
  { name: 'single quotes are literal', line: "x '--k=$HOST'", want: ['x', '--k=$HOST'] },
  { name: 'backslash-newline continuation', line: 'x \\\n--a \\\n--b', want: ['x', '--a', '--b'] },
  { name: 'unquoted newline ends the command', line: 'x --a\ny --b', want: ['x', '--a'] },
  { name: 'trailing & ends the command', line: 'flanneld -etcd-endpoints="http://$HOST:4001" &', want: ['flanneld', '-etcd-endpoints=http://10.0.0.5:4001'] },
  { name: 'comment', line: 'x --a # the rest', want: ['x', '--a'] },
  { name: 'explicit empty string is an argument', line: 'x ""', want: ['x', ''] },
  { name: 'systemd: $VAR word splits', line: '/usr/bin/kube-apiserver $A $EMPTY', want: ['/usr/bin/kube-apiserver', '--a=1', '--b=2'], mode: 'systemd' },
  { name: 'systemd: ${VAR} does not split', line: 'x ${A}', want: ['x', '--a=1 --b=2'], mode: 'systemd' },
];
for (const tc of cases) {
  test(`splitCommandLine: ${tc.name}`, (t) => {
    t.deepEqual(splitCommandLine(tc.line, env, { mode: tc.mode }), tc.want);
  });
}

test('splitCommandLine: strict mode names the missing variable', (t) => {
  t.throws(() => splitCommandLine('x $NOPE', env, { strict: true }), { message: /\$NOPE is not set/ });
  t.throws(() => splitCommandLine('x "unterminated', env), { message: /unterminated "/ });
});
