/**
 * componentstatuses: computed on every read by probing each component's
 * health endpoint, as upstream does (it is not stored). The scheduler and
 * controller manager are probed on their default local ports; the store
 * (etcd members, or the embedded sqlite file) through the Store itself.
 */
import type { Obj } from './registry/types.js';

export interface ComponentProbe {
  name: string;
  /** An http(s) URL answering 200 "ok", or a function that throws when unhealthy. */
  check: string | (() => Promise<void>);
}

async function probe(p: ComponentProbe): Promise<{ healthy: boolean; message: string; error?: string }> {
  try {
    if (typeof p.check === 'string') {
      const r = await fetch(p.check, { signal: AbortSignal.timeout(2000) });
      const body = (await r.text()).trim();
      if (r.status !== 200) return { healthy: false, message: '', error: `HTTP probe failed with statuscode: ${r.status}` };
      return { healthy: true, message: body.length > 100 ? body.slice(0, 100) : body || 'ok' };
    }
    await p.check();
    return { healthy: true, message: 'ok' };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    const why = cause ?? (e as Error).message;
    return { healthy: false, message: '', error: typeof p.check === 'string' ? `Get "${p.check}": ${why}` : why };
  }
}

export async function componentStatus(p: ComponentProbe): Promise<Obj> {
  const r = await probe(p);
  const condition: Record<string, unknown> = { type: 'Healthy', status: r.healthy ? 'True' : 'False', message: r.message };
  if (r.error) condition.error = r.error;
  return { kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name: p.name }, conditions: [condition] };
}

export async function componentStatuses(probes: readonly ComponentProbe[]): Promise<Obj[]> {
  return Promise.all(probes.map((p) => componentStatus(p)));
}
