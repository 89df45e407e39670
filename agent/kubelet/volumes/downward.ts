/**
 * The downward API as files (upstream pkg/fieldpath and the downwardAPI
 * volume plugin): pod metadata by fieldRef, container resources by
 * resourceFieldRef. Labels and annotations are written one `key="value"` per
 * line, keys sorted, values quoted the way Go's %q does, no trailing newline,
 * so programs that parse upstream's files parse ours.
 */
import type { Container, Pod, ResourceFieldSelector, ResourceList } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/index.js';
import { Quantity } from '../../../controlplane/machinery/quantity.js';

const HEX = '0123456789abcdef';

function hex(n: number, width: number): string {
  let s = '';
  for (let i = width - 1; i >= 0; i--) s += HEX[(n >> (4 * i)) & 0xf];
  return s;
}

/** Go's strconv.Quote for a (valid UTF-16) string: printable characters stay, the rest are escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    // unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    if (ch === ' ' || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch)) out += ch;
    else if (r < 0x20 || r === 0x7f) out += '\\x' + hex(r, 2);
    else if (r >= 0xd800 && r <= 0xdfff) out += '\\ufffd'; // a lone surrogate is not a valid rune
    else if (r < 0x10000) out += '\\u' + hex(r, 4);
    else out += '\\U' + hex(r, 8);
  }
  return out + '"';
}

/** upstream FormatMap: `k="v"` lines, sorted by key, joined without a trailing newline. */
export function formatMap(m: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  return keys.map((k) => `${k}=${goQuote(m![k])}`).join('\n');
}

/** `metadata.labels['app']` → ['labels', 'app']. */
function splitSubscript(path: string): { field: string; key: string } | undefined {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  return m ? { field: m[1], key: m[2] } : undefined;
}

/**
 * The value of a fieldRef a downwardAPI volume may use (metadata.name,
 * namespace, uid, labels, annotations, and labels['k'] / annotations['k']).
 */
export function extractFieldPath(pod: DeepReadonly<Pod>, fieldPath: string): string {
  const md = pod.metadata;
  const sub = splitSubscript(fieldPath);
  if (sub) {
    const map = sub.field === 'labels' ? md.labels : md.annotations;
    return map?.[sub.key] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.annotations':
      return formatMap(md.annotations);
    case 'metadata.labels':
      return formatMap(md.labels);
    case 'metadata.name':
      return md.name ?? '';
    case 'metadata.namespace':
      return md.namespace ?? '';
    case 'metadata.uid':
      return md.uid ?? '';
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

function ceilDiv(a: bigint, b: bigint): bigint {
  if (b <= 0n) throw new Error('divisor must be positive');
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
}

function quantityOf(list: DeepReadonly<ResourceList> | undefined, name: string): Quantity {
  const s = list?.[name];
  return s ? Quantity.parse(s) : Quantity.zero();
}

/**
 * A container's resource value in units of the divisor, rounded up
 * (upstream ExtractContainerResourceValue): cpu by millicores, everything
 * else by whole units. Limits the container does not set are taken from the
 * node's allocatable when known (MergeContainerResourceLimits).
 */
export function extractResourceValue(
  sel: DeepReadonly<ResourceFieldSelector>,
  container: DeepReadonly<Container>,
  nodeAllocatable?: DeepReadonly<ResourceList>,
): string {
  const divisorQ = sel.divisor ? Quantity.parse(sel.divisor) : Quantity.zero();
  const divisor = divisorQ.isZero() ? Quantity.fromInt(1) : divisorQ;
  const [kind, ...rest] = sel.resource.split('.');
  const resource = rest.join('.');
  if ((kind !== 'limits' && kind !== 'requests') || !resource) throw new Error(`unsupported container resource : ${sel.resource}`);
  if (!['cpu', 'memory', 'ephemeral-storage'].includes(resource) && !resource.startsWith('hugepages-')) {
    throw new Error(`unsupported container resource : ${sel.resource}`);
  }
  let q = quantityOf(kind === 'limits' ? container.resources?.limits : container.resources?.requests, resource);
  if (kind === 'limits' && q.isZero() && nodeAllocatable?.[resource]) q = Quantity.parse(nodeAllocatable[resource]);
  if (resource === 'cpu') return String(ceilDiv(q.milliValue(), divisor.milliValue()));
  return String(ceilDiv(q.value(), divisor.value()));
}

/** The container a resourceFieldRef names, among app and init containers. */
export function findContainer(pod: DeepReadonly<Pod>, name: string | undefined): DeepReadonly<Container> {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const c = all.find((x) => x.name === name);
  if (!c) throw new Error(`container ${name ?? ''} not found`);
  return c;
}
