import test from 'ava';
import { FlagTable, parseArgs, type FlagSpec, type FlagValue } from '../../../../controlplane/machinery/flags/index.js';

const specs: FlagSpec[] = [
  { name: 'v', type: 'int', default: 0, help: 'verbosity' },
  { name: 'insecure-port', type: 'int', default: 8080, aliases: [{ name: 'port', deprecated: 'see --insecure-port instead.' }], help: 'port' },
  { name: 'profiling', type: 'bool', default: true, help: 'profiling' },
  { name: 'leader-elect', type: 'bool', default: false, help: 'le' },
  { name: 'master', type: 'string', default: '', help: 'master' },
  { name: 'qps', type: 'float', default: 5, help: 'qps' },
  { name: 'sync', type: 'duration', default: '1m0s', help: 'sync' },
  { name: 'mem', type: 'quantity', default: '', help: 'mem' },
  { name: 'servers', type: 'stringList', default: 'a', help: 'servers' },
  { name: 'labels', type: 'stringMap', default: '', help: 'labels' },
  { name: 'runtime-config', type: 'stringMap', default: '', bareKeys: true, help: 'rc' },
  { name: 'dns', type: 'ipList', default: '', help: 'dns' },
  { name: 'bind', type: 'ip', default: '0.0.0.0', help: 'bind' },
  { name: 'range', type: 'cidr', default: '', help: 'range' },
  { name: 'evict', type: 'evictionMap', default: '', help: 'evict' },
  { name: 'ports', type: 'portRange', default: '30000-32767', help: 'ports' },
  { name: 'mode', type: 'enum', default: 'sqlite', values: ['sqlite', 'etcd3'], valueAliases: { etcd2: { value: 'etcd3', message: 'etcd2 is read as etcd3' } }, help: 'mode' },
  { name: 'threshold', type: 'severity', default: 2, help: 'th' },
  { name: 'conntrack-max-per-core', type: 'int', default: 32768, aliases: ['contrack-max-per-core'], help: 'ct' },
  { name: 'cloud-provider', type: 'string', default: '', noop: 'no cloud provider integration', help: 'cp' },
  { name: 'old', type: 'bool', default: false, deprecated: 'do not use.', help: 'old' },
];
const table = new FlagTable('kube-test', specs);
const goTable = new FlagTable('flanneld', [
  { name: 'etcd-endpoints', type: 'stringList', default: 'http://127.0.0.1:2379', help: 'e' },
  { name: 'iface', type: 'stringList', default: '', help: 'i' },
  { name: 'ip-masq', type: 'bool', default: false, help: 'm' },
  { name: 'log-dir', type: 'string', default: '', help: 'd' },
], 'goflag');

