/**
 * The kubelet's HTTP(S) server (upstream pkg/kubelet/server): --address and
 * --port (10250, TLS) serve everything; --read-only-port (10255, plain http,
 * 0 disables) serves only the non-streaming GETs.
 *
 * Routes (the API server's kubelet proxy calls the first four):
 *   GET  /containerLogs/{ns}/{pod}/{container}        logs.ts
 *   *    /exec/{ns}/{pod}[/{uid}]/{container}          upgrade: streaming.ts
 *   *    /attach/{ns}/{pod}[/{uid}]/{container}        upgrade: streaming.ts
 *   *    /portForward/{ns}/{pod}[/{uid}]               upgrade: streaming.ts
 *   POST /run/{ns}/{pod}[/{uid}]/{container}?cmd=…     a command's output
 *   GET  /logs/…                                      the node's --log-dir (/var/log)
 *   GET  /healthz /pods /metrics[/…] /spec            also on the read-only port
 *   GET  /stats/summary                               also on the read-only port (metrics-server)
 * The debugging routes (logs, exec, attach, port-forward, run, /logs/) exist
 * only with --enable-debugging-handlers.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';
import { PassThrough, type Duplex } from 'node:stream';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { servePprof } from '../../../controlplane/machinery/debug/pprof.js';
import type { Logger } from '../../../controlplane/machinery/log/index.js';
import type { MachineInfo } from '../status/nodeinfo.js';
import { HttpError, rawStatus, sendJSON, sendStatus, sendText } from './http.js';
import { findPod, serveContainerLogs } from './logs.js';
import { netnsDialer, type PortDialer } from './portforward/dial.js';
import { serveRemoteCommand, servePortForwardRequest, type StreamingDeps } from './streaming.js';
import type { KubeletAuth } from './auth.js';
import { servingCertificate } from './tls.js';
import type { ContainerAttacher, ContainerLocator, PodsSource, ServerRuntime } from './types.js';

/** A Prometheus registry, or anything that renders like one (prom-client's Registry fits). */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface KubeletServerTLS {
  /** --tls-cert-file / --tls-private-key-file; without them a self-signed pair is made in certDir. */
  certFile?: string;
  keyFile?: string;
  /** --cert-dir */
  certDir: string;
  /** Names the self-signed certificate covers. */
  hostname: string;
  addresses?: readonly string[];
  /** --client-ca-file contents: client certificates are requested and verified against it (auth.ts). */
  clientCA?: Buffer;
}

export interface KubeletServerOptions {
  /** --address */
  address: string;
  /** --port (0: any free port, for tests). */
  port: number;
  /** --read-only-port; 0 disables it, a negative value takes any free port (tests). Listens on --address too. */
  readOnlyPort: number;
  /** TLS for --port; undefined serves plain http (tests, or an API server with --kubelet-https=false). */
  tls?: KubeletServerTLS;
  /** Authentication and authorization of the main port (auth.ts); absent: everyone may do everything. */
  auth?: KubeletAuth;
  /** --enable-debugging-handlers */
  enableDebuggingHandlers: boolean;
  /** --profiling: /debug/pprof on the main port. */
  profiling?: boolean;
  runtime: ServerRuntime;
  locator: ContainerLocator;
  pods: PodsSource;
  attacher?: ContainerAttacher;
  /** How port-forward reaches a pod's port; default: a socket made in the pod's network namespace. */
  dialer?: PortDialer;
  metrics?: MetricsSource;
  /** For /spec. */
  machineInfo?: () => MachineInfo;
  /** For /stats/summary: the Summary API document (stats/types.ts). */
  statsSummary?: () => Promise<unknown>;
  /** For /healthz; default always healthy. */
  healthz?: () => { ok: boolean; message?: string };
  /** --streaming-connection-idle-timeout (default 4h; 0 = none). */
  streamingConnectionIdleTimeoutMs?: number;
  /** How long a client has to open its streams (upstream: 30 s). */
  streamCreationTimeoutMs?: number;
  /** Served under /logs/ (default /var/log). */
  logDir?: string;
  log: Logger;
}

export interface Listening {
  port: number;
  readOnlyPort?: number;
  /** The serving certificate in use (generated or given), with TLS. */
  certFile?: string;
}

