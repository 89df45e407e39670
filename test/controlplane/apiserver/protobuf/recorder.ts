/**
 * A recording proxy in front of our real apiserver, for capturing what real kubectl binaries send.
 *
 * Every POST/PUT body is recorded as sent. A protobuf body is then decoded with our codec and
 * forwarded as JSON, so the apiserver (which reads JSON) can answer and kubectl carries on —
 * e.g. `autoscale` finds the Deployment that `create deployment` made a moment before.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApiServer, type TestApiServer } from '../../../harness/apiserver.js';
import { decodeK8sProtobuf, K8S_PROTOBUF_MEDIA_TYPE } from '../../../../controlplane/apiserver/protobuf/index.js';

export interface RecordedBody {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
}

export interface Recorder {
  url: string;
  apiserver: TestApiServer;
  readonly bodies: RecordedBody[];
  stop(): Promise<void>;
}

function readBody(req: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startRecorder(): Promise<Recorder> {
  const apiserver = await startApiServer();
  const upstream = new URL(apiserver.url);
  const bodies: RecordedBody[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      let body = await readBody(req);
      const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim();
      if (body.length > 0 && (req.method === 'POST' || req.method === 'PUT')) {
        bodies.push({ method: req.method, path: req.url ?? '', contentType, body });
      }
      const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host };
      if (contentType === K8S_PROTOBUF_MEDIA_TYPE) {
        body = Buffer.from(JSON.stringify(decodeK8sProtobuf(body).object));
        headers['content-type'] = 'application/json';
      }
      headers['content-length'] = String(body.length);
      const up = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers }, (ures) => {
        res.writeHead(ures.statusCode ?? 502, ures.headers);
        ures.pipe(res);
      });
      up.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      up.end(body);
    })().catch((e: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    apiserver,
    bodies,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apiserver.stop();
    },
  };
}
