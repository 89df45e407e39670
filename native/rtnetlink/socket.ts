/**
 * A netlink socket (NETLINK_ROUTE by default; NETLINK_GENERIC works the same)
 * with batched request/acknowledge exchanges matched by sequence number.
 *
 * Design notes — why the request path is synchronous syscalls:
 * the kernel runs a netlink request inside the sender's sendmsg(): by the
 * time send() returns, every acknowledgement (or the first part of a dump)
 * is already queued on our socket, and further dump parts are produced inside
 * recv(). So after a send we drain the socket with recv(MSG_DONTWAIT) and
 * never wait on anything: no libuv pool thread is held (a blocking fs.read
 * would pin one, LIBS.md §3) and no thread hop is paid. The event loop is
 * held for one chunk at a time (≤ CHUNK messages, well under a millisecond),
 * and we yield with setImmediate between chunks. Should a reply ever not be
 * queued yet (EAGAIN with requests outstanding), we retry on a 1 ms timer
 * until `timeoutMs`.
 *
 * Chunking also protects the acknowledgements: the kernel queues one skb per
 * ack and drops acks (the socket then reports ENOBUFS) once the receive
 * buffer is full, so we send at most CHUNK messages before draining, and
 * raise SO_RCVBUF (SO_RCVBUFFORCE as root).
 *
 * Multicast listeners use a separate socket (see events.ts); a socket opened
 * inside a network namespace keeps talking to that namespace (netns/).
 */
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { NLMSG, NLM_F, NETLINK, NETLINK_OPT, SOL_NETLINK, AF } from './constants.js';
import { NetlinkError } from './errors.js';
import type { Request } from './messages.js';
import { lastErrno, libc, MSG, SO, SOCK, SOL_SOCKET } from './sys/libc.js';
import { decodeDone, decodeError, encodeMessage, parseMessages, type NlMessage } from './wire.js';

const EAGAIN = 11;
const EINTR = 4;
const ENOBUFS = 105;
const EBADF = 9;
const ETIMEDOUT = 110;

/** Messages per send(); see the design notes. */
export const CHUNK = 64;
const RECV_BUFFER = 256 * 1024;
const RCVBUF = 4 * 1024 * 1024;

export interface NetlinkSocketOptions {
  /** NETLINK_ROUTE (0, default) or NETLINK_GENERIC (16). */
  readonly protocol?: number;
  /** RTMGRP_* bitmask to join at bind time (multicast listeners). */
  readonly groups?: number;
  /** How long to wait for outstanding replies before failing them with ETIMEDOUT. Default 10 s. */
  readonly timeoutMs?: number;
}

export interface Exchange {
  /** Reply messages (dump parts, or the answer to a GET), copied out of the receive buffer. */
  readonly replies: NlMessage[];
  /** Set when the kernel refused the request. */
  readonly error: NetlinkError | undefined;
  /** NLM_F_DUMP_INTR: the dump raced with a change; the caller should retry. */
  readonly interrupted: boolean;
}

interface Pending {
  readonly req: Request;
  readonly replies: NlMessage[];
  error: NetlinkError | undefined;
  interrupted: boolean;
  done: boolean;
}

function sysFail(op: string): never {
  throw new NetlinkError(op, lastErrno());
}

export class NetlinkSocket {
  // immutable after construction
  readonly fd: number;
  readonly protocol: number;
  private readonly timeoutMs: number;
  private readonly recvBuf = Buffer.alloc(RECV_BUFFER);

  // guarded by the `tail` chain: one exchange at a time
  private seq: number;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(fd: number, protocol: number, timeoutMs: number) {
    this.fd = fd;
    this.protocol = protocol;
    this.timeoutMs = timeoutMs;
    this.seq = (Date.now() & 0x7fffffff) >>> 0;
  }

  /**
   * Opens and binds a socket in the calling thread's network namespace
   * (wrap in withNetns to open one elsewhere). Nonblocking, close-on-exec,
   * NETLINK_EXT_ACK and NETLINK_CAP_ACK on.
   */
  static open(opts: NetlinkSocketOptions = {}): NetlinkSocket {
    const protocol = opts.protocol ?? NETLINK.ROUTE;
    const fd = libc.socket(AF.NETLINK, SOCK.RAW | SOCK.CLOEXEC | SOCK.NONBLOCK, protocol);
    if (fd < 0) sysFail('socket(AF_NETLINK)');
    try {
      const one = Buffer.alloc(4);
      one.writeInt32LE(1);
      // Extended acks carry the kernel's reason text; capped acks don't echo the request back.
      if (libc.setsockopt(fd, SOL_NETLINK, NETLINK_OPT.EXT_ACK, one, 4) < 0) sysFail('setsockopt NETLINK_EXT_ACK');
      if (libc.setsockopt(fd, SOL_NETLINK, NETLINK_OPT.CAP_ACK, one, 4) < 0) sysFail('setsockopt NETLINK_CAP_ACK');
      const size = Buffer.alloc(4);
      size.writeInt32LE(RCVBUF);
      if (libc.setsockopt(fd, SOL_SOCKET, SO.RCVBUFFORCE, size, 4) < 0) libc.setsockopt(fd, SOL_SOCKET, SO.RCVBUF, size, 4);
      const sa = Buffer.alloc(12); // sockaddr_nl: family u16, pad u16, pid u32 (0: kernel assigns), groups u32
      sa.writeUInt16LE(AF.NETLINK, 0);
      sa.writeUInt32LE((opts.groups ?? 0) >>> 0, 8);
      if (libc.bind(fd, sa, sa.length) < 0) sysFail('bind(AF_NETLINK)');
    } catch (e) {
      libc.close(fd);
      throw e;
    }
    return new NetlinkSocket(fd, protocol, opts.timeoutMs ?? 10_000);
  }

