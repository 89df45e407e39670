/**
 * Lifecycle handlers (upstream lifecycle/handlers.go): postStart right after
 * a container starts, preStop before it is stopped. exec runs in the
 * container (a non-zero exit fails the hook, with its output); httpGet asks
 * the pod IP (or `host`) on a port given by number or by the container
 * port's name (a status ≥ 400 fails it); sleep waits.
 */
import type { Container, LifecycleHandler } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';
import { PassThrough } from 'node:stream';
import type { ContainerId, ContainerRuntime } from '../types.js';

export class HookError extends Error {
  override readonly name = 'HookError';
  readonly code = 'HookFailed';
}

export function resolvePort(port: number | string, c: DeepReadonly<Container> | undefined): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const p = c?.ports?.find((x) => x.name === port);
  if (!p) throw new HookError(`couldn't find port: ${port} in ${c?.name ?? 'container'}`);
  return p.containerPort;
}

export interface HookContext {
  runtime: ContainerRuntime;
  containerId: ContainerId;
  container?: DeepReadonly<Container>;
  podIP?: string;
  timeoutMs: number;
}

export async function runHandler(h: DeepReadonly<LifecycleHandler>, ctx: HookContext): Promise<void> {
  if (h.exec) {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (b: Buffer) => chunks.push(b));
    const code = await ctx.runtime.exec(ctx.containerId, [...(h.exec.command ?? [])], { stdout: out, stderr: out }, ctx.timeoutMs);
    if (code !== 0) throw new HookError(`command '${(h.exec.command ?? []).join(' ')}' exited with ${code}: ${Buffer.concat(chunks).toString('utf8').slice(0, 1024)}`);
    return;
  }
  if (h.httpGet) {
    const g = h.httpGet;
    const host = g.host || ctx.podIP;
    if (!host) throw new HookError('http lifecycle hook: the pod has no IP');
    const port = resolvePort(g.port, ctx.container);
    const path = g.path ? (g.path.startsWith('/') ? g.path : `/${g.path}`) : '/';
    const url = `${(g.scheme ?? 'HTTP').toLowerCase()}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
    const headers: Record<string, string> = {};
    for (const x of g.httpHeaders ?? []) headers[x.name] = x.value;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(ctx.timeoutMs) });
      await res.arrayBuffer();
    } catch (e) {
      throw new HookError(`Get "${url}": ${(e as Error).message}`);
    }
    if (res.status >= 400) throw new HookError(`HTTP lifecycle hook (${path}) for Container "${ctx.container?.name ?? ''}" returned status ${res.status}`);
    return;
  }
  if (h.sleep) {
    await new Promise((r) => setTimeout(r, Math.min(h.sleep!.seconds * 1000, ctx.timeoutMs)));
  }
}
