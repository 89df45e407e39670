/**
 * Picks one IP per range set, as the reference allocator does: a requested
 * IP if the runtime asked for one (it must lie in the set and be free), else
 * the first free address after the set's last reservation, walking the
 * ranges in order and wrapping, skipping each range's gateway. Caller holds
 * the store lock.
 */
import { CniCode, CniError } from '../../spec/errors.js';
import { addIp, contains, formatIp, ipEqual, parseIp, type Ip } from '../../spec/ip.js';
import type { CniIPConfig } from '../../spec/types.js';
import { rangeToString, type Range, type RangeSet } from './config.js';
import type { DiskStore } from './store.js';

function setToString(set: RangeSet): string {
  return set.map(rangeToString).join(',');
}

function rangeOf(set: RangeSet, ip: Ip): Range | undefined {
  return set.find((r) => ip.family === r.start.family && ip.value >= r.start.value && ip.value <= r.end.value);
}

function ipConfig(r: Range, ip: Ip): CniIPConfig {
  return { address: `${formatIp(ip)}/${r.subnet.len}`, gateway: formatIp(r.gateway) };
}

/**
 * Every address of the set once, in search order: from just after `last`
 * (when it lies in the set) to the end of its range, through the following
 * ranges, wrapping around to end just at `last`.
 */
function* candidates(set: RangeSet, last: Ip | undefined): Generator<{ r: Range; ip: Ip }> {
  let ri = 0;
  let v = set[0].start.value;
  const i = last ? set.findIndex((r) => last.family === r.start.family && last.value >= r.start.value && last.value <= r.end.value) : -1;
  if (last && i >= 0) {
    ri = i;
    v = last.value + 1n;
  }
  const advance = (): void => {
    if (v > set[ri].end.value) {
      ri = (ri + 1) % set.length;
      v = set[ri].start.value;
    }
  };
  advance();
  const first = { ri, v };
  do {
    yield { r: set[ri], ip: { family: set[ri].start.family, value: v } };
    v++;
    advance();
  } while (ri !== first.ri || v !== first.v);
}

export function allocate(store: DiskStore, set: RangeSet, setIndex: number, id: string, ifName: string, requested: readonly Ip[]): CniIPConfig {
  const want = requested.find((ip) => set.some((r) => contains(r.subnet, ip)));
  if (want) {
    const r = rangeOf(set, want);
    if (!r) throw new CniError(CniCode.Internal, `${formatIp(want)} not in range set ${setToString(set)}`);
    if (ipEqual(want, r.gateway)) throw new CniError(CniCode.Internal, `requested ip ${formatIp(want)} is subnet's gateway`);
    if (!store.reserve(id, ifName, formatIp(want), setIndex)) {
      throw new CniError(CniCode.Internal, `requested IP address ${formatIp(want)} is not available in range set ${setToString(set)}`);
    }
    return ipConfig(r, want);
  }
  for (const held of store.byId(id, ifName)) {
    const ip = parseIp(held);
    if (rangeOf(set, ip)) throw new CniError(CniCode.Internal, `${formatIp(ip)} has been allocated to ${id}, duplicate allocation is not allowed`);
  }
  const lastText = store.lastReserved(setIndex);
  let last: Ip | undefined;
  try {
    last = lastText ? parseIp(lastText) : undefined;
  } catch {
    last = undefined; // a damaged hint only costs a longer search
  }
  const taken = store.allocated();
  for (const { r, ip } of candidates(set, last)) {
    if (ipEqual(ip, r.gateway)) continue;
    const text = formatIp(ip);
    if (taken.has(text)) continue;
    if (store.reserve(id, ifName, text, setIndex)) return ipConfig(r, ip);
  }
  throw new CniError(CniCode.Internal, `no IP addresses available in range set: ${setToString(set)}`);
}
