/**
 * The container spec hash (upstream HashContainer): a running container
 * whose spec no longer hashes the same (an image change) is restarted. JSON
 * with sorted keys, so the order fields arrive in does not matter.
 */
import { createHash } from 'node:crypto';
import type { Container } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = canonical(x);
    }
    return out;
  }
  return v;
}

export function hashContainer(c: DeepReadonly<Container>): string {
  return createHash('sha256').update(JSON.stringify(canonical(c))).digest('hex').slice(0, 8);
}
