/**
 * A cluster CIDR cut into node-sized subnets, one bit each (upstream
 * pkg/controller/node/ipam/cidrset): /16 cut into /24 gives 256 subnets.
 *
 * Addresses are BigInts, so IPv4 and IPv6 share one code path. Allocation
 * walks from a rotating candidate, as upstream does, so a just-released
 * subnet is not handed out again at once (a restarted node's old routes
 * may still point at it). Pure and synchronous: the controller owns it and
 * decides when to occupy or release; nothing here talks to the API.
 */

export class CidrError extends Error {
  override readonly name = 'CidrError';
  readonly code = 'InvalidCIDR';
}

export interface ParsedCidr {
  /** 4 or 6. */
  family: 4 | 6;
  /** The network address (host bits cleared). */
  base: bigint;
  prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    v = (v << 8n) | BigInt(Number(p));
  }
  return v;
}

function parseIPv6(s: string): bigint | undefined {
  let text = s;
  // An embedded IPv4 tail (::ffff:10.0.0.1) is two groups: rewrite it as such.
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const group = (h: string): bigint[] | undefined => {
    if (h === '') return [];
    const out: bigint[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(BigInt(`0x${g}`));
    }
    return out;
  };
  const head = group(halves[0]);
  const rest = halves.length === 2 ? group(halves[1]) : [];
  if (!head || !rest) return undefined;
  const given = head.length + rest.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  const groups = [...head, ...Array<bigint>(8 - given).fill(0n), ...rest];
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Parses `a.b.c.d/n` or an IPv6 CIDR; host bits are cleared (net.ParseCIDR's IPNet). Throws CidrError. */
export function parseCidr(text: string): ParsedCidr {
  const slash = text.indexOf('/');
  if (slash < 0) throw new CidrError(`invalid CIDR address: ${text}`);
  const ip = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  const family: 4 | 6 = ip.includes(':') ? 6 : 4;
  const addr = family === 4 ? parseIPv4(ip) : parseIPv6(ip);
  const prefix = Number(bits);
  if (addr === undefined || !/^\d{1,3}$/.test(bits) || prefix > BITS[family]) throw new CidrError(`invalid CIDR address: ${text}`);
  const hostBits = BigInt(BITS[family] - prefix);
  return { family, base: (addr >> hostBits) << hostBits, prefix };
}

function formatIPv6(v: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(16 * (7 - i))) & 0xffffn));
  // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on a tie.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export function formatCidr(c: ParsedCidr): string {
  const ip = c.family === 4 ? [24n, 16n, 8n, 0n].map((s) => String((c.base >> s) & 0xffn)).join('.') : formatIPv6(c.base);
  return `${ip}/${c.prefix}`;
}

/** The last address of a CIDR. */
function lastOf(c: ParsedCidr): bigint {
  return c.base + (1n << BigInt(BITS[c.family] - c.prefix)) - 1n;
}

/** More subnets than this would make the bitmap absurd (upstream refuses more than 16 bits too). */
const MAX_SUBNET_BITS = 16;

export class CidrSet {
  // Immutable after construction.
  readonly cluster: ParsedCidr;
  readonly nodeMaskSize: number;
  /** How many node subnets the cluster CIDR holds. */
  readonly max: number;
  private readonly shift: bigint;
  // Owned by this set (single-threaded).
  private readonly bits: Uint8Array;
  private allocated = 0;
  private nextCandidate = 0;

  /** Throws CidrError when the node mask does not fit the cluster CIDR. */
  constructor(clusterCidr: string, nodeMaskSize: number) {
    this.cluster = parseCidr(clusterCidr);
    const width = BITS[this.cluster.family];
    if (!Number.isInteger(nodeMaskSize) || nodeMaskSize < this.cluster.prefix || nodeMaskSize > width) {
      throw new CidrError(`node CIDR mask size /${nodeMaskSize} does not fit in cluster CIDR ${formatCidr(this.cluster)} (must be between ${this.cluster.prefix} and ${width})`);
    }
    if (nodeMaskSize - this.cluster.prefix > MAX_SUBNET_BITS) {
      throw new CidrError(`cluster CIDR ${formatCidr(this.cluster)} cut into /${nodeMaskSize} gives more than 2^${MAX_SUBNET_BITS} node subnets`);
    }
    this.nodeMaskSize = nodeMaskSize;
    this.max = 2 ** (nodeMaskSize - this.cluster.prefix);
    this.shift = BigInt(width - nodeMaskSize);
    this.bits = new Uint8Array(Math.ceil(this.max / 8));
  }

  /** Subnets in use. */
  get used(): number {
    return this.allocated;
  }

  private has(i: number): boolean {
    return (this.bits[i >> 3] & (1 << (i & 7))) !== 0;
  }

  private mark(i: number, on: boolean): void {
    if (this.has(i) === on) return;
    if (on) this.bits[i >> 3] |= 1 << (i & 7);
    else this.bits[i >> 3] &= ~(1 << (i & 7));
    this.allocated += on ? 1 : -1;
  }

  private subnet(i: number): string {
    return formatCidr({ family: this.cluster.family, base: this.cluster.base + (BigInt(i) << this.shift), prefix: this.nodeMaskSize });
  }

  /** The next free node subnet, marked used; undefined when the cluster CIDR is exhausted. */
  allocateNext(): string | undefined {
    for (let n = 0; n < this.max; n++) {
      const i = (this.nextCandidate + n) % this.max;
      if (!this.has(i)) {
        this.mark(i, true);
        this.nextCandidate = (i + 1) % this.max;
        return this.subnet(i);
      }
    }
    return undefined;
  }

  /**
   * The node subnets [begin, end] a CIDR overlaps, or undefined when it lies
   * outside the cluster CIDR (or is of the other family). Throws CidrError on bad text.
   */
  private span(cidr: string): [number, number] | undefined {
    const c = parseCidr(cidr);
    if (c.family !== this.cluster.family) return undefined;
    const lo = c.base > this.cluster.base ? c.base : this.cluster.base;
    const last = lastOf(c);
    const clusterLast = lastOf(this.cluster);
    const hi = last < clusterLast ? last : clusterLast;
    if (lo > hi) return undefined;
    return [Number((lo - this.cluster.base) >> this.shift), Number((hi - this.cluster.base) >> this.shift)];
  }

  /** Whether the CIDR overlaps the cluster CIDR at all. */
  overlaps(cidr: string): boolean {
    return this.span(cidr) !== undefined;
  }

  /** Whether the CIDR is exactly one node subnet of this set. */
  isNodeSubnet(cidr: string): boolean {
    const c = parseCidr(cidr);
    return c.family === this.cluster.family && c.prefix === this.nodeMaskSize && this.span(cidr) !== undefined;
  }

  /** Marks every node subnet the CIDR overlaps as used (a node's podCIDR, or the service range). Returns false when it lies outside. */
  occupy(cidr: string): boolean {
    const s = this.span(cidr);
    if (!s) return false;
    for (let i = s[0]; i <= s[1]; i++) this.mark(i, true);
    return true;
  }

  /** Frees every node subnet the CIDR overlaps. */
  release(cidr: string): boolean {
    const s = this.span(cidr);
    if (!s) return false;
    for (let i = s[0]; i <= s[1]; i++) this.mark(i, false);
    return true;
  }

  isUsed(cidr: string): boolean {
    const s = this.span(cidr);
    if (!s) return false;
    for (let i = s[0]; i <= s[1]; i++) if (!this.has(i)) return false;
    return true;
  }
}
