// The REST transport against a scripted HTTP server: retries (429 with
// Retry-After for every verb, 5xx only for GET), Status errors with the
// server's reason, credentials on the wire, the qps/burst limiter, the
// protobuf content-type warning, and the watch decoder (split chunks, ERROR
// events, 410 → GoneError, clean end on close and on abort).
import test from 'ava';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConfigMap } from '../../../controlplane/api/core/v1/types.js';
import { ConnectionError, GoneError } from '../../../controlplane/client/errors.js';
import { RestClient } from '../../../controlplane/client/rest.js';
import { resources } from '../../../controlplane/client/resources.js';
import type { Fields, Logger, VerboseLogger } from '../../../controlplane/machinery/log/index.js';
import { StatusError } from '../../../controlplane/machinery/errors.js';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

async function serve(t: { teardown(fn: () => Promise<void>): void }, h: Handler) {
  let n = 0;
  const seen: IncomingMessage[] = [];
  const srv = createServer((req, res) => {
    seen.push(req);
    h(req, res, n++);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(async () => {
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
  });
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, seen, count: () => n };
}

const json = (res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, metadata: {} });
const cm = (name: string): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } });

class CaptureLog implements Logger {
  lines: string[] = [];
  info(m: string, f?: Fields) {
    this.lines.push(`I ${m} ${JSON.stringify(f ?? {})}`);
  }
  warn(m: string, f?: Fields) {
    this.lines.push(`W ${m} ${JSON.stringify(f ?? {})}`);
  }
  error(m: string, f?: Fields) {
    this.lines.push(`E ${m} ${JSON.stringify(f ?? {})}`);
  }
  v(): VerboseLogger {
    return { enabled: true, info: (m, f) => this.info(m, f) };
  }
  child(): Logger {
    return this;
  }
  flush() {
    return Promise.resolve();
  }
}

test('429 is retried for a POST, honouring Retry-After', async (t) => {
  const s = await serve(t, (req, res, n) => {
    if (n === 0) return json(res, 429, status(429, 'TooManyRequests', 'slow down'), { 'Retry-After': '1' });
    json(res, 201, cm('x'));
  });
  const c = new RestClient({ server: s.url, source: 'test' }, { qps: 0 });
  const start = Date.now();
  const out = await c.resource(resources.configmaps, 'default').create(cm('x'));
  t.is(out.metadata.name, 'x');
  t.is(s.count(), 2);
  t.true(Date.now() - start >= 950, 'waited Retry-After');
  c.close();
});

test('5xx is retried for GET but not for POST; the error keeps the server’s reason and code', async (t) => {
  const s = await serve(t, (req, res, n) => {
    if (req.method === 'GET' && n < 2) return json(res, 503, status(503, 'ServiceUnavailable', 'starting'));
    if (req.method === 'GET') return json(res, 200, cm('x'));
    json(res, 500, status(500, 'InternalError', 'Internal error occurred: boom'));
  });
  const c = new RestClient({ server: s.url, source: 'test' }, { qps: 0 });
  const cms = c.resource(resources.configmaps, 'default');
  t.is((await cms.get('x')).metadata.name, 'x');
  t.is(s.count(), 3);
  const err = await t.throwsAsync(cms.create(cm('y')), { instanceOf: StatusError });
  t.is(err!.code, 500);
  t.is(err!.reason, 'InternalError');
  t.is(s.count(), 4, 'POST was not retried');
  c.close();
});

test('a 404 is a StatusError NotFound; a non-Status body still gets a reason from the code', async (t) => {
  const s = await serve(t, (req, res) => {
    if (req.url?.endsWith('/a')) return json(res, 404, status(404, 'NotFound', 'configmaps "a" not found'));
    res.writeHead(403);
    res.end('nope');
  });
  const c = new RestClient({ server: s.url, source: 'test' }, { qps: 0 });
  const cms = c.resource(resources.configmaps, 'default');
  const e1 = await t.throwsAsync(cms.get('a'), { instanceOf: StatusError });
  t.is(e1!.reason, 'NotFound');
  t.is(e1!.message, 'configmaps "a" not found');
  const e2 = await t.throwsAsync(cms.get('b'), { instanceOf: StatusError });
  t.is(e2!.reason, 'Forbidden');
  c.close();
});

test('a refused connection is retried and then surfaces as ConnectionError', async (t) => {
  const c = new RestClient({ server: 'http://127.0.0.1:1', source: 'test' }, { qps: 0, maxRetries: 2 });
  const err = await t.throwsAsync(c.resource(resources.configmaps, 'default').get('x'), { instanceOf: ConnectionError });
  t.is(err!.causeCode, 'ECONNREFUSED');
  c.close();
});

test('credentials: bearer token and basic auth headers', async (t) => {
  const s = await serve(t, (req, res) => json(res, 200, cm('x')));
  const tok = new RestClient({ server: s.url, token: 'abc', source: 'test' }, { qps: 0 });
  await tok.resource(resources.configmaps, 'default').get('x');
  t.is(s.seen[0].headers.authorization, 'Bearer abc');
  const basic = new RestClient({ server: s.url, username: 'admin', password: 'pw', source: 'test' }, { qps: 0 });
  await basic.resource(resources.configmaps, 'default').get('x');
  t.is(s.seen[1].headers.authorization, 'Basic ' + Buffer.from('admin:pw').toString('base64'));
  t.is(s.seen[1].headers.accept, 'application/json');
  tok.close();
  basic.close();
});