interface Ok { name: string; argv: string[]; flag: string; want: FlagValue; tbl?: FlagTable; positional?: string[] }
const ok: Ok[] = [
  { name: '--name=value', argv: ['--v=4'], flag: 'v', want: 4 },
  { name: '--name value', argv: ['--v', '4'], flag: 'v', want: 4 },
  { name: '-v shorthand', argv: ['-v', '3'], flag: 'v', want: 3 },
  { name: '-v=N shorthand', argv: ['-v=5'], flag: 'v', want: 5 },
  { name: 'single dash long name (the seeds write it)', argv: ['-master=http://x:8080'], flag: 'master', want: 'http://x:8080' },
  { name: 'default when absent', argv: [], flag: 'insecure-port', want: 8080 },
  { name: 'bare bool', argv: ['--leader-elect'], flag: 'leader-elect', want: true },
  { name: 'bool=false', argv: ['--profiling=false'], flag: 'profiling', want: false },
  { name: 'bool="true" quoted by the shell', argv: ['--leader-elect=true'], flag: 'leader-elect', want: true },
  { name: 'bool=1 / F (strconv.ParseBool)', argv: ['--profiling=F'], flag: 'profiling', want: false },
  { name: 'bare bool does not eat the next word', argv: ['--leader-elect', 'false'], flag: 'leader-elect', want: true, positional: ['false'] },
  { name: 'last occurrence wins', argv: ['--v=1', '--v=6'], flag: 'v', want: 6 },
  { name: 'hex int', argv: ['--v=0x10'], flag: 'v', want: 16 },
  { name: 'negative int', argv: ['--v=-1'], flag: 'v', want: -1 },
  { name: 'float', argv: ['--qps=0.1'], flag: 'qps', want: 0.1 },
  { name: 'duration Go form', argv: ['--sync=1h30m'], flag: 'sync', want: 5_400_000 },
  { name: 'duration 0', argv: ['--sync=0'], flag: 'sync', want: 0 },
  { name: 'quantity 100m', argv: ['--mem=100m'], flag: 'mem', want: '100m' },
  { name: 'quantity 1.5Gi', argv: ['--mem=1.5Gi'], flag: 'mem', want: '1.5Gi' },
  { name: 'quantity 2e3', argv: ['--mem=2e3'], flag: 'mem', want: '2e3' },
  { name: 'stringList replaces the default', argv: ['--servers=x,y'], flag: 'servers', want: ['x', 'y'] },
  { name: 'stringList repeated appends', argv: ['--servers=x', '--servers', 'y,z'], flag: 'servers', want: ['x', 'y', 'z'] },
  { name: 'stringList empty', argv: ['--servers='], flag: 'servers', want: [] },
  { name: 'stringMap', argv: ['--labels=a=1,b=2'], flag: 'labels', want: { a: '1', b: '2' } },
  { name: 'stringMap repeated merges', argv: ['--labels=a=1', '--labels=b=2,a=3'], flag: 'labels', want: { a: '3', b: '2' } },
  { name: 'stringMap value with =', argv: ['--labels=k=v=w'], flag: 'labels', want: { k: 'v=w' } },
  { name: 'bare keys where allowed (--runtime-config)', argv: ['--runtime-config=rbac.authorization.k8s.io/v1alpha1,api/all=true'], flag: 'runtime-config', want: { 'rbac.authorization.k8s.io/v1alpha1': '', 'api/all': 'true' } },
  { name: 'ipList', argv: ['--dns=10.0.0.10,fd00::a'], flag: 'dns', want: ['10.0.0.10', 'fd00::a'] },
  { name: 'ip', argv: ['--bind=192.168.1.2'], flag: 'bind', want: '192.168.1.2' },
  { name: 'cidr v4', argv: ['--range=10.0.0.0/16'], flag: 'range', want: '10.0.0.0/16' },
  { name: 'cidr v6', argv: ['--range=fd00::/108'], flag: 'range', want: 'fd00::/108' },
  {
    name: 'eviction map',
    argv: ['--evict=memory.available<100Mi,nodefs.available<10%'],
    flag: 'evict',
    want: [
      { signal: 'memory.available', operator: '<', value: '100Mi' },
      { signal: 'nodefs.available', operator: '<', value: '10%' },
    ],
  },
  { name: 'port range a-b', argv: ['--ports=30000-33500'], flag: 'ports', want: { base: 30000, size: 3501 } },
  { name: 'port range base+size', argv: ['--ports=30000+100'], flag: 'ports', want: { base: 30000, size: 100 } },
  { name: 'port range default', argv: [], flag: 'ports', want: { base: 30000, size: 2768 } },
  { name: 'enum', argv: ['--mode=etcd3'], flag: 'mode', want: 'etcd3' },
  { name: 'enum value alias', argv: ['--mode=etcd2'], flag: 'mode', want: 'etcd3' },
  { name: 'severity by number (the seeds use 4)', argv: ['--threshold=4'], flag: 'threshold', want: 4 },
  { name: 'severity by name', argv: ['--threshold=WARNING'], flag: 'threshold', want: 1 },
  { name: 'typo alias', argv: ['--contrack-max-per-core=65535'], flag: 'conntrack-max-per-core', want: 65535 },
  { name: 'deprecated alias', argv: ['--port=9090'], flag: 'insecure-port', want: 9090 },
  { name: 'underscore normalized to dash', argv: ['--conntrack_max_per_core=1'], flag: 'conntrack-max-per-core', want: 1 },
  { name: '-- ends flags', argv: ['--v=2', '--', '--v=9'], flag: 'v', want: 2, positional: ['--v=9'] },
  { name: 'positional collected (pflag intersperses)', argv: ['foo', '--v=2', 'bar'], flag: 'v', want: 2, positional: ['foo', 'bar'] },
  { name: 'goflag -name=value', argv: ['-etcd-endpoints=http://a:2379,http://b:2379'], flag: 'etcd-endpoints', want: ['http://a:2379', 'http://b:2379'], tbl: goTable },
  { name: 'goflag -name value', argv: ['-iface', 'eth1'], flag: 'iface', want: ['eth1'], tbl: goTable },
  { name: 'goflag --name also', argv: ['--ip-masq'], flag: 'ip-masq', want: true, tbl: goTable },
  { name: 'goflag glog underscore name', argv: ['-log_dir=/var/log'], flag: 'log-dir', want: '/var/log', tbl: goTable },
  { name: 'goflag stops at the first non-flag', argv: ['x', '-ip-masq'], flag: 'ip-masq', want: false, tbl: goTable, positional: ['x', '-ip-masq'] },
];
for (const tc of ok) {
  test(`parse: ${tc.name}`, (t) => {
    const r = parseArgs(tc.tbl ?? table, tc.argv);
    if (r.kind !== 'flags') return t.fail(`want flags, got ${r.kind}: ${r.kind === 'error' ? r.error.message : ''}`);
    t.deepEqual(r.flags.get(tc.flag), tc.want);
    t.deepEqual([...r.flags.positional], tc.positional ?? []);
  });
}

