/**
 * httpGet probes (upstream pkg/probe/http): GET with `User-Agent:
 * kube-probe/<major>.<minor>` and an accept-anything Accept header unless the probe sets them,
 * a Host header taken from httpHeaders, TLS without verification, no
 * keep-alive. 200–399 is success. Redirects are followed (at most 10) while
 * they stay on the same host; a redirect elsewhere is not followed and counts
 * as success ("Probe terminated redirects"), as upstream's warning result.
 * The timeout covers the whole exchange, redirects and body included; at
 * most 10 KiB of body is read.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { describeSocketError, joinHostPort } from './neterr.js';
import type { ProbeOutcome } from './types.js';

export const MAX_BODY_BYTES = 10 * 1024;
const MAX_REDIRECTS = 10;
const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

export interface HttpProbeOptions {
  /** Header name/value pairs from the probe, in order; repeated names are sent as repeated headers. */
  headers?: readonly { name: string; value: string }[];
  timeoutMs: number;
  /** Default `kube-probe/1.33`. */
  userAgent?: string;
  signal?: AbortSignal;
}

/** The probe's URL, as upstream's formatURL builds it: scheme://host:port + path (and query). */
export function probeURL(scheme: string, host: string, port: number, path: string | undefined): URL {
  let p = path ?? '';
  if (!p.startsWith('/')) p = '/' + p;
  return new URL(`${scheme.toLowerCase() || 'http'}://${joinHostPort(host, port)}${p}`);
}

/** Request headers: the probe's, plus User-Agent and Accept defaults; an empty Accept removes it. */
export function probeHeaders(list: HttpProbeOptions['headers'], userAgent: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const h of list ?? []) {
    const k = h.name.toLowerCase();
    const prev = out[k];
    out[k] = prev === undefined ? h.value : Array.isArray(prev) ? [...prev, h.value] : [prev, h.value];
  }
  if (out['user-agent'] === undefined) out['user-agent'] = userAgent;
  if (out['accept'] === undefined) out['accept'] = '*/*';
  else if (out['accept'] === '') delete out['accept'];
  // Node sends the Host header from the URL unless given; an empty one would be sent empty.
  if (out['host'] === '') delete out['host'];
  return out;
}

class ProbeTimeout extends Error {}

export async function httpProbe(url: URL, opts: HttpProbeOptions): Promise<ProbeOutcome> {
  const headers = probeHeaders(opts.headers, opts.userAgent ?? 'kube-probe/1.33');
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new ProbeTimeout()), opts.timeoutMs);
  const onOuterAbort = () => ac.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      let res: { status: number; location?: string; body: string };
      try {
        res = await get(current, headers, ac.signal);
      } catch (e) {
        if (ac.signal.reason instanceof ProbeTimeout) {
          return { result: 'failure', output: `Get "${current.href}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` };
        }
        return { result: 'failure', output: `Get "${current.href}": ${describeRequestError(current, e)}` };
      }
      if (REDIRECT_CODES.has(res.status) && res.location) {
        const next = new URL(res.location, current);
        // Only redirects on the same host are followed (upstream's followNonLocalRedirects=false).
        if (next.hostname === url.hostname) {
          if (hop + 1 >= MAX_REDIRECTS) return { result: 'failure', output: `Get "${next.href}": stopped after ${MAX_REDIRECTS} redirects` };
          current = next;
          continue;
        }
      }
      if (res.status >= 200 && res.status < 400) {
        if (res.status >= 300) return { result: 'success', output: `Probe terminated redirects, Response body: ${res.body}` };
        return { result: 'success', output: res.body };
      }
      return { result: 'failure', output: `HTTP probe failed with statuscode: ${res.status}` };
    }
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}

function describeRequestError(url: URL, e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && code.startsWith('E') && code !== 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return `dial tcp ${joinHostPort(url.hostname.replace(/^\[|\]$/g, ''), Number(port))}: ${describeSocketError(e)}`;
  }
  return (e as Error)?.message ?? String(e);
}

/** One GET: status, Location, and at most MAX_BODY_BYTES of body. */
function get(url: URL, headers: Record<string, string | string[]>, signal: AbortSignal): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const opts = { method: 'GET', headers, agent: false as const, signal };
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        res.removeAllListeners('data');
        resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString('utf8') });
      };
      res.on('data', (c: Buffer) => {
        if (size >= MAX_BODY_BYTES) return;
        chunks.push(c.subarray(0, MAX_BODY_BYTES - size));
        size += c.length;
        // A truncated body is fine (upstream logs it and goes on); stop reading.
        if (size >= MAX_BODY_BYTES) {
          finish();
          res.destroy();
        }
      });
      res.once('end', finish);
      res.once('error', (e) => (size >= MAX_BODY_BYTES ? undefined : reject(e)));
      // However the stream ends, the promise settles (a no-op when 'end' already resolved it).
      res.once('close', () => reject(new Error('connection closed before the response body ended')));
    };
    const req =
      url.protocol === 'https:'
        ? httpsRequest(url, { ...opts, rejectUnauthorized: false }, onResponse)
        : httpRequest(url, opts, onResponse);
    req.once('error', reject);
    req.end();
  });
}