test('--kube-api-qps/--kube-api-burst: requests beyond the burst wait for tokens', async (t) => {
  const s = await serve(t, (req, res) => json(res, 200, cm('x')));
  const c = new RestClient({ server: s.url, source: 'test' }, { qps: 20, burst: 5 });
  const cms = c.resource(resources.configmaps, 'default');
  const start = Date.now();
  await Promise.all(Array.from({ length: 15 }, () => cms.get('x')));
  const ms = Date.now() - start;
  t.true(ms >= 450, `10 requests past the burst at 20 qps take ~500 ms (took ${ms})`);
  c.close();
});

test('protobuf content type: one warning, JSON used; never logs the token', async (t) => {
  const s = await serve(t, (req, res) => json(res, 200, cm('x')));
  const log = new CaptureLog();
  const c = new RestClient({ server: s.url, token: 'TOPSECRET', source: 'test' }, { qps: 0, contentType: 'application/vnd.kubernetes.protobuf', log });
  await c.resource(resources.configmaps, 'default').create(cm('x'));
  t.is(log.lines.filter((l) => l.startsWith('W')).length, 1);
  t.regex(log.lines.join('\n'), /protobuf.*application\/json/);
  t.false(log.lines.join('\n').includes('TOPSECRET'));
  t.is(s.seen[0].headers['content-type'], 'application/json');
  c.close();
});

test('paths: namespaced, cluster-scoped, all namespaces, subresources, grouped APIs', async (t) => {
  const s = await serve(t, (req, res) => json(res, 200, { kind: 'List', metadata: { resourceVersion: '7' }, items: [] }));
  const c = new RestClient({ server: s.url + '/prefix/', source: 'test' }, { qps: 0 });
  await c.resource(resources.pods, 'ns1').list({ labelSelector: 'app=web', fieldSelector: 'spec.nodeName=n1', limit: 10 });
  await c.resource(resources.pods).list();
  await c.resource(resources.nodes).get('n1');
  await c.resource(resources.deployments, 'ns1').getSubresource('d', 'scale');
  await c.resource(resources.leases, 'kube-system').get('l');
  t.deepEqual(
    s.seen.map((r) => r.url),
    [
      '/prefix/api/v1/namespaces/ns1/pods?labelSelector=app%3Dweb&fieldSelector=spec.nodeName%3Dn1&limit=10',
      '/prefix/api/v1/pods',
      '/prefix/api/v1/nodes/n1',
      '/prefix/apis/apps/v1/namespaces/ns1/deployments/d/scale',
      '/prefix/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l',
    ],
  );
  c.close();
});

test('watch: events split across chunks decode; the stream end ends the iteration', async (t) => {
  const s = await serve(t, (req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const a = JSON.stringify({ type: 'ADDED', object: cm('a') }) + '\n' + JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } }) + '\n';
    res.write(a.slice(0, 17));
    setTimeout(() => {
      res.write(a.slice(17) + JSON.stringify({ type: 'DELETED', object: cm('a') }));
      res.end();
    }, 20);
  });
  const c = new RestClient({ server: s.url, source: 'test' }, { qps: 0 });
  const got: string[] = [];
  for await (const ev of c.resource(resources.configmaps, 'default').watch({ resourceVersion: '5', allowWatchBookmarks: true })) got.push(ev.type);
  t.deepEqual(got, ['ADDED', 'BOOKMARK', 'DELETED']);
  t.regex(s.seen[0].url!, /watch=true/);
  t.regex(s.seen[0].url!, /allowWatchBookmarks=true/);
  c.close();
});

test('watch: a 410 ERROR event throws GoneError; other ERROR events a StatusError', async (t) => {
  const s = await serve(t, (req, res, n) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const st = n === 0 ? status(410, 'Expired', 'too old resource version: 1 (5)') : status(500, 'InternalError', 'x');
    res.end(JSON.stringify({ type: 'ERROR', object: st }) + '\n');
  });
  const c = new RestClient({ server: s.url, source: 'test' }, { qps: 0 });
  const w = () => (async () => {
    for await (const ev of c.resource(resources.configmaps).watch({ resourceVersion: '1' })) void ev;
  })();
  const e = await t.throwsAsync(w(), { instanceOf: GoneError });
  t.is(e!.code, 410);
  const e2 = await t.throwsAsync(w(), { instanceOf: StatusError });
  t.is(e2!.code, 500);
  c.close();
});

test('watch: aborting the signal ends the iteration cleanly', async (t) => {
  const s = await serve(t, (req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write(JSON.stringify({ type: 'ADDED', object: cm('a') }) + '\n');
  });
  const c = new RestClient({ server: s.url, source: 'test' }, { qps: 0 });
  const ac = new AbortController();
  const got: string[] = [];
  for await (const ev of c.resource(resources.configmaps).watch({ signal: ac.signal })) {
    got.push(ev.object.metadata.name!);
    ac.abort();
  }
  t.deepEqual(got, ['a']);
  c.close();
});
