/**
 * kube-dns's flags and its dynamic configuration: bad values exit 2 naming
 * the flag (through the real main()), the ConfigMap keys parse as upstream's,
 * and names route to stub domains by the longest suffix.
 */
import test from 'ava';
import { main } from '../../../../controlplane/addons/dns/main.js';
import { parseDomain, parseMasterURL } from '../../../../controlplane/addons/dns/config.js';
import { parseDynamicConfig, parseNameserver, resolvConfNameservers, routeFor, UpstreamConfigError, emptyDynamicConfig } from '../../../../controlplane/addons/dns/upstream.js';

async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
  const err: string[] = [];
  const ac = new AbortController();
  ac.abort();
  const code = await main(argv, { stdout: { write: () => true }, stderr: { write: (s: string) => err.push(s) } }, ac.signal);
  return { code, stderr: err.join('') };
}

const badFlags: { argv: string[]; message: RegExp }[] = [
  { argv: ['--bogus'], message: /unknown flag: --bogus/ },
  { argv: ['--domain=bad_domain'], message: /--domain "bad_domain"/ },
  { argv: ['--dns-port=0'], message: /--dns-port: 0/ },
  { argv: ['--dns-port=70000'], message: /--dns-port: 70000/ },
  { argv: ['--healthz-port=-2'], message: /--healthz-port/ },
  { argv: ['--dns-bind-address=nope'], message: /dns-bind-address/ },
  { argv: ['--nameservers=8.8.8.8,nohost:53'], message: /--nameservers: invalid nameserver "nohost:53"/ },
  { argv: ['--config-map=kube-dns', '--config-dir=/etc/kube-dns'], message: /--config-map and --config-dir cannot both be set/ },
  { argv: ['--kube-master-url=not a url'], message: /--kube-master-url/ },
  { argv: ['--config-period=0s'], message: /--config-period/ },
];
for (const b of badFlags) {
  test(`flags: ${b.argv.join(' ')} → exit 2`, async (t) => {
    const r = await run(b.argv);
    t.is(r.code, 2);
    t.regex(r.stderr, b.message);
    t.regex(r.stderr, /Run 'kube-dns --help' for usage/);
  });
}

test('flags: --help and --version exit 0', async (t) => {
  t.is((await run(['--help'])).code, 0);
  t.is((await run(['--version'])).code, 0);
});

const values: { name: string; fn: () => unknown; want: unknown }[] = [
  { name: 'domain gets its dot', fn: () => parseDomain('mycluster.net'), want: 'mycluster.net.' },
  { name: 'domain keeps its dot', fn: () => parseDomain('cluster.local.'), want: 'cluster.local.' },
  { name: 'master URL expands env', fn: () => parseMasterURL('http://${HOST}:8080', { HOST: '10.0.0.1' }), want: 'http://10.0.0.1:8080' },
  { name: 'nameserver ip', fn: () => parseNameserver('10.0.0.2'), want: { host: '10.0.0.2', port: 53 } },
  { name: 'nameserver ip:port', fn: () => parseNameserver('127.0.0.1:5353'), want: { host: '127.0.0.1', port: 5353 } },
  { name: 'nameserver v6 and [v6]:port', fn: () => [parseNameserver('fd00::1'), parseNameserver('[fd00::1]:54')], want: [{ host: 'fd00::1', port: 53 }, { host: 'fd00::1', port: 54 }] },
  {
    name: 'resolv.conf nameservers (zones dropped, other lines ignored)',
    fn: () => resolvConfNameservers('# x\nsearch default.svc.cluster.local\nnameserver 10.0.0.2\nnameserver fe80::1%eth0\noptions ndots:5\nnameserver bogus\n'),
    want: [{ host: '10.0.0.2', port: 53 }, { host: 'fe80::1', port: 53 }],
  },
  {
    name: 'ConfigMap keys as upstream writes them',
    fn: () => {
      const c = parseDynamicConfig({ stubDomains: '{"acme.local": ["1.2.3.4"], "Corp.Example": ["10.0.0.3:5353"]}', upstreamNameservers: '["8.8.8.8", "8.8.4.4"]' });
      return [[...c.stubDomains.keys()], c.upstreamNameservers.length];
    },
    want: [['acme.local.', 'corp.example.'], 2],
  },
  { name: 'empty ConfigMap: empty config', fn: () => parseDynamicConfig({}), want: emptyDynamicConfig() },
];
for (const v of values) test(`values: ${v.name}`, (t) => t.deepEqual(v.fn(), v.want));

const badConfig: { name: string; data: Record<string, string>; message: RegExp }[] = [
  { name: 'stubDomains not JSON', data: { stubDomains: '{' }, message: /stubDomains: not JSON/ },
  { name: 'stubDomains a list', data: { stubDomains: '["a"]' }, message: /want a JSON object/ },
  { name: 'stubDomains bad server', data: { stubDomains: '{"a.local": ["x.y"]}' }, message: /stubDomains\[a\.local\]/ },
  { name: 'stubDomains bad domain', data: { stubDomains: '{"a b": ["1.1.1.1"]}' }, message: /invalid domain/ },
  { name: 'four upstreams', data: { upstreamNameservers: '["1.1.1.1","1.1.1.2","1.1.1.3","1.1.1.4"]' }, message: /at most 3/ },
];
for (const b of badConfig) {
  test(`config: refuse ${b.name}`, (t) => {
    t.throws(() => parseDynamicConfig(b.data), { instanceOf: UpstreamConfigError, message: b.message });
  });
}

test('routing: longest stub domain wins, else the ConfigMap upstreams, else the defaults', (t) => {
  const dyn = parseDynamicConfig({ stubDomains: '{"local": ["1.1.1.1"], "acme.local": ["2.2.2.2"]}' });
  const defaults = [{ host: '9.9.9.9', port: 53 }];
  t.deepEqual(routeFor('db.acme.local.', dyn, defaults), { via: 'stub', servers: [{ host: '2.2.2.2', port: 53 }] });
  t.deepEqual(routeFor('x.local.', dyn, defaults), { via: 'stub', servers: [{ host: '1.1.1.1', port: 53 }] });
  t.deepEqual(routeFor('example.com.', dyn, defaults), { via: 'upstream', servers: defaults });
  const withUp = parseDynamicConfig({ upstreamNameservers: '["3.3.3.3"]' });
  t.deepEqual(routeFor('example.com.', withUp, defaults).servers, [{ host: '3.3.3.3', port: 53 }]);
});
