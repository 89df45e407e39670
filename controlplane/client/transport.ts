/**
 * HTTP transport to one API server: keep-alive agent, TLS and credentials from
 * a RestConfig, the client-wide token bucket (--kube-api-qps/--kube-api-burst)
 * and retries.
 *
 * Retry rules (client-go request.go, simplified):
 * - 429 is retried for every verb: the server refused before doing anything.
 *   Retry-After (seconds) is honoured; otherwise exponential back-off.
 * - 5xx is retried for GET, or for any verb when the server sent Retry-After.
 * - A connection error is retried for GET, and for any verb when the
 *   connection was refused or a reused keep-alive socket turned out to be
 *   closed by the server (the request cannot have been processed).
 * - Every attempt takes a token from the bucket, so retries are rate limited too.
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { Logger } from '../machinery/log/index.js';
import { realClock, type Clock } from './clock.js';
import { ConnectionError, statusErrorFrom } from './errors.js';
import { describeConfig, type RestConfig } from './kubeconfig.js';
import { tokenBucket, type RateLimiter } from './ratelimit.js';

export interface TransportOptions {
  /** --kube-api-qps; <= 0 = unlimited. Default 5 (client-go's default). */
  qps?: number;
  /** --kube-api-burst. Default 10. */
  burst?: number;
  /** --kube-api-content-type: JSON only; protobuf is warned about once and JSON used. */
  contentType?: string;
  userAgent?: string;
  /** Retries after the first attempt. Default 5. */
  maxRetries?: number;
  /** Per-request timeout (not for watches). Default 60 s. */
  timeoutMs?: number;
  log?: Logger;
  clock?: Clock;
  /** An already-built limiter (to share one between clients). */
  limiter?: RateLimiter;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const TOKEN_FILE_REFRESH_MS = 60_000;
/** causeCode of a reset on a reused keep-alive socket. */
const STALE_SOCKET = 'ECONNRESET_REUSED';
const BACKOFF_BASE_MS = 100;
const BACKOFF_MAX_MS = 5_000;

export class Transport {
  // Immutable after construction.
  readonly base: URL;
  private readonly agent: http.Agent;
  private readonly mod: typeof http | typeof https;
  private readonly limiter: RateLimiter;
  private readonly clock: Clock;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;
  private readonly staticHeaders: OutgoingHttpHeaders;
  private readonly log?: Logger;
  // Token-file cache (rotated service-account tokens are re-read once a minute).
  private cachedToken?: { value: string; readAt: number };

  constructor(
    private readonly config: RestConfig,
    opts: TransportOptions = {},
  ) {
    this.base = new URL(config.server);
    this.clock = opts.clock ?? realClock;
    this.limiter = opts.limiter ?? tokenBucket(opts.qps ?? 5, opts.burst ?? 10, this.clock);
    this.maxRetries = opts.maxRetries ?? 5;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.log = opts.log;
    const https_ = this.base.protocol === 'https:';
    this.mod = https_ ? https : http;
    this.agent = https_
      ? new https.Agent({
          keepAlive: true,
          ca: config.ca,
          cert: config.cert,
          key: config.key,
          rejectUnauthorized: !config.insecureSkipTLSVerify,
          servername: config.tlsServerName,
        })
      : new http.Agent({ keepAlive: true });
    const headers: OutgoingHttpHeaders = { Accept: 'application/json', 'User-Agent': opts.userAgent ?? 'kubets' };
    if (config.username !== undefined) headers.Authorization = 'Basic ' + Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64');
    this.staticHeaders = headers;
    if (opts.contentType && /protobuf/i.test(opts.contentType)) {
      this.log?.warn(`--kube-api-content-type=${opts.contentType} is not supported by this client yet; using application/json`);
    }
    this.log?.v(2).info('API client configured', { config: describeConfig(config) });
  }

  private authHeader(): string | undefined {
    if (this.config.token) return `Bearer ${this.config.token}`;
    if (this.config.tokenFile) {
      const now = this.clock.now();
      if (!this.cachedToken || now - this.cachedToken.readAt > TOKEN_FILE_REFRESH_MS) {
        try {
          this.cachedToken = { value: readFileSync(this.config.tokenFile, 'utf8').trim(), readAt: now };
        } catch (e) {
          // Keep the last token when the file is briefly missing during rotation.
          if (!this.cachedToken) throw new ConnectionError(`reading tokenFile ${this.config.tokenFile}: ${(e as Error).message}`);
        }
      }
      return `Bearer ${this.cachedToken!.value}`;
    }
    return undefined;
  }

  private headers(extra: OutgoingHttpHeaders | undefined): OutgoingHttpHeaders {
    const h: OutgoingHttpHeaders = { ...this.staticHeaders, ...extra };
    const auth = this.authHeader();
    if (auth) h.Authorization = auth;
    return h;
  }

