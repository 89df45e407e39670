// metrics.k8s.io in every discovery document kubectl reads, last among the
// groups, and absent from OpenAPI (it is not part of the scheme).
import test from 'ava';
import { startApiServer } from '../../../harness/apiserver.js';

type Json = Record<string, unknown>;

test('legacy and aggregated discovery list metrics.k8s.io/v1beta1; OpenAPI does not', async (t) => {
  const srv = await startApiServer();
  t.teardown(() => srv.stop());
  const get = async (path: string, accept = 'application/json') => {
    const r = await fetch(`${srv.url}${path}`, { headers: { Accept: accept } });
    t.is(r.status, 200, path);
    return { type: r.headers.get('content-type'), body: (await r.json()) as Json };
  };

  const groups = (await get('/apis')).body.groups as { name: string; preferredVersion: { groupVersion: string } }[];
  t.deepEqual(groups.at(-1), { name: 'metrics.k8s.io', versions: [{ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' }], preferredVersion: { groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' } });
  t.like((await get('/apis/metrics.k8s.io')).body, { kind: 'APIGroup', name: 'metrics.k8s.io' });
  const rl = (await get('/apis/metrics.k8s.io/v1beta1')).body;
  t.deepEqual(
    (rl.resources as Json[]).map((r) => [r.name, r.kind, r.namespaced]),
    [
      ['nodes', 'NodeMetrics', false],
      ['pods', 'PodMetrics', true],
    ],
  );

  for (const v of ['v2', 'v2beta1']) {
    const agg = await get('/apis', `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList,application/json`);
    t.is(agg.type, `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`);
    const items = agg.body.items as { metadata: { name: string }; versions: { version: string; resources: Json[] }[] }[];
    const last = items.at(-1)!;
    t.is(last.metadata.name, 'metrics.k8s.io');
    t.deepEqual(
      last.versions[0].resources.map((r) => [r.resource, (r.responseKind as Json).kind, r.scope, (r.verbs as string[]).join(',')]),
      [
        ['nodes', 'NodeMetrics', 'Cluster', 'get,list'],
        ['pods', 'PodMetrics', 'Namespaced', 'get,list'],
      ],
    );
    t.false(items.slice(0, -1).some((i) => i.metadata.name === 'metrics.k8s.io'));
  }

  const v3 = (await get('/openapi/v3')).body.paths as Json;
  t.false(Object.keys(v3).some((k) => k.includes('metrics.k8s.io')));
  const nodes = await fetch(`${srv.url}/apis/metrics.k8s.io/v1beta1/nodes`);
  t.like(await nodes.json(), { kind: 'NodeMetricsList', items: [] });
});
