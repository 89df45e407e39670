/**
 * A small etcd v2 keys-API client (plain HTTP/JSON, as flannel 0.10 spoke
 * it): get (recursive, quorum), set (TTL, prevExist, prevIndex), delete, and
 * one-shot watches (wait=true&waitIndex=N). Etcd 3.x serves it only when
 * started with --enable-v2; a 404 page instead of an etcd error says so.
 *
 * Endpoints are tried in order starting from the last one that answered, so
 * the upstream default list (`:4001,:2379`) works against an etcd that
 * serves only 2379. TLS (-etcd-cafile/-certfile/-keyfile) and basic auth
 * (-etcd-username/-password) go on every request.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface EtcdV2Node {
  readonly key: string;
  readonly value?: string;
  readonly dir?: boolean;
  readonly nodes?: readonly EtcdV2Node[];
  readonly createdIndex: number;
  readonly modifiedIndex: number;
  /** RFC 3339, present on keys with a TTL. */
  readonly expiration?: string;
  readonly ttl?: number;
}

export interface EtcdV2Response {
  readonly action: string;
  readonly node: EtcdV2Node;
  readonly prevNode?: EtcdV2Node;
  /** X-Etcd-Index: the store index when the answer was made. */
  readonly index: number;
}

export const ErrorCode = { KeyNotFound: 100, TestFailed: 101, NodeExist: 105, EventIndexCleared: 401 } as const;

/** An error answer of etcd ({"errorCode":100,"message":"Key not found",…}). */
export class EtcdV2Error extends Error {
  override readonly name = 'EtcdV2Error';
  constructor(
    readonly errorCode: number,
    message: string,
    readonly index: number,
    readonly etcdCause?: string,
  ) {
    super(`${message} (${errorCode})${etcdCause ? ` [${etcdCause}]` : ''}`);
  }
}

/** No endpoint answered (or answered something that is not the v2 API). */
export class EtcdUnavailableError extends Error {
  override readonly name = 'EtcdUnavailableError';
}

export interface EtcdV2Options {
  readonly endpoints: readonly string[];
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly username?: string;
  readonly password?: string;
  /** Per-request timeout for everything but watches. Default 10 s. */
  readonly timeoutMs?: number;
}

interface Raw {
  status: number;
  body: string;
  index: number;
}

export class EtcdV2Client {
  // immutable after construction
  private readonly endpoints: readonly URL[];
  private readonly tls: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  private readonly auth: string | undefined;
  private readonly timeoutMs: number;
  // the endpoint that answered last; guarded by the event loop
  private current = 0;