type Route = { kind: 'exec' | 'attach'; ns: string; pod: string; uid?: string; container: string } | { kind: 'portForward'; ns: string; pod: string; uid?: string };

/** Splits a path into decoded segments (`/a/b%2Fc/` → ['a', 'b/c']). */
function segments(pathname: string): string[] {
  return pathname
    .split('/')
    .filter(Boolean)
    .map((s) => decodeURIComponent(s));
}

/** Matches the streaming routes: 3 or 4 segments after the verb (the optional one is the pod UID). */
export function matchStreamingRoute(pathname: string): Route | undefined {
  const [verb, ...rest] = segments(pathname);
  if (verb === 'exec' || verb === 'attach') {
    if (rest.length === 3) return { kind: verb, ns: rest[0], pod: rest[1], container: rest[2] };
    if (rest.length === 4) return { kind: verb, ns: rest[0], pod: rest[1], uid: rest[2], container: rest[3] };
  }
  if (verb === 'portForward') {
    if (rest.length === 2) return { kind: 'portForward', ns: rest[0], pod: rest[1] };
    if (rest.length === 3) return { kind: 'portForward', ns: rest[0], pod: rest[1], uid: rest[2] };
  }
  return undefined;
}

const NOT_FOUND = '404 page not found\n';

export class KubeletServer {
  // Immutable after construction.
  private readonly deps: StreamingDeps;
  private readonly metrics: MetricsSource;
  private readonly log: Logger;

  // Guarded by start()/close(): the listening servers and every upgraded socket (server.close() leaves those open).
  private main: Server | undefined;
  private readOnly: Server | undefined;
  private readonly upgraded = new Set<Duplex>();

  constructor(private readonly opts: KubeletServerOptions) {
    this.log = opts.log;
    this.deps = {
      runtime: opts.runtime,
      locator: opts.locator,
      pods: opts.pods,
      attacher: opts.attacher,
      dialer: opts.dialer ?? netnsDialer,
      streamCreationTimeoutMs: opts.streamCreationTimeoutMs ?? 30_000,
      idleTimeoutMs: opts.streamingConnectionIdleTimeoutMs ?? 4 * 3600_000,
      log: opts.log,
    };
    if (opts.metrics) this.metrics = opts.metrics;
    else {
      const r = new Registry();
      collectDefaultMetrics({ register: r });
      this.metrics = r;
    }
  }

  /** Listens on --port (and --read-only-port). Resolves with the ports bound. */
  async start(): Promise<Listening> {
    let certFile: string | undefined;
    if (this.opts.tls) {
      const c = await servingCertificate(this.opts.tls);
      certFile = c.certFile;
      if (c.generated) this.log.info('generated a self-signed serving certificate', { certFile: c.certFile, keyFile: c.keyFile });
      const clientCA = this.opts.tls.clientCA;
      // The certificate is checked by auth.ts (socket.authorized): a request without one may still be a token or anonymous.
      this.main = createHttpsServer({ cert: c.cert, key: c.key, ...(clientCA ? { ca: clientCA, requestCert: true, rejectUnauthorized: false } : {}) }, this.handle);
    } else this.main = createHttpServer(this.handle);
    this.main.on('upgrade', this.handleUpgrade);
    const port = await listen(this.main, this.opts.port, this.opts.address);
    let readOnlyPort: number | undefined;
    if (this.opts.readOnlyPort !== 0) {
      this.readOnly = createHttpServer(this.handleReadOnly);
      // No streaming on the read-only port: refuse upgrades instead of leaving the socket hanging.
      this.readOnly.on('upgrade', (_req: IncomingMessage, socket: Duplex) => rawStatus(socket, 404, NOT_FOUND.trim()));
      readOnlyPort = await listen(this.readOnly, Math.max(0, this.opts.readOnlyPort), this.opts.address);
    }
    this.log.info('kubelet server listening', { address: this.opts.address, port, readOnlyPort, tls: Boolean(this.opts.tls) });
    return { port, readOnlyPort, certFile };
  }

