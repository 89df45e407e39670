/**
 * The protobuf wire format, and nothing more: varints, tags, length-delimited fields.
 * Schemas, JSON and Kubernetes live in codec.ts; this file knows none of them.
 *
 * Varints are read as bigint because int64 fields (generation, seconds, …) need all 64 bits
 * before they are narrowed; a number fast path covers the usual short varints.
 */
import { ProtobufError } from './errors.js';

/** Wire types (the low 3 bits of a tag). Groups (3, 4) are proto1 relics that Kubernetes never sends. */
export const WireType = { Varint: 0, Fixed64: 1, Len: 2, StartGroup: 3, EndGroup: 4, Fixed32: 5 } as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

const TWO_POW_32 = 2 ** 32;

/** A cursor over one message's bytes. Mutates only its own position. */
export class Reader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    // Up to 7 bytes (49 bits) stay exact in a double, so most varints never touch bigint.
    let small = 0;
    for (let i = 0; i < 7; i++) {
      const b = this.byte();
      small += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) return BigInt(small);
    }
    let big = BigInt(small);
    for (let i = 7; i < 10; i++) {
      const b = this.byte();
      big |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return BigInt.asUintN(64, big);
    }
    throw new ProtobufError('InvalidValue', 'varint longer than 10 bytes');
  }

  tag(): { field: number; wire: number } {
    const t = this.varint();
    const field = Number(t >> 3n);
    if (field === 0) throw new ProtobufError('InvalidValue', 'field number 0');
    return { field, wire: Number(t & 7n) };
  }

  /** A length-delimited payload, as a view into the buffer (no copy). */
  bytes(): Uint8Array {
    const n = Number(this.varint());
    if (this.pos + n > this.buf.length) throw new ProtobufError('Truncated', `length ${n} runs past the end of the message`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  fixed64(): bigint {
    const lo = BigInt(this.fixed32());
    return lo | (BigInt(this.fixed32()) << 32n);
  }

  fixed32(): number {
    if (this.pos + 4 > this.buf.length) throw new ProtobufError('Truncated', 'fixed32 runs past the end of the message');
    const v = this.buf[this.pos] | (this.buf[this.pos + 1] << 8) | (this.buf[this.pos + 2] << 16) | (this.buf[this.pos + 3] << 24);
    this.pos += 4;
    return v >>> 0;
  }

  /** Skips a field we have no schema for, as Go's generated code does. */
  skip(wire: number): void {
    switch (wire) {
      case WireType.Varint:
        this.varint();
        return;
      case WireType.Fixed64:
        this.fixed64();
        return;
      case WireType.Len:
        this.bytes();
        return;
      case WireType.Fixed32:
        this.fixed32();
        return;
      default:
        throw new ProtobufError('BadWireType', `cannot skip wire type ${wire}`);
    }
  }

  private byte(): number {
    if (this.pos >= this.buf.length) throw new ProtobufError('Truncated', 'varint runs past the end of the message');
    return this.buf[this.pos++];
  }
}

const utf8 = new TextEncoder();

/** An append-only byte buffer for one message. */
export class Writer {
  private buf = new Uint8Array(64);
  private len = 0;

  /**
   * Writes an unsigned or two's-complement varint. Negative numbers take 10 bytes, as protobuf
   * encodes int32/int64 (not zigzag: Kubernetes uses no sint fields).
   */
  varint(v: bigint | number): this {
    if (typeof v === 'number' && v >= 0 && v < TWO_POW_32 * TWO_POW_32 && Number.isSafeInteger(v)) {
      this.ensure(10);
      while (v >= 0x80) {
        this.buf[this.len++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      this.buf[this.len++] = v;
      return this;
    }
    let u = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    while (u >= 0x80n) {
      this.buf[this.len++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.len++] = Number(u);
    return this;
  }

  tag(field: number, wire: WireType): this {
    return this.varint(field * 8 + wire);
  }

  /** A length prefix and the bytes. */
  lenBytes(data: Uint8Array): this {
    this.varint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  string(s: string): this {
    return this.lenBytes(utf8.encode(s));
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}