  constructor(opts: EtcdV2Options) {
    if (opts.endpoints.length === 0) throw new Error('no etcd endpoints');
    this.endpoints = opts.endpoints.map((e) => new URL(e));
    this.tls = {
      ...(opts.caFile ? { ca: readFileSync(opts.caFile) } : {}),
      ...(opts.certFile ? { cert: readFileSync(opts.certFile) } : {}),
      ...(opts.keyFile ? { key: readFileSync(opts.keyFile) } : {}),
    };
    this.auth = opts.username ? `${opts.username}:${opts.password ?? ''}` : undefined;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  get endpointList(): string {
    return this.endpoints.map((u) => u.origin).join(',');
  }

  async get(key: string, opts: { recursive?: boolean; quorum?: boolean } = {}, signal?: AbortSignal): Promise<EtcdV2Response> {
    const q = new URLSearchParams();
    if (opts.recursive) q.set('recursive', 'true');
    if (opts.quorum) q.set('quorum', 'true');
    return this.call('GET', key, q, undefined, signal, false);
  }

  /** `ttl` in seconds (0 or undefined: no TTL); prevExist false = create only. */
  async set(key: string, value: string, opts: { ttl?: number; prevExist?: boolean; prevIndex?: number } = {}, signal?: AbortSignal): Promise<EtcdV2Response> {
    const form = new URLSearchParams({ value });
    if (opts.ttl) form.set('ttl', String(Math.round(opts.ttl)));
    if (opts.prevExist !== undefined) form.set('prevExist', String(opts.prevExist));
    if (opts.prevIndex) form.set('prevIndex', String(opts.prevIndex));
    return this.call('PUT', key, new URLSearchParams(), form.toString(), signal, false);
  }

  async delete(key: string, signal?: AbortSignal): Promise<EtcdV2Response> {
    return this.call('DELETE', key, new URLSearchParams(), undefined, signal, false);
  }

  /** Waits for the first change at index ≥ waitIndex under key. */
  async watch(key: string, opts: { recursive?: boolean; waitIndex: number }, signal: AbortSignal): Promise<EtcdV2Response> {
    const q = new URLSearchParams({ wait: 'true', waitIndex: String(opts.waitIndex) });
    if (opts.recursive) q.set('recursive', 'true');
    return this.call('GET', key, q, undefined, signal, true);
  }

  private async call(method: string, key: string, query: URLSearchParams, form: string | undefined, signal: AbortSignal | undefined, long: boolean): Promise<EtcdV2Response> {
    const raw = await this.send(method, `/v2/keys${key.startsWith('/') ? key : `/${key}`}${query.size ? `?${query}` : ''}`, form, signal, long);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(raw.body) as Record<string, unknown>;
    } catch {
      if (raw.status === 404) {
        throw new EtcdUnavailableError(`etcd at ${this.endpoints[this.current].origin} does not serve the v2 keys API (404 "${raw.body.trim().slice(0, 40)}"): start etcd with --enable-v2`);
      }
      throw new EtcdUnavailableError(`etcd answered ${raw.status} with non-JSON: ${raw.body.slice(0, 80)}`);
    }
    if (typeof parsed.errorCode === 'number') {
      throw new EtcdV2Error(parsed.errorCode, String(parsed.message ?? ''), Number(parsed.index ?? raw.index), parsed.cause === undefined ? undefined : String(parsed.cause));
    }
    if (raw.status < 200 || raw.status > 299) throw new EtcdUnavailableError(`etcd answered ${raw.status}: ${raw.body.slice(0, 80)}`);
    return {
      action: String(parsed.action),
      node: parsed.node as EtcdV2Node,
      ...(parsed.prevNode ? { prevNode: parsed.prevNode as EtcdV2Node } : {}),
      index: raw.index,
    };
  }

  /** One request, failing over across endpoints on connection errors. */
  private async send(method: string, path: string, form: string | undefined, signal: AbortSignal | undefined, long: boolean): Promise<Raw> {
    const errors: string[] = [];
    for (let i = 0; i < this.endpoints.length; i++) {
      const at = (this.current + i) % this.endpoints.length;
      try {
        const r = await this.once(this.endpoints[at], method, path, form, signal, long);
        this.current = at;
        return r;
      } catch (e) {
        if (signal?.aborted) throw e;
        errors.push(`${this.endpoints[at].origin}: ${(e as Error).message}`);
      }
    }
    throw new EtcdUnavailableError(`no etcd endpoint answered: ${errors.join('; ')}`);
  }

  private once(base: URL, method: string, path: string, form: string | undefined, signal: AbortSignal | undefined, long: boolean): Promise<Raw> {
    return new Promise<Raw>((resolve, reject) => {
      const https = base.protocol === 'https:';
      const headers: Record<string, string | number> = {};
      if (form !== undefined) {
        headers['Content-Type'] = 'application/x-www-form-urlencoded';
        headers['Content-Length'] = Buffer.byteLength(form);
      }
      const opts = {
        method,
        host: base.hostname.replace(/^\[|\]$/g, ''),
        port: base.port || (https ? 443 : 80),
        path,
        headers,
        ...(this.auth ? { auth: this.auth } : {}),
        ...(signal ? { signal } : {}),
        ...(https ? this.tls : {}),
      };
      const onResponse = (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), index: Number(res.headers['x-etcd-index'] ?? 0) }));
      };
      const req = https ? httpsRequest(opts, onResponse) : httpRequest(opts, onResponse);
      req.on('error', reject);
      if (!long) {
        req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`timeout after ${this.timeoutMs} ms`)));
      } else {
        // A watch waits as long as nothing changes; only the connect is bounded.
        req.setTimeout(this.timeoutMs, () => {
          if (!req.socket || req.socket.connecting) req.destroy(new Error(`connect timeout after ${this.timeoutMs} ms`));
        });
        req.on('socket', (s) => s.once('connect', () => req.setTimeout(0)));
      }
      req.end(form);
    });
  }
}