  /** Closes the fd. Idempotent. Exchanges after this fail with EBADF. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    libc.close(this.fd);
  }

  /**
   * Sends the requests (CHUNK per send) and collects each one's outcome, in
   * request order. Never throws for a refused request (see `Exchange.error`);
   * throws NetlinkError only when the socket itself fails. Calls are
   * serialised per socket.
   */
  exchange(requests: readonly Request[]): Promise<Exchange[]> {
    const run = (): Promise<Exchange[]> => this.exchangeNow(requests);
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => undefined);
    return p;
  }

  /** One request that must succeed; returns its replies. */
  async request(req: Request): Promise<NlMessage[]> {
    const [r] = await this.exchange([req]);
    if (r.error) throw r.error;
    return r.replies;
  }

  /** A dump, retried up to 3 times when the kernel flags it as interrupted by a concurrent change. */
  async dump(req: Request): Promise<NlMessage[]> {
    for (let attempt = 0; ; attempt++) {
      const [r] = await this.exchange([req]);
      if (r.error) throw r.error;
      if (!r.interrupted || attempt >= 2) return r.replies;
    }
  }

  private async exchangeNow(requests: readonly Request[]): Promise<Exchange[]> {
    if (this.closed) throw new NetlinkError(requests[0]?.op ?? 'netlink', EBADF);
    const all: Pending[] = requests.map((req) => ({ req, replies: [], error: undefined, interrupted: false, done: false }));
    for (let start = 0; start < all.length; start += CHUNK) {
      if (start > 0) await yieldToLoop();
      await this.runChunk(all.slice(start, start + CHUNK));
    }
    return all.map((p) => ({ replies: p.replies, error: p.error, interrupted: p.interrupted }));
  }

  private async runChunk(chunk: Pending[]): Promise<void> {
    const bySeq = new Map<number, Pending>();
    const bufs: Buffer[] = [];
    for (const p of chunk) {
      this.seq = (this.seq + 1) >>> 0 || 1;
      bySeq.set(this.seq, p);
      bufs.push(encodeMessage({ type: p.req.type, flags: p.req.flags, seq: this.seq, pid: 0 }, p.req.fixed, p.req.attrs));
    }
    const out = bufs.length === 1 ? bufs[0] : Buffer.concat(bufs);
    for (;;) {
      const n = libc.send(this.fd, out, out.length, 0);
      if (n >= 0) break;
      const errno = lastErrno();
      if (errno === EINTR) continue;
      // Nothing was sent: every item fails with the same error.
      for (const p of chunk) this.finish(p, new NetlinkError(p.req.op, errno));
      return;
    }
    let outstanding = chunk.length;
    let lostAcks = false;
    const deadline = Date.now() + this.timeoutMs;
    while (outstanding > 0) {
      const n = libc.recv(this.fd, this.recvBuf, this.recvBuf.length, MSG.DONTWAIT);
      if (n < 0) {
        const errno = lastErrno();
        if (errno === EINTR) continue;
        if (errno === ENOBUFS) {
          lostAcks = true; // some replies were dropped; drain what is left, then fail the rest
          continue;
        }
        if (errno !== EAGAIN) throw new NetlinkError(`recv ${chunk[0].req.op}`, errno);
        if (lostAcks || Date.now() > deadline) {
          for (const p of bySeq.values()) if (!p.done) this.finish(p, new NetlinkError(p.req.op, lostAcks ? ENOBUFS : ETIMEDOUT));
          return;
        }
        await sleep(1);
        continue;
      }
      for (const m of parseMessages(this.recvBuf, n)) {
        const p = bySeq.get(m.seq);
        if (!p || p.done) continue; // a late reply to an abandoned exchange, or a notification
        if (m.flags & NLM_F.DUMP_INTR) p.interrupted = true;
        if (m.type === NLMSG.ERROR) {
          const e = decodeError(m);
          this.finish(p, e.errno === 0 ? undefined : new NetlinkError(p.req.op, e.errno, e.message));
          outstanding--;
        } else if (m.type === NLMSG.DONE) {
          const errno = decodeDone(m);
          this.finish(p, errno === 0 ? undefined : new NetlinkError(p.req.op, errno));
          outstanding--;
        } else if (m.type !== NLMSG.NOOP) {
          p.replies.push({ type: m.type, flags: m.flags, seq: m.seq, pid: m.pid, payload: Buffer.from(m.payload) });
        }
      }
    }
  }

  private finish(p: Pending, error: NetlinkError | undefined): void {
    p.done = true;
    p.error = error;
  }
}
