/**
 * Range allocators for Service cluster IPs and node ports. The allocation
 * state is one bitmap per range, kept in the store under its own key and
 * changed only by compare-and-swap, so several API servers (--apiserver-count)
 * can allocate from the same range without handing out an address twice —
 * the same design as upstream's /registry/ranges/serviceips.
 */
import { randomInt } from 'node:crypto';
import { StoreError, type Store } from '../../../storage/types.js';

export class RangeFullError extends Error {
  override readonly name = 'RangeFullError';
}
export class AlreadyAllocatedError extends Error {
  override readonly name = 'AlreadyAllocatedError';
}

/** Offsets 0..size-1 of a range; what they mean (IPs, ports) is the caller's business. */
export class BitmapAllocator {
  constructor(
    private readonly store: Store,
    /** Storage key of the bitmap, e.g. /ranges/serviceips. */
    private readonly key: string,
    readonly size: number,
  ) {}

  /** Allocates `want` if given (AlreadyAllocatedError when taken), else a free offset (RangeFullError when none). */
  async allocate(want?: number): Promise<number> {
    return this.modify((bits) => {
      if (want !== undefined) {
        if (get(bits, want)) throw new AlreadyAllocatedError(`offset ${want} is already allocated`);
        set(bits, want, true);
        return want;
      }
      // Start at a random offset so concurrent allocators rarely race for the same one.
      const start = randomInt(this.size);
      for (let i = 0; i < this.size; i++) {
        const n = (start + i) % this.size;
        if (!get(bits, n)) {
          set(bits, n, true);
          return n;
        }
      }
      throw new RangeFullError('range is full');
    });
  }

  async release(n: number): Promise<void> {
    await this.modify((bits) => {
      set(bits, n, false);
      return n;
    });
  }

  async isAllocated(n: number): Promise<boolean> {
    const kv = await this.store.get(this.key);
    return kv ? get(kv.value, n) : false;
  }

  private async modify(change: (bits: Uint8Array) => number): Promise<number> {
    for (let attempt = 0; attempt < 64; attempt++) {
      const kv = await this.store.get(this.key);
      const bits = new Uint8Array(Math.ceil(this.size / 8));
      if (kv) bits.set(kv.value.subarray(0, bits.length));
      const n = change(bits);
      try {
        if (kv) await this.store.update(this.key, kv.modRevision, bits);
        else await this.store.create(this.key, bits);
        return n;
      } catch (e) {
        if (e instanceof StoreError && (e.code === 'Conflict' || e.code === 'AlreadyExists' || e.code === 'NotFound')) continue;
        throw e;
      }
    }
    throw new Error(`allocator ${this.key}: too many concurrent updates`);
  }
}

function get(bits: Uint8Array, n: number): boolean {
  return ((bits[n >> 3] ?? 0) & (1 << (n & 7))) !== 0;
}
function set(bits: Uint8Array, n: number, v: boolean): void {
  if (v) bits[n >> 3] |= 1 << (n & 7);
  else bits[n >> 3] &= ~(1 << (n & 7));
}

/** An IPv4 CIDR as numbers: the usable addresses exclude the network and broadcast addresses. */
export class IPv4Range {
  readonly base: number;
  readonly size: number;
  constructor(readonly cidr: string) {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
    if (!m) throw new Error(`invalid IPv4 CIDR ${JSON.stringify(cidr)}: expected a.b.c.d/n`);
    const prefix = Number(m[5]);
    if (prefix < 8 || prefix > 30) throw new Error(`service CIDR ${cidr}: prefix must be between /8 and /30`);
    const ip = ipToNum(`${m[1]}.${m[2]}.${m[3]}.${m[4]}`);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    this.base = ((ip & mask) >>> 0) + 1; // skip the network address
    this.size = 2 ** (32 - prefix) - 2; // and the broadcast address
  }
  offsetOf(ip: string): number | undefined {
    const n = ipToNum(ip);
    if (Number.isNaN(n)) return undefined;
    const off = n - this.base;
    return off >= 0 && off < this.size ? off : undefined;
  }
  ipAt(offset: number): string {
    return numToIp(this.base + offset);
  }
}

export function ipToNum(ip: string): number {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return NaN;
  return ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3];
}
export function numToIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