interface Bad { name: string; argv: string[]; message: string; tbl?: FlagTable }
const bad: Bad[] = [
  { name: 'unknown flag', argv: ['--foo'], message: 'unknown flag: --foo' },
  { name: 'unknown flag with value', argv: ['--foo=1'], message: 'unknown flag: --foo' },
  { name: 'unknown shorthand', argv: ['-x'], message: "unknown shorthand flag: 'x' in -x" },
  { name: 'bad int', argv: ['--v=abc'], message: 'invalid argument "abc" for "--v" flag: strconv.ParseInt: parsing "abc": invalid syntax' },
  { name: 'bad bool', argv: ['--profiling=yes'], message: 'invalid argument "yes" for "--profiling" flag: strconv.ParseBool: parsing "yes": invalid syntax' },
  { name: 'bad float', argv: ['--qps=fast'], message: 'invalid argument "fast" for "--qps" flag: strconv.ParseFloat: parsing "fast": invalid syntax' },
  { name: 'bad duration', argv: ['--sync=5'], message: 'invalid argument "5" for "--sync" flag: time: invalid duration "5"' },
  { name: 'bad quantity', argv: ['--mem=1.5GB'], message: 'invalid argument "1.5GB" for "--mem" flag: quantities must match' },
  { name: 'bad map pair', argv: ['--labels=a'], message: 'invalid argument "a" for "--labels" flag: malformed pair "a", expect string=string' },
  { name: 'bad ip', argv: ['--bind=300.1.1.1'], message: 'invalid argument "300.1.1.1" for "--bind" flag: failed to parse IP' },
  { name: 'bad ip in list', argv: ['--dns=10.0.0.1,nope'], message: 'invalid string being converted to IP address: nope' },
  { name: 'bad cidr', argv: ['--range=10.0.0.0/33'], message: 'invalid CIDR address: 10.0.0.0/33' },
  { name: 'eviction unknown signal', argv: ['--evict=memory.free<1Gi'], message: 'unsupported eviction signal memory.free' },
  { name: 'eviction no operator', argv: ['--evict=memory.available=1Gi'], message: 'invalid eviction threshold syntax memory.available=1Gi' },
  { name: 'eviction bad value', argv: ['--evict=memory.available<lots'], message: 'invalid eviction threshold value "lots"' },
  { name: 'eviction percent over 100', argv: ['--evict=nodefs.available<150%'], message: 'must be positive and at most 100%' },
  { name: 'port range reversed', argv: ['--ports=5-1'], message: 'end port is lower than start port' },
  { name: 'port range garbage', argv: ['--ports=a-b'], message: 'unable to parse port range: a-b' },
  { name: 'enum not in values', argv: ['--mode=etcd4'], message: 'invalid argument "etcd4" for "--mode" flag: must be one of "sqlite", "etcd3"' },
  { name: 'severity garbage', argv: ['--threshold=LOUD'], message: 'strconv.Atoi: parsing "LOUD"' },
  { name: 'missing argument', argv: ['--master'], message: 'flag needs an argument: --master' },
  { name: 'bool with empty value', argv: ['--profiling='], message: 'invalid argument "" for "--profiling" flag' },
  { name: 'bad syntax ---x', argv: ['---x'], message: 'bad flag syntax: ---x' },
  { name: 'goflag unknown', argv: ['-nope'], message: 'flag provided but not defined: -nope', tbl: goTable },
  { name: 'goflag bad bool', argv: ['-ip-masq=maybe'], message: 'invalid value "maybe" for flag -ip-masq', tbl: goTable },
];
for (const tc of bad) {
  test(`reject: ${tc.name}`, (t) => {
    const r = parseArgs(tc.tbl ?? table, tc.argv);
    if (r.kind !== 'error') return t.fail(`want error, got ${r.kind}`);
    t.true(r.error.message.startsWith(tc.message) || r.error.message.includes(tc.message), r.error.message);
    t.false(r.error.message.includes('\n'), 'one line');
  });
}