  private path(path: string, query?: URLSearchParams): string {
    const prefix = this.base.pathname.replace(/\/+$/, '');
    const q = query && [...query.keys()].length > 0 ? `?${query.toString()}` : '';
    return prefix + path + q;
  }

  /** One attempt; resolves with the response head (body unread). */
  private send(method: string, path: string, headers: OutgoingHttpHeaders, body: Buffer | undefined, signal: AbortSignal | undefined, timeoutMs: number): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = this.mod.request(
        {
          protocol: this.base.protocol,
          hostname: this.base.hostname.replace(/^\[|\]$/g, ''),
          port: this.base.port || (this.base.protocol === 'https:' ? 443 : 80),
          method,
          path,
          agent: this.agent,
          headers: body ? { ...headers, 'Content-Length': body.length } : headers,
          signal,
          timeout: timeoutMs,
        },
        resolve,
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error(`request timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (signal?.aborted) reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        // A keep-alive socket the server closed while idle fails before any byte
        // of the request was processed: Node's documented case for a retry of any verb.
        else reject(new ConnectionError(`${method} ${this.base.origin}${path}: ${e.message}`, req.reusedSocket && e.code === 'ECONNRESET' ? STALE_SOCKET : e.code));
      });
      req.end(body);
    });
  }

  private backoff(attempt: number): number {
    return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
  }

  /**
   * A request with rate limiting and retries. For streams (watch) the body is
   * left unread and returned as `stream`; otherwise it is read fully.
   * Non-2xx answers throw StatusError.
   */
  async request(
    method: string,
    path: string,
    opts: { query?: URLSearchParams; body?: unknown; contentType?: string; signal?: AbortSignal; stream?: false },
  ): Promise<RawResponse>;
  async request(
    method: string,
    path: string,
    opts: { query?: URLSearchParams; body?: unknown; contentType?: string; signal?: AbortSignal; stream: true },
  ): Promise<IncomingMessage>;
  async request(
    method: string,
    path: string,
    opts: { query?: URLSearchParams; body?: unknown; contentType?: string; signal?: AbortSignal; stream?: boolean },
  ): Promise<RawResponse | IncomingMessage> {
    const full = this.path(path, opts.query);
    const body = opts.body === undefined ? undefined : Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
    const extra: OutgoingHttpHeaders = body ? { 'Content-Type': opts.contentType ?? 'application/json' } : {};
    const idempotent = method === 'GET';
    for (let attempt = 0; ; attempt++) {
      opts.signal?.throwIfAborted();
      await this.limiter.wait(opts.signal);
      opts.signal?.throwIfAborted();
      let res: IncomingMessage;
      try {
        // Streams have no overall timeout: a watch is open for minutes (its own timeoutSeconds ends it).
        res = await this.send(method, full, this.headers(extra), body, opts.signal, opts.stream ? 0 : this.timeoutMs);
      } catch (e) {
        const retryable = e instanceof ConnectionError && (idempotent || e.causeCode === 'ECONNREFUSED' || e.causeCode === STALE_SOCKET);
        if (!retryable || attempt >= this.maxRetries) throw e;
        const d = this.backoff(attempt);
        this.log?.v(2).info('retrying after connection error', { method, path, attempt: attempt + 1, delayMs: d, err: (e as Error).message });
        await this.clock.sleep(d, opts.signal);
        continue;
      }
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        if (opts.stream) return res;
        return { status, headers: res.headers, body: await readAll(res) };
      }
      const raw = await readAll(res).catch(() => Buffer.alloc(0));
      const retryAfter = parseRetryAfter(res.headers['retry-after']);
      const retryable = status === 429 || (status >= 500 && (idempotent || retryAfter !== undefined));
      if (retryable && attempt < this.maxRetries) {
        const d = retryAfter !== undefined ? retryAfter * 1000 : this.backoff(attempt);
        this.log?.v(2).info('retrying after server answer', { method, path, status, attempt: attempt + 1, delayMs: d });
        await this.clock.sleep(d, opts.signal);
        continue;
      }
      throw statusErrorFrom(status, tryJSON(raw), raw.toString('utf8'));
    }
  }

  /** A request whose JSON answer is returned parsed. */
  async json<R>(method: string, path: string, opts: { query?: URLSearchParams; body?: unknown; contentType?: string; signal?: AbortSignal } = {}): Promise<R> {
    const r = await this.request(method, path, { ...opts, stream: false });
    return JSON.parse(r.body.toString('utf8')) as R;
  }

  close(): void {
    this.agent.destroy();
  }
}

function parseRetryAfter(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined) return undefined;
  const n = Number(s);
  // Bound what a server may ask for: a bogus hour-long Retry-After would stall the daemon.
  return Number.isFinite(n) && n >= 0 ? Math.min(n, 60) : undefined;
}

function tryJSON(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    return undefined;
  }
}

async function readAll(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
