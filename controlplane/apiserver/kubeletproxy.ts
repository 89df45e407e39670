/**
 * pods/log, pods/exec, pods/attach, pods/portforward and nodes/proxy: the API
 * server forwards them to the kubelet of the pod's node, as upstream does.
 * Plain requests (logs, proxy GETs) are streamed through; upgrade requests
 * (exec/attach/port-forward over WebSocket or SPDY) are spliced at the
 * connection level after the kubelet's 101, so every streaming protocol
 * kubectl 1.27–1.33 speaks passes unchanged.
 *
 * The kubelet is reached at the node address of the first type in
 * --kubelet-preferred-address-types that the Node reports, on its
 * status.daemonEndpoints.kubeletEndpoint port (else --kubelet-port), over
 * https when --kubelet-https (client cert/key and CA from the
 * --kubelet-client-* flags), within --kubelet-timeout to connect.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import { readFileSync } from 'node:fs';
import { apiErrors, StatusError } from '../machinery/errors.js';
import type { Obj } from './registry/types.js';

export interface KubeletClientConfig {
  https: boolean;
  port: number;
  timeoutMs: number;
  preferredAddressTypes: string[];
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export const defaultKubeletClientConfig: KubeletClientConfig = {
  https: true,
  port: 10250,
  timeoutMs: 5000,
  preferredAddressTypes: ['Hostname', 'InternalDNS', 'InternalIP', 'ExternalDNS', 'ExternalIP'],
};

type Rec = Record<string, unknown>;

export interface KubeletTarget {
  host: string;
  port: number;
  https: boolean;
}

/** Where the node's kubelet listens (400/503-style errors name what is missing). */
export function kubeletTarget(node: Obj, cfg: KubeletClientConfig): KubeletTarget {
  const status = (node.status ?? {}) as Rec;
  const addresses = (Array.isArray(status.addresses) ? status.addresses : []) as { type?: string; address?: string }[];
  let host: string | undefined;
  for (const t of cfg.preferredAddressTypes) {
    host = addresses.find((a) => a.type === t && a.address)?.address;
    if (host) break;
  }
  if (!host) throw apiErrors.serviceUnavailable(`no preferred addresses found; known addresses: [${addresses.map((a) => `{${a.type} ${a.address}}`).join(' ')}]`);
  const ep = ((status.daemonEndpoints as Rec | undefined)?.kubeletEndpoint as { Port?: number } | undefined)?.Port;
  return { host, port: typeof ep === 'number' && ep > 0 ? ep : cfg.port, https: cfg.https };
}

/** The kubelet path for a pod subresource (upstream's kubelet server routes). */
export function kubeletPath(subresource: string, ns: string, pod: string, container: string, query: URLSearchParams, rest: string[] = []): string {
  const q = new URLSearchParams(query);
  q.delete('container');
  const qs = q.toString() ? `?${q.toString()}` : '';
  const enc = encodeURIComponent;
  switch (subresource) {
    case 'log':
      return `/containerLogs/${enc(ns)}/${enc(pod)}/${enc(container)}${qs}`;
    case 'exec':
      return `/exec/${enc(ns)}/${enc(pod)}/${enc(container)}${qs}`;
    case 'attach':
      return `/attach/${enc(ns)}/${enc(pod)}/${enc(container)}${qs}`;
    case 'portforward':
      return `/portForward/${enc(ns)}/${enc(pod)}${qs}`;
    case 'proxy':
      return `/${rest.map(enc).join('/')}${qs}`;
    default:
      throw apiErrors.badRequest(`no kubelet route for ${subresource}`);
  }
}

function tlsOptions(cfg: KubeletClientConfig): { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean } {
  return {
    ca: cfg.caFile ? readFileSync(cfg.caFile) : undefined,
    cert: cfg.certFile ? readFileSync(cfg.certFile) : undefined,
    key: cfg.keyFile ? readFileSync(cfg.keyFile) : undefined,
    // Without --kubelet-certificate-authority upstream does not verify the kubelet's serving cert either.
    rejectUnauthorized: Boolean(cfg.caFile),
  };
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'host']);

