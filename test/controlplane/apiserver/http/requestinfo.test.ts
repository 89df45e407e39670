import test from 'ava';
import { parseRequestInfo } from '../../../../controlplane/apiserver/http/requestinfo.js';

const cases: { method: string; path: string; query?: string; want: Record<string, unknown> | 'non-resource' }[] = [
  { method: 'GET', path: '/api', want: 'non-resource' },
  { method: 'GET', path: '/api/v1', want: 'non-resource' },
  { method: 'GET', path: '/apis/apps/v1', want: 'non-resource' },
  { method: 'GET', path: '/healthz', want: 'non-resource' },
  { method: 'GET', path: '/api/v1/pods', want: { verb: 'list', resource: 'pods', namespace: '', name: '' } },
  { method: 'GET', path: '/api/v1/namespaces/default/pods', want: { verb: 'list', resource: 'pods', namespace: 'default' } },
  { method: 'GET', path: '/api/v1/namespaces/default/pods', query: 'watch=true', want: { verb: 'watch', resource: 'pods' } },
  { method: 'GET', path: '/api/v1/namespaces/default/pods', query: 'watch=1', want: { verb: 'watch' } },
  { method: 'GET', path: '/api/v1/watch/namespaces/default/pods', want: { verb: 'watch', namespace: 'default', resource: 'pods' } },
  { method: 'GET', path: '/api/v1/namespaces/default/pods/p1', want: { verb: 'get', name: 'p1' } },
  { method: 'POST', path: '/api/v1/namespaces/default/pods', want: { verb: 'create' } },
  { method: 'PUT', path: '/api/v1/namespaces/default/pods/p1/status', want: { verb: 'update', subresource: 'status' } },
  { method: 'PATCH', path: '/apis/apps/v1/namespaces/ns/deployments/d/scale', want: { verb: 'patch', group: 'apps', version: 'v1', resource: 'deployments', subresource: 'scale' } },
  { method: 'DELETE', path: '/api/v1/namespaces/default/pods/p1', want: { verb: 'delete' } },
  { method: 'DELETE', path: '/api/v1/namespaces/default/pods', want: { verb: 'deletecollection' } },
  { method: 'GET', path: '/api/v1/namespaces', want: { verb: 'list', resource: 'namespaces', namespace: '' } },
  { method: 'GET', path: '/api/v1/namespaces/kube-system', want: { verb: 'get', resource: 'namespaces', name: 'kube-system', namespace: '' } },
  { method: 'PUT', path: '/api/v1/namespaces/ns1/finalize', want: { verb: 'update', resource: 'namespaces', name: 'ns1', subresource: 'finalize' } },
  { method: 'GET', path: '/api/v1/namespaces/ns1/status', want: { verb: 'get', resource: 'namespaces', name: 'ns1', subresource: 'status' } },
  { method: 'POST', path: '/api/v1/namespaces/ns/pods/p/exec', want: { verb: 'connect', subresource: 'exec' } },
  { method: 'GET', path: '/api/v1/nodes/n1/proxy/metrics/cadvisor', want: { verb: 'proxy', resource: 'nodes', name: 'n1', subresource: 'proxy', rest: ['metrics', 'cadvisor'] } },
  { method: 'GET', path: '/api/v1/namespaces/ns/services/https:web:443/proxy/a', want: { verb: 'proxy', name: 'https:web:443', rest: ['a'] } },
];

for (const tc of cases) {
  test(`${tc.method} ${tc.path}${tc.query ? '?' + tc.query : ''}`, (t) => {
    const r = parseRequestInfo(tc.method, tc.path, new URLSearchParams(tc.query ?? ''));
    if (tc.want === 'non-resource') {
      t.false(r.isResourceRequest);
      return;
    }
    t.true(r.isResourceRequest);
    for (const [k, v] of Object.entries(tc.want)) t.deepEqual((r as unknown as Record<string, unknown>)[k], v, k);
  });
}
