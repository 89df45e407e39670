/**
 * Test glue: an HTTP server in front of the harness apiserver that answers
 * /openapi/* from the generated schemas (v3 documents with components, v2 as
 * protobuf) and passes everything else to `api.handle`. It applies to the
 * documents of controlplane/apiserver/openapi.ts exactly the change proposed
 * for that file: `components.schemas` = schemasFor(group, version), and the
 * v2 body = encodeOpenAPIV2(buildOpenAPIV2(...)).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { scheme } from '../../../../controlplane/api/scheme.js';
import { buildOpenAPI } from '../../../../controlplane/apiserver/openapi.js';
import { defaultRegistry } from '../../../../controlplane/apiserver/openapi/schemas.js';
import { buildOpenAPIV2, encodeOpenAPIV2, OPENAPI_V2_PROTOBUF_CONTENT_TYPE } from '../../../../controlplane/apiserver/openapi/v2.js';
import type { TestApiServer } from '../../../harness/apiserver.js';

export interface OpenAPIFront {
  url: string;
  /** Paths of the /openapi requests answered, in order (for assertions on what kubectl fetched). */
  requests: string[];
  stop(): Promise<void>;
}

/** The v3 documents of openapi.ts with real component schemas. Keys as in OpenAPIDocs.docs. */
export function v3Documents(): { index: unknown; docs: Map<string, { body: string; hash: string }> } {
  const base = buildOpenAPI(scheme);
  const registry = defaultRegistry();
  const docs = new Map<string, { body: string; hash: string }>();
  for (const [key, d] of base.docs) {
    const parts = key.split('/'); // api/v1 | apis/<g>/<v>
    const group = parts[0] === 'api' ? '' : parts[1];
    const version = parts[parts.length - 1];
    const doc = JSON.parse(d.body) as { components: { schemas: unknown } };
    doc.components.schemas = registry.schemasFor(group, version);
    const body = JSON.stringify(doc);
    const hash = createHash('sha512').update(body).digest('hex').slice(0, 128).toUpperCase();
    docs.set(key, { body, hash });
  }
  const index = { paths: Object.fromEntries([...docs].map(([k, d]) => [k, { serverRelativeURL: `/openapi/v3/${k}?hash=${d.hash}` }])) };
  return { index, docs };
}

export async function startOpenAPIFront(api: TestApiServer): Promise<OpenAPIFront> {
  const v3 = v3Documents();
  const v2 = Buffer.from(encodeOpenAPIV2(buildOpenAPIV2(defaultRegistry().schemas, scheme)));
  const requests: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (!path.startsWith('/openapi') && path !== '/swagger-2.0.0.pb-v1') {
      api.api.handle(req, res);
      return;
    }
    requests.push(path);
    if (path === '/openapi/v2' || path === '/swagger-2.0.0.pb-v1') {
      res.writeHead(200, { 'Content-Type': OPENAPI_V2_PROTOBUF_CONTENT_TYPE, 'Content-Length': String(v2.length) });
      res.end(v2);
      return;
    }
    if (path === '/openapi/v3') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(v3.index));
      return;
    }
    const doc = v3.docs.get(path.slice('/openapi/v3/'.length));
    if (!doc) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', Etag: `"${doc.hash}"` });
    res.end(doc.body);
  };
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
