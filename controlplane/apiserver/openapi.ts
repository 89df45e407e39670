/**
 * OpenAPI documents, enough for kubectl's default `--validate=strict`
 * (API-SURFACE.md §b.9): a v3 index with one document per group-version whose
 * PATCH operations declare the `fieldValidation` parameter (so kubectl 1.29+
 * trusts the server), and /openapi/v2 as an empty protobuf document (so 1.27 and
 * 1.28 read it for `explain` and client-side apply). Component schemas come
 * from the generated registry (hack/gen-openapi.ts → openapi/schemas.generated.json),
 * with the merge keys and strategies client-side apply needs.
 */
import { createHash } from 'node:crypto';
import type { Scheme } from '../api/scheme.js';
import { schemasFor, defaultRegistry } from './openapi/schemas.js';
import { buildOpenAPIV2, encodeOpenAPIV2 } from './openapi/v2.js';

export const OPENAPI_V2_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

export interface OpenAPIDocs {
  index: unknown;
  /** key: "api/v1" or "apis/apps/v1". */
  docs: Map<string, { body: string; hash: string }>;
  /** The v2 document as gnostic protobuf, built on first use (~0.4 s the first time). */
  v2(): Uint8Array;
}

export function buildOpenAPI(scheme: Scheme): OpenAPIDocs {
  const docs = new Map<string, { body: string; hash: string }>();
  for (const g of scheme.groups()) {
    for (const v of g.versions) {
      const key = g.name ? `apis/${g.name}/${v}` : `api/${v}`;
      const paths: Record<string, unknown> = {};
      for (const r of scheme.resourcesIn({ group: g.name, version: v })) {
        const gvk = { group: r.group, version: r.version, kind: r.kind };
        const base = `/${key}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}`;
        const params = [
          { name: 'dryRun', in: 'query', schema: { type: 'string' } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string' } },
          { name: 'fieldValidation', in: 'query', schema: { type: 'string' } },
        ];
        const item: Record<string, unknown> = {};
        if (r.verbs.includes('patch')) {
          item.patch = {
            operationId: `patch${r.kind}`,
            'x-kubernetes-action': 'patch',
            'x-kubernetes-group-version-kind': gvk,
            parameters: [...params, { name: 'force', in: 'query', schema: { type: 'boolean' } }],
            requestBody: { content: Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: { type: 'object' } }])) },
            responses: { '200': { description: 'OK' } },
          };
        }
        if (r.verbs.includes('update')) {
          item.put = { operationId: `replace${r.kind}`, 'x-kubernetes-action': 'put', 'x-kubernetes-group-version-kind': gvk, parameters: params, responses: { '200': { description: 'OK' } } };
        }
        if (r.verbs.includes('get')) {
          item.get = { operationId: `read${r.kind}`, 'x-kubernetes-action': 'get', 'x-kubernetes-group-version-kind': gvk, responses: { '200': { description: 'OK' } } };
        }
        paths[`${base}/{name}`] = item;
        if (r.verbs.includes('create')) {
          paths[base] = { post: { operationId: `create${r.kind}`, 'x-kubernetes-action': 'post', 'x-kubernetes-group-version-kind': gvk, parameters: params, responses: { '201': { description: 'Created' } } } };
        }
      }
      const body = JSON.stringify({ openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.33.0-kubets' }, paths, components: { schemas: schemasFor(g.name, v) } });
      const hash = createHash('sha512').update(body).digest('hex').slice(0, 128).toUpperCase();
      docs.set(key, { body, hash });
    }
  }
  const index = { paths: Object.fromEntries([...docs].map(([k, d]) => [k, { serverRelativeURL: `/openapi/v3/${k}?hash=${d.hash}` }])) };
  let v2: Uint8Array | undefined;
  return { index, docs, v2: () => (v2 ??= encodeOpenAPIV2(buildOpenAPIV2(defaultRegistry().schemas, scheme))) };
}