  async close(): Promise<void> {
    for (const s of this.upgraded) s.destroy();
    this.upgraded.clear();
    await Promise.all([this.main, this.readOnly].map((s) => (s ? closeServer(s) : undefined)));
    this.main = this.readOnly = undefined;
  }

  /** Serves until `signal` aborts (STYLE.md rule 7). */
  async run(signal: AbortSignal): Promise<void> {
    await this.start();
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await this.close();
  }

  /** The main port's request handler (usable without listen() in tests). */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.guarded(req, res).catch((e: unknown) => this.fail(res, e));
  };

  private async guarded(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.opts.auth) {
      const r = await this.opts.auth.check(req);
      if (!r.ok) return sendText(res, r.code, r.message);
    }
    await this.route(req, res, false);
  }

  readonly handleReadOnly = (req: IncomingMessage, res: ServerResponse): void => {
    this.route(req, res, true).catch((e: unknown) => this.fail(res, e));
  };

  /** The main port's 'upgrade' handler: exec, attach and port-forward. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    if (!this.opts.auth) return this.upgrade(req, socket, head);
    this.opts.auth.check(req).then(
      (r) => (r.ok ? this.upgrade(req, socket, head) : rawStatus(socket, r.code, r.message)),
      (e: unknown) => {
        this.log.error('kubelet server authorization failed', { err: (e as Error).message });
        rawStatus(socket, 500, 'authorization failed');
      },
    );
  };

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.upgraded.add(socket);
    socket.once('close', () => this.upgraded.delete(socket));
    const url = new URL(req.url ?? '/', 'http://kubelet');
    let route: Route | undefined;
    try {
      route = matchStreamingRoute(url.pathname);
    } catch {
      return rawStatus(socket, 400, `malformed path ${JSON.stringify(url.pathname)}`);
    }
    if (!route || !this.opts.enableDebuggingHandlers) return rawStatus(socket, 404, NOT_FOUND.trim());
    if (route.uid !== undefined) {
      const pod = findPod(this.opts.pods, route.ns, route.pod);
      if (pod && pod.metadata.uid !== route.uid) return rawStatus(socket, 404, 'pod does not exist');
    }
    this.log.v(3).info('streaming request', { path: url.pathname, upgrade: req.headers.upgrade });
    const work =
      route.kind === 'portForward'
        ? servePortForwardRequest(req, socket, head, route.ns, route.pod, this.deps)
        : serveRemoteCommand(route.kind, req, socket, head, route.ns, route.pod, route.container, url.searchParams, this.deps);
    work.catch((e: unknown) => {
      this.log.error('streaming request failed', { path: url.pathname, err: (e as Error).message });
      socket.destroy();
    });
  }

  private fail(res: ServerResponse, e: unknown): void {
    if (e instanceof HttpError) return sendStatus(res, e.code, e.message);
    this.log.error('kubelet server request failed', { err: (e as Error).message });
    sendStatus(res, 500, (e as Error).message ?? String(e));
  }

  private async route(req: IncomingMessage, res: ServerResponse, readOnly: boolean): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const get = method === 'GET' || method === 'HEAD';

    if (get && (path === '/healthz' || path.startsWith('/healthz/'))) {
      const h = this.opts.healthz?.() ?? { ok: true };
      return sendText(res, h.ok ? 200 : 500, h.ok ? 'ok' : `[-]${h.message ?? 'unhealthy'}\nhealthz check failed\n`);
    }
    if (get && (path === '/pods' || path === '/pods/')) {
      return sendJSON(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: this.opts.pods() });
    }
    if (get && (path === '/metrics' || path.startsWith('/metrics/'))) {
      return sendText(res, 200, await this.metrics.metrics(), this.metrics.contentType);
    }
    if (get && (path === '/spec' || path === '/spec/')) {
      if (!this.opts.machineInfo) throw new HttpError(404, 'machine info is not available');
      return sendJSON(res, 200, cadvisorMachineInfo(this.opts.machineInfo()));
    }
    if (get && (path === '/stats/summary' || path === '/stats/summary/')) {
      if (!this.opts.statsSummary) throw new HttpError(404, 'stats are not available');
      return sendJSON(res, 200, await this.opts.statsSummary());
    }
    if (readOnly) return sendText(res, 404, NOT_FOUND);
    if (this.opts.profiling && (await servePprof(url, res))) return;
    if (!this.opts.enableDebuggingHandlers) return sendText(res, 404, NOT_FOUND);

    const seg = segments(path);
    if (seg[0] === 'containerLogs') {
      if (!get) throw new HttpError(405, `${method} is not allowed on ${path}`);
      if (seg.length !== 4) throw new HttpError(400, 'Path must be /containerLogs/{podNamespace}/{podID}/{containerName}');
      return serveContainerLogs(req, res, seg[1], seg[2], seg[3], url.searchParams, this.deps);
    }
    if (matchStreamingRoute(path)) throw new HttpError(400, 'Upgrade request required');
    if (seg[0] === 'run') return this.serveRun(res, method, seg, url.searchParams);
    if (seg[0] === 'logs' && get) return this.serveLogDir(res, seg.slice(1), path.endsWith('/'));
    return sendText(res, 404, NOT_FOUND);
  }

  /** POST /run/{ns}/{pod}[/{uid}]/{container}?cmd=…: runs a command, answers its combined output (upstream getRun). */
  private async serveRun(res: ServerResponse, method: string, seg: string[], q: URLSearchParams): Promise<void> {
    if (method !== 'POST') throw new HttpError(405, `${method} is not allowed on /run`);
    if (seg.length !== 4 && seg.length !== 5) throw new HttpError(400, 'Path must be /run/{podNamespace}/{podID}[/{uid}]/{containerName}');
    const [ns, podName] = [seg[1], seg[2]];
    const container = seg[seg.length - 1];
    const cmd = q.getAll('cmd').length ? q.getAll('cmd') : q.getAll('command');
    if (cmd.length === 0) throw new HttpError(400, 'you must specify at least one command for the container');
    if (!findPod(this.opts.pods, ns, podName)) throw new HttpError(404, 'pod does not exist');
    const found = await this.opts.locator.find(ns, podName, container, {});
    if (!found) throw new HttpError(404, `container not found (${JSON.stringify(container)})`);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await this.opts.runtime.exec(found.id, cmd, { stdout: out, stderr: out }, 0);
    sendText(res, 200, Buffer.concat(chunks).toString('utf8'), 'text/plain');
  }

  /** GET /logs/…: files and directory listings under --log-dir, never outside it. */
  private async serveLogDir(res: ServerResponse, rest: string[], dirSyntax: boolean): Promise<void> {
    const root = this.opts.logDir ?? '/var/log';
    const rel = normalize(rest.join('/'));
    if (rel.startsWith('..') || rel.split(sep).includes('..')) throw new HttpError(400, 'invalid path');
    const full = join(root, rel);
    const st = await stat(full).catch(() => undefined);
    if (!st) return sendText(res, 404, NOT_FOUND);
    if (st.isDirectory()) {
      const entries = await readdir(full, { withFileTypes: true });
      const base = dirSyntax ? '' : `${rest[rest.length - 1] ?? 'logs'}/`;
      const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
      const lines = entries.map((e) => `<a href="${esc(base + encodeURIComponent(e.name) + (e.isDirectory() ? '/' : ''))}">${esc(e.name + (e.isDirectory() ? '/' : ''))}</a>`);
      return sendText(res, 200, `<pre>\n${lines.join('\n')}\n</pre>\n`, 'text/html; charset=utf-8');
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': st.size });
    createReadStream(full).on('error', () => res.destroy()).pipe(res);
  }
}

/** cAdvisor's MachineInfo field names, which /spec has always answered with. */
export function cadvisorMachineInfo(m: MachineInfo): Record<string, unknown> {
  return {
    num_cores: m.cpus,
    memory_capacity: m.memoryBytes,
    machine_id: m.machineID,
    system_uuid: m.systemUUID,
    boot_id: m.bootID,
    filesystems: m.ephemeralStorageBytes !== undefined ? [{ device: 'rootfs', capacity: m.ephemeralStorageBytes }] : [],
    kernel_version: m.kernelVersion,
    os_image: m.osImage,
    architecture: m.architecture,
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(s: Server): Promise<void> {
  s.closeAllConnections();
  return new Promise((resolve) => s.close(() => resolve()));
}
