/**
 * Admission on connect through the API server: pods/exec and pods/attach
 * (plain and upgrade requests) meet DenyEscalatingExec before the kubelet
 * route is looked up; other subresources and writes do not.
 */
import test from 'ava';
import { request } from 'node:http';
import { newAdmissionChain } from '../../../../controlplane/apiserver/admission/index.js';
import type { Security } from '../../../../controlplane/apiserver/authz/security.js';
import { startApiServer, type TestApiServer } from '../../../harness/apiserver.js';

let srv: TestApiServer;

test.before(async () => {
  srv = await startApiServer({
    api: {
      // Only admission matters here: requests come over the insecure (unauthenticated) path.
      security: (objects) => ({ authenticator: undefined as never, authorizer: undefined as never, admission: newAdmissionChain(['DenyEscalatingExec'], objects), rbac: false }) satisfies Security,
    },
  });
  const pod = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox', securityContext: {} }], ...spec } });
  for (const p of [pod('plain'), pod('priv', { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }] }), pod('hostpid', { hostPID: true })]) {
    const r = await fetch(`${srv.url}/api/v1/namespaces/default/pods`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(p) });
    if (r.status !== 201) throw new Error(`creating ${p.metadata.name}: ${r.status} ${await r.text()}`);
  }
});
test.after.always(() => srv?.stop());

test('plain exec/attach requests are admitted as CONNECT', async (t) => {
  const cases: [string, string, number, RegExp][] = [
    ['priv', 'exec', 403, /^pods "priv" is forbidden: cannot exec into or attach to a privileged container$/],
    ['priv', 'attach', 403, /^pods "priv" is forbidden: cannot exec into or attach to a privileged container$/],
    ['hostpid', 'exec', 403, /^pods "hostpid" is forbidden: cannot exec into or attach to a container using host pid$/],
    // admitted: the route lookup comes next (no node in this test)
    ['plain', 'exec', 400, /does not have a host assigned/],
    ['priv', 'portforward', 400, /does not have a host assigned/],
  ];
  for (const [name, sub, code, message] of cases) {
    const r = await fetch(`${srv.url}/api/v1/namespaces/default/pods/${name}/${sub}?command=ls&stdout=true`, { method: 'POST' });
    const body = (await r.json()) as { message: string };
    t.is(r.status, code, `${name}/${sub}`);
    t.regex(body.message, message, `${name}/${sub}`);
  }
});

test('upgrade (SPDY/WebSocket) exec requests are admitted as CONNECT', async (t) => {
  const upgrade = (path: string) =>
    new Promise<{ code: number; body: string }>((resolve, reject) => {
      const u = new URL(srv.url);
      const req = request({ host: u.hostname, port: u.port, path, method: 'POST', headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' } });
      req.on('upgrade', () => reject(new Error('unexpectedly upgraded')));
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  const denied = await upgrade('/api/v1/namespaces/default/pods/priv/exec?command=sh&stdin=true');
  t.is(denied.code, 403);
  t.is((JSON.parse(denied.body) as { message: string }).message, 'pods "priv" is forbidden: cannot exec into or attach to a privileged container');
  const admitted = await upgrade('/api/v1/namespaces/default/pods/plain/attach?stdin=true');
  t.is(admitted.code, 400);
  t.regex(admitted.body, /does not have a host assigned/);
});