test('help: --help and -h', (t) => {
  t.is(parseArgs(table, ['--help']).kind, 'help');
  t.is(parseArgs(table, ['-h']).kind, 'help');
  t.is(parseArgs(goTable, ['-help']).kind, 'help');
});

test('notices: one line per used no-op, deprecated and alias flag', (t) => {
  const r = parseArgs(table, ['--cloud-provider=aws', '--cloud-provider=gce', '--old', '--port=1', '--contrack-max-per-core=2', '--mode=etcd2', '--v=1']);
  if (r.kind !== 'flags') return t.fail();
  t.deepEqual(
    r.flags.notices.map((n) => n.message),
    [
      'Flag --cloud-provider has no effect in kubets: no cloud provider integration',
      'Flag --old has been deprecated, do not use.',
      'Flag --port has been deprecated, see --insecure-port instead.',
      'Flag --contrack-max-per-core is read as --conntrack-max-per-core (a spelling the seed documents use)',
      'etcd2 is read as etcd3',
    ],
  );
  t.true(r.flags.isSet('insecure-port'));
  t.false(r.flags.isSet('master'));
});

test('typed accessors check the declared type', (t) => {
  const r = parseArgs(table, ['--sync=2s']);
  if (r.kind !== 'flags') return t.fail();
  t.is(r.flags.duration('sync'), 2000);
  t.is(r.flags.number('v'), 0);
  t.throws(() => r.flags.bool('v'), { message: /--v is a int/ });
  t.throws(() => r.flags.get('nope'), { message: /no flag --nope/ });
});

interface TableErr { name: string; specs: FlagSpec[]; message: RegExp }
const tableErrors: TableErr[] = [
  { name: 'default that does not parse', specs: [{ name: 'x', type: 'duration', default: '5', help: '' }], message: /default "5" of --x does not parse/ },
  { name: 'duplicate name', specs: [{ name: 'x', type: 'int', default: 0, help: '' }, { name: 'x', type: 'int', default: 0, help: '' }], message: /--x declared twice/ },
  { name: 'alias clashes with a name', specs: [{ name: 'x', type: 'int', default: 0, help: '' }, { name: 'y', type: 'int', default: 0, aliases: ['x'], help: '' }], message: /--x declared twice/ },
  { name: 'enum without values', specs: [{ name: 'x', type: 'enum', default: '', help: '' }], message: /enum without values/ },
];
for (const tc of tableErrors) {
  test(`table: ${tc.name}`, (t) => {
    t.throws(() => new FlagTable('bad', tc.specs), { message: tc.message });
  });
}
