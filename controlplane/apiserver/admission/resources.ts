/** Resource lists (requests, limits, quota usage) as Quantity maps, and upstream's printing of them. */
import { Quantity } from '../../machinery/quantity.js';

export type ResourceList = Map<string, Quantity>;

export function toList(o: unknown): ResourceList {
  const out: ResourceList = new Map();
  if (!o || typeof o !== 'object') return out;
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    const q = typeof v === 'number' ? Quantity.fromInt(v) : typeof v === 'string' ? Quantity.tryParse(v) : undefined;
    if (q) out.set(k, q);
  }
  return out;
}

export function toJSON(l: ResourceList): Record<string, string> {
  return Object.fromEntries([...l.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v.toString()]));
}

export function addTo(into: ResourceList, k: string, q: Quantity): void {
  const cur = into.get(k);
  into.set(k, cur ? cur.add(q) : q);
}

/** `cpu=1,pods=2` (keys sorted), as upstream's quota messages print lists. */
export function prettyPrint(l: ResourceList, only?: Iterable<string>): string {
  const keys = only ? [...only] : [...l.keys()];
  return keys
    .filter((k) => l.has(k))
    .sort()
    .map((k) => `${k}=${l.get(k)!.toString()}`)
    .join(',');
}
