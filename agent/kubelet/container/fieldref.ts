/**
 * Downward API values (fieldRef / resourceFieldRef), shared by env vars and
 * anything else that exposes pod fields. Pure; errors are FieldRefError.
 */
import type { Container, Pod, ResourceFieldSelector, ResourceList } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';
import { Quantity } from '../../../controlplane/machinery/quantity.js';

export class FieldRefError extends Error {
  override readonly name = 'FieldRefError';
  readonly code = 'UnsupportedFieldPath';
}

export interface PodRuntimeFields {
  podIP?: string;
  podIPs?: readonly string[];
  hostIP?: string;
}

/** `key="v"` lines sorted by key, as the downward API formats labels/annotations. */
export function formatMap(m: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

const SUBSCRIPT = /^metadata\.(labels|annotations)\['([^']*)'\]$/;

/** The value of a pod fieldRef (metadata.name … status.podIPs). */
export function podFieldValue(pod: DeepReadonly<Pod>, fieldPath: string, rt: PodRuntimeFields): string {
  const sub = SUBSCRIPT.exec(fieldPath);
  if (sub) {
    const m = sub[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations;
    return m?.[sub[2]] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return rt.hostIP ?? '';
    case 'status.hostIPs':
      return rt.hostIP ?? '';
    case 'status.podIP':
      return rt.podIP ?? '';
    case 'status.podIPs':
      return (rt.podIPs ?? (rt.podIP ? [rt.podIP] : [])).join(',');
    default:
      throw new FieldRefError(`unsupported fieldPath: ${fieldPath}`);
  }
}

/**
 * The value of a resourceFieldRef: limits.cpu/memory/ephemeral-storage and
 * requests.*; an unset limit falls back to the node's allocatable (as
 * upstream merges allocatable into limits). CPU is ceil(milli/divisor milli),
 * the others ceil(value/divisor).
 */
export function resourceFieldValue(c: DeepReadonly<Container>, sel: DeepReadonly<ResourceFieldSelector>, allocatable: Readonly<ResourceList>): string {
  const [kind, res] = sel.resource.split('.', 2) as [string, string | undefined];
  if ((kind !== 'limits' && kind !== 'requests') || !res || !['cpu', 'memory', 'ephemeral-storage'].includes(res)) {
    throw new FieldRefError(`unsupported container resource: ${sel.resource}`);
  }
  const list = kind === 'limits' ? c.resources?.limits : c.resources?.requests;
  let raw = list?.[res];
  if (raw === undefined && kind === 'limits') raw = allocatable[res];
  const q = raw === undefined ? Quantity.zero() : Quantity.parse(raw);
  const divisor = sel.divisor ? Quantity.parse(sel.divisor) : Quantity.fromInt(1);
  if (divisor.isZero()) throw new FieldRefError(`divisor of ${sel.resource} is zero`);
  if (res === 'cpu') return String(ceilDiv(q.milliValue(), divisor.milliValue()));
  return String(ceilDiv(q.value(), divisor.value()));
}

function ceilDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const q = a / b;
  return a % b !== 0n && a > 0n === b > 0n ? q + 1n : q;
}
