/**
 * [integration] kube-dns as it runs: main() with real flags against the real
 * in-process API server, its DNS sockets on a loopback port, asked by Node's
 * own resolver (c-ares) and by a raw TCP exchange. Names outside the zone go
 * to fake upstream servers this test runs on loopback — never further.
 */
import test from 'ava';
import { Resolver } from 'node:dns/promises';
import type { ConfigMap, Endpoints, Service } from '../../../../controlplane/api/core/v1/types.js';
import { RestClient } from '../../../../controlplane/client/rest.js';
import { resources } from '../../../../controlplane/client/resources.js';
import { main } from '../../../../controlplane/addons/dns/main.js';
import { tcpExchange } from '../../../../controlplane/addons/dns/forward.js';
import { decodeMessage } from '../../../../controlplane/addons/dns/wire/decode.js';
import { encodeMessage } from '../../../../controlplane/addons/dns/wire/encode.js';
import { RRClass, RRType } from '../../../../controlplane/addons/dns/wire/types.js';
import { startApiServer, type TestApiServer } from '../../../harness/apiserver.js';
import { freePorts } from '../../../harness/ports.js';
import { startFakeUpstream, type FakeUpstream } from './fakeupstream.js';

interface Env {
  api: TestApiServer;
  client: RestClient;
  upstream: FakeUpstream;
  stub: FakeUpstream;
  dnsPort: number;
  healthzPort: number;
  resolver: Resolver;
  stderr: string[];
  abort(): void;
  stop(): Promise<void>;
  exit: Promise<number>;
}

let env: Env;

/** Retries `fn` until it stops throwing (informer latency); no upper bound but the test timeout. */
async function eventually<T>(fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

test.before(async () => {
  const api = await startApiServer();
  const client = new RestClient({ server: api.url, source: 'test' }, { qps: 0 });
  const upstream = await startFakeUpstream({ 'www.example.com.': '192.0.2.53', 'kubets.test.': '192.0.2.80' });
  const stub = await startFakeUpstream({ 'db.acme.local.': '198.51.100.7' });
  const [dnsPort, healthzPort] = await freePorts(2);
  const stderr: string[] = [];
  const ac = new AbortController();
  const exit = main(
    [
      `--kube-master-url=${api.url}`,
      '--dns-bind-address=127.0.0.1',
      `--dns-port=${dnsPort}`,
      `--healthz-port=${healthzPort}`,
      `--nameservers=127.0.0.1:${upstream.port}`,
      '--config-map=kube-dns',
      '--v=1',
    ],
    { stdout: { write: () => true }, stderr: { write: (s: string) => stderr.push(s) } },
    ac.signal,
  );
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([`127.0.0.1:${dnsPort}`]);
  env = {
    api,
    client,
    upstream,
    stub,
    dnsPort,
    healthzPort,
    resolver,
    stderr,
    exit,
    abort: () => ac.abort(),
    stop: async () => {
      ac.abort();
      await exit;
      client.close();
      await api.stop();
      await upstream.close();
      await stub.close();
    },
  };
  await eventually(async () => {
    const r = await fetch(`http://127.0.0.1:${healthzPort}/healthz`);
    if (r.status !== 200) throw new Error(await r.text());
  });
});

test.after.always(async () => {
  await env?.stop();
});

const svc = (name: string, spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name }, spec });