/** Streams a plain request to the kubelet and its answer back (logs, follow included). */
export function proxyRequest(target: KubeletTarget, path: string, cfg: KubeletClientConfig, req: IncomingMessage, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k) && k !== 'authorization') headers[k] = v;
    const opts = { host: target.host, port: target.port, method: req.method, path, headers, timeout: cfg.timeoutMs };
    const upstream = target.https ? httpsRequest({ ...opts, ...tlsOptions(cfg) }) : httpRequest(opts);
    upstream.on('timeout', () => upstream.destroy(new Error(`timed out after ${cfg.timeoutMs} ms`)));
    upstream.on('error', (e) => {
      if (res.headersSent) {
        res.destroy(e);
        resolve();
      } else reject(apiErrors.serviceUnavailable(`error talking to the kubelet at ${target.host}:${target.port}: ${e.message}`));
    });
    upstream.on('response', (up) => {
      upstream.setTimeout(0); // a followed log may be quiet for a long time
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
      up.on('end', () => resolve());
      res.on('close', () => {
        up.destroy();
        resolve();
      });
    });
    req.pipe(upstream);
  });
}

/**
 * Splices an upgrade request (exec/attach/port-forward) to the kubelet: the
 * request is replayed on a new connection with the kubelet path, and from the
 * kubelet's answer on, bytes flow both ways untouched.
 */
export async function proxyUpgrade(target: KubeletTarget, path: string, cfg: KubeletClientConfig, req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
  const upstream: Socket = await new Promise((resolve, reject) => {
    const onErr = (e: Error) => reject(new StatusError(503, 'ServiceUnavailable', `error dialing the kubelet at ${target.host}:${target.port}: ${e.message}`));
    const s = target.https
      ? tlsConnect({ host: target.host, port: target.port, ...(isIP(target.host) ? {} : { servername: target.host }), ...tlsOptions(cfg) }, () => resolve(s))
      : netConnect({ host: target.host, port: target.port }, () => resolve(s));
    s.setTimeout(cfg.timeoutMs, () => s.destroy(new Error(`timed out after ${cfg.timeoutMs} ms`)));
    s.once('error', onErr);
  });
  upstream.setTimeout(0);
  const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`, `Host: ${target.host}:${target.port}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const k = req.rawHeaders[i];
    if (k.toLowerCase() === 'host' || k.toLowerCase() === 'authorization') continue;
    lines.push(`${k}: ${req.rawHeaders[i + 1]}`);
  }
  upstream.write(lines.join('\r\n') + '\r\n\r\n');
  if (head.length) upstream.write(head);
  upstream.pipe(client);
  client.pipe(upstream);
  const close = () => {
    upstream.destroy();
    client.destroy();
  };
  // One side finishing half-closes the other, so bytes still in flight reach
  // kubectl; HTTP servers keep sockets half-open (allowHalfOpen), so a peer that
  // never finishes its side is cut off after a grace period.
  let grace: NodeJS.Timeout | undefined;
  const finish = (other: Duplex) => () => {
    other.end();
    grace ??= setTimeout(close, 5_000);
    grace.unref();
  };
  upstream.on('end', finish(client));
  client.on('end', finish(upstream));
  for (const s of [upstream, client]) {
    s.on('error', close);
    s.on('close', () => {
      if (grace) clearTimeout(grace);
      close();
    });
  }
}

/**
 * GETs a JSON document from the kubelet (metrics.k8s.io reads /stats/summary
 * this way): same address, scheme and client credentials as the proxy, and
 * the whole exchange must finish within --kubelet-timeout.
 */
export function kubeletGetJSON(target: KubeletTarget, path: string, cfg: KubeletClientConfig): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const opts = { host: target.host, port: target.port, method: 'GET', path, headers: { Accept: 'application/json' }, timeout: cfg.timeoutMs };
    const req = target.https ? httpsRequest({ ...opts, ...tlsOptions(cfg) }) : httpRequest(opts);
    const deadline = setTimeout(() => req.destroy(new Error(`timed out after ${cfg.timeoutMs} ms`)), cfg.timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(deadline);
      reject(apiErrors.serviceUnavailable(`error talking to the kubelet at ${target.host}:${target.port}: ${e.message}`));
    };
    req.on('timeout', () => req.destroy(new Error(`timed out after ${cfg.timeoutMs} ms`)));
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(deadline);
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 300) return reject(apiErrors.serviceUnavailable(`the kubelet at ${target.host}:${target.port} answered ${res.statusCode} for ${path}`));
        try {
          resolve(JSON.parse(text));
        } catch (e) {
          reject(apiErrors.serviceUnavailable(`the kubelet at ${target.host}:${target.port} sent invalid JSON for ${path}: ${(e as Error).message}`));
        }
      });
    });
    req.end();
  });
}
