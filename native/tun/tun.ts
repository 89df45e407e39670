/**
 * TUN/TAP devices: /dev/net/tun + TUNSETIFF through koffi, whole packets read
 * and written from Node.
 *
 * Design notes — the I/O pattern (measured in test/bench/netlink.ts):
 * - Reads: the fd is nonblocking and a dedicated worker thread blocks in
 *   poll() and drains every ready packet per wake-up, posting them as one
 *   batch (rtnetlink/sys/fd-reader.ts). No libuv pool thread is held — a
 *   pending fs.read on a TUN fd pins one of the 4 until a packet arrives, and
 *   can't be interrupted (LIBS.md §3) — and at high rates the per-batch cost
 *   is shared by many packets.
 * - Writes: `write()` is a synchronous write(2) on the JS thread. A TUN write
 *   hands the packet to the network stack and returns; it never waits for
 *   the wire, so there is nothing to gain from a thread hop.
 * - One read returns one packet; one write injects one packet. With IFF_NO_PI
 *   (the default here) packets are bare IP datagrams, as flannel's udp
 *   backend uses them.
 * - The device lives in the namespace of the thread that opened it (see
 *   netns/withNetns), and disappears when its last fd closes unless it was
 *   made persistent.
 */
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { defineSysError } from '../rtnetlink/sys/errors.js';
import { readBatches } from '../rtnetlink/sys/fd-reader.js';
import { lastErrno, libc } from '../rtnetlink/sys/libc.js';

export const TunError = defineSysError('TunError');
export type TunError = InstanceType<typeof TunError>;

const TUNSETIFF = 0x400454ca;
const TUNSETPERSIST = 0x400454cb;
export const IFF_TUN = 0x0001;
export const IFF_TAP = 0x0002;
export const IFF_MULTI_QUEUE = 0x0100;
export const IFF_NO_PI = 0x1000;
const IFNAMSIZ = 16;
const IFREQ_LEN = 40;
const EBADF = 9;

export interface TunOptions {
  /** Device name; may hold one `%d` for the kernel to number (`kt%d`). Empty: the kernel picks `tun%d`. */
  readonly name?: string;
  /** A TAP (Ethernet frames) instead of a TUN (IP packets). */
  readonly tap?: boolean;
  /** Keep the 4-byte packet-information header (off by default: IFF_NO_PI). */
  readonly packetInfo?: boolean;
  readonly multiQueue?: boolean;
  /** Path of the clone device; default /dev/net/tun. */
  readonly cloneDevice?: string;
}

/** struct ifreq for TUNSETIFF: char ifr_name[16] then short ifr_flags. */
export function encodeIfreq(name: string, flags: number): Buffer {
  const b = Buffer.alloc(IFREQ_LEN);
  const n = Buffer.from(name, 'utf8');
  if (n.length >= IFNAMSIZ) throw new TunError(`TUNSETIFF ${name}`, 36 /* ENAMETOOLONG */);
  n.copy(b, 0);
  b.writeUInt16LE(flags, IFNAMSIZ);
  return b;
}

export function tunFlags(o: TunOptions): number {
  return (o.tap ? IFF_TAP : IFF_TUN) | (o.packetInfo ? 0 : IFF_NO_PI) | (o.multiQueue ? IFF_MULTI_QUEUE : 0);
}

function ifreqName(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.toString('utf8', 0, nul < 0 || nul > IFNAMSIZ ? IFNAMSIZ : nul);
}

/** An open TUN/TAP queue. Owns its fd: `close()` it (the device goes away unless persistent). */
export class TunDevice {
  // immutable after construction
  readonly name: string;
  readonly fd: number;
  readonly flags: number;
  /** Aborts the readers when the device is closed under them. */
  private readonly stopReaders = new AbortController();

  // guarded by the event loop
  private readers = 0;
  private closeRequested = false;
  private fdClosed = false;

  private constructor(name: string, fd: number, flags: number) {
    this.name = name;
    this.fd = fd;
    this.flags = flags;
  }

  /**
   * Opens /dev/net/tun and attaches (creating if needed) the device, in the
   * calling thread's network namespace. The fd is nonblocking and close-on-exec.
   */
  static open(opts: TunOptions = {}): TunDevice {
    const flags = tunFlags(opts);
    const want = opts.name ?? '';
    const path = opts.cloneDevice ?? '/dev/net/tun';
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
    } catch (e) {
      throw new TunError(`open ${path}`, Math.abs((e as NodeJS.ErrnoException).errno ?? 2));
    }
    const ifr = encodeIfreq(want, flags);
    if (libc.ioctl(fd, TUNSETIFF, ifr) < 0) {
      const errno = lastErrno();
      closeSync(fd);
      throw new TunError(`TUNSETIFF ${want || '(auto)'}`, errno);
    }
    return new TunDevice(ifreqName(ifr), fd, flags);
  }

  /** Keeps the device after its fds close (`ip tuntap add`), or lets it go again. */
  setPersist(on: boolean): void {
    // TUNSETPERSIST takes its argument by value.
    if (libc.ioctlInt(this.fd, TUNSETPERSIST, on ? 1 : 0) < 0) throw new TunError(`TUNSETPERSIST ${this.name}`, lastErrno());
  }

  /**
   * Injects one packet. Returns false when the kernel would block (queue
   * full; the packet is dropped, as a NIC would). Throws TunError otherwise.
   */
  write(packet: Uint8Array): boolean {
    if (this.closeRequested) throw new TunError(`write ${this.name}`, EBADF);
    try {
      writeSync(this.fd, packet);
      return true;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EAGAIN') return false;
      throw new TunError(`write ${this.name}`, Math.abs(err.errno ?? 5));
    }
  }

  /**
   * Packets in arrival order, batched per wake-up of the reader thread, until
   * `signal` aborts. Buffers are views into a fresh per-batch buffer: keep
   * them as long as you like. One reader per device.
   */
  async *batches(signal: AbortSignal): AsyncGenerator<Buffer[]> {
    if (this.closeRequested) throw new TunError(`read ${this.name}`, EBADF);
    const mtuMax = 65535 + 4;
    this.readers++;
    try {
      const both = AbortSignal.any([signal, this.stopReaders.signal]);
      for await (const b of readBatches({ fd: this.fd, maxDatagram: mtuMax, maxBatchBytes: 512 * 1024, op: `read ${this.name}` }, both)) {
        if (b.datagrams.length > 0) yield b.datagrams;
      }
    } finally {
      this.readers--;
      if (this.closeRequested && this.readers === 0) this.closeFd();
    }
  }

  /** One packet at a time (over `batches`). */
  async *packets(signal: AbortSignal): AsyncGenerator<Buffer> {
    for await (const batch of this.batches(signal)) yield* batch;
  }

  /**
   * Closes the device. Active readers are stopped first and the fd is closed
   * when the last one has returned (its worker may still be inside read(2):
   * closing under it could let the number be reused and read by mistake).
   * Idempotent.
   */
  close(): void {
    if (this.closeRequested) return;
    this.closeRequested = true;
    if (this.readers === 0) this.closeFd();
    else this.stopReaders.abort();
  }

  private closeFd(): void {
    if (this.fdClosed) return;
    this.fdClosed = true;
    closeSync(this.fd);
  }
}

/**
 * Creates a persistent TUN (or TAP) device in the calling thread's namespace
 * and returns its name (`ip tuntap add mode tun NAME`).
 */
export function createPersistentTun(opts: TunOptions): string {
  const dev = TunDevice.open(opts);
  try {
    dev.setPersist(true);
    return dev.name;
  } finally {
    dev.close();
  }
}