test.serial('flags are logged at --v=1 and the sync once', (t) => {
  const out = env.stderr.join('');
  t.regex(out, /FLAG: --dns-port="?\d+/);
  t.is(out.match(/caches synced/g)?.length, 1);
});

test.serial('a ClusterIP Service: A, SRV, PTR over UDP, and A over TCP', async (t) => {
  const created = await env.client.resource(resources.services, 'default').create(svc('web', { ports: [{ name: 'http', port: 80, protocol: 'TCP' }], selector: { app: 'web' } }));
  const ip = created.spec?.clusterIP ?? '';
  t.regex(ip, /^\d+\.\d+\.\d+\.\d+$/);
  const a = await eventually(() => env.resolver.resolve4('web.default.svc.cluster.local'));
  t.deepEqual(a, [ip]);
  const srv = await env.resolver.resolveSrv('_http._tcp.web.default.svc.cluster.local');
  t.deepEqual(srv, [{ name: 'web.default.svc.cluster.local', port: 80, priority: 10, weight: 100 }]);
  t.deepEqual(await env.resolver.reverse(ip), ['web.default.svc.cluster.local']);

  const q = encodeMessage({
    header: { id: 4242, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false, rcode: 0 },
    questions: [{ name: 'web.default.svc.cluster.local.', type: RRType.A, class: RRClass.IN }],
    answers: [],
    authority: [],
    additional: [],
  });
  const raw = await tcpExchange(q, { host: '127.0.0.1', port: env.dnsPort }, 4242, 5000);
  if (!raw) return t.fail('no TCP answer');
  const m = decodeMessage(raw);
  t.true(m.header.aa);
  t.deepEqual(m.answers.map((r) => r.data), [{ kind: 'A', address: ip }]);
});

test.serial('unknown cluster names: NXDOMAIN (not forwarded)', async (t) => {
  const e = await t.throwsAsync(env.resolver.resolve4('nope.default.svc.cluster.local'));
  t.is((e as NodeJS.ErrnoException).code, 'ENOTFOUND');
  t.false(env.upstream.asked.includes('nope.default.svc.cluster.local.'));
});

test.serial('a headless Service with Endpoints: A per address, hostnames, SRV; a new endpoint shows up', async (t) => {
  await env.client.resource(resources.services, 'default').create(svc('db', { clusterIP: 'None', ports: [{ name: 'mysql', port: 3306 }] }));
  const ep: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { namespace: 'default', name: 'db' },
    subsets: [{ addresses: [{ ip: '10.244.1.5', hostname: 'db-0' }], ports: [{ name: 'mysql', port: 3306, protocol: 'TCP' }] }],
  };
  await env.client.resource(resources.endpoints, 'default').create(ep);
  t.deepEqual(await eventually(() => env.resolver.resolve4('db.default.svc.cluster.local')), ['10.244.1.5']);
  t.deepEqual(await env.resolver.resolve4('db-0.db.default.svc.cluster.local'), ['10.244.1.5']);
  t.deepEqual(await env.resolver.resolveSrv('_mysql._tcp.db.default.svc.cluster.local'), [{ name: 'db-0.db.default.svc.cluster.local', port: 3306, priority: 10, weight: 100 }]);
  t.deepEqual(await env.resolver.reverse('10.244.1.5'), ['db-0.db.default.svc.cluster.local']);

  const cur = await env.client.resource(resources.endpoints, 'default').get('db');
  cur.subsets![0].addresses!.push({ ip: '10.244.2.6', hostname: 'db-1' });
  await env.client.resource(resources.endpoints, 'default').update(cur);
  t.deepEqual(await eventually(() => env.resolver.resolve4('db-1.db.default.svc.cluster.local')), ['10.244.2.6']);
  t.deepEqual((await env.resolver.resolve4('db.default.svc.cluster.local')).sort(), ['10.244.1.5', '10.244.2.6']);
});

test.serial('an ExternalName Service: CNAME, and its target looked up upstream', async (t) => {
  await env.client.resource(resources.services, 'default').create(svc('ext', { type: 'ExternalName', externalName: 'www.example.com' }));
  t.deepEqual(await eventually(() => env.resolver.resolveCname('ext.default.svc.cluster.local')), ['www.example.com']);
  t.deepEqual(await env.resolver.resolve4('ext.default.svc.cluster.local'), ['192.0.2.53']);
});

test.serial('pod A records', async (t) => {
  t.deepEqual(await env.resolver.resolve4('10-244-1-5.default.pod.cluster.local'), ['10.244.1.5']);
});

test.serial('names outside the zone are forwarded to the upstream nameserver', async (t) => {
  t.deepEqual(await env.resolver.resolve4('kubets.test'), ['192.0.2.80']);
  t.true(env.upstream.asked.includes('kubets.test.'));
  const e = await t.throwsAsync(env.resolver.resolve4('missing.test'));
  t.is((e as NodeJS.ErrnoException).code, 'ENOTFOUND');
});

test.serial('the kube-dns ConfigMap: stub domains go to their own servers', async (t) => {
  const cm: ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { namespace: 'kube-system', name: 'kube-dns' },
    data: { stubDomains: JSON.stringify({ 'acme.local': [`127.0.0.1:${env.stub.port}`] }) },
  };
  await env.client.resource(resources.configmaps, 'kube-system').create(cm);
  t.deepEqual(await eventually(() => env.resolver.resolve4('db.acme.local')), ['198.51.100.7']);
  t.true(env.stub.asked.includes('db.acme.local.'));
  t.false(env.upstream.asked.includes('db.acme.local.'));
  t.regex(env.stderr.join(''), /configuration changed.*acme\.local\.=127\.0\.0\.1:\d+/);
});

test.serial('/metrics counts queries by type and rcode', async (t) => {
  const text = await (await fetch(`http://127.0.0.1:${env.healthzPort}/metrics`)).text();
  t.regex(text, /kubedns_dns_requests_total\{proto="udp",type="A",rcode="NOERROR"\} \d+/);
  t.regex(text, /kubedns_dns_requests_total\{proto="udp",type="A",rcode="NXDOMAIN"\} \d+/);
  t.regex(text, /kubedns_dns_requests_total\{proto="tcp",type="A",rcode="NOERROR"\} 1/);
  t.regex(text, /kubedns_dns_request_duration_seconds_count\{source="cluster"\} \d+/);
  t.regex(text, /kubedns_cached_objects\{resource="services"\} [1-9]/);
});

test.serial('SIGTERM (the signal): exit 0, sockets closed', async (t) => {
  env.abort();
  t.is(await env.exit, 0);
  const e = await t.throwsAsync(env.resolver.resolve4('web.default.svc.cluster.local'));
  t.regex((e as NodeJS.ErrnoException).code ?? '', /ECONNREFUSED|ETIMEOUT/);
});
