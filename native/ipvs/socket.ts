/**
 * A small generic-netlink socket for IPVS, kept inside native/ipvs so it
 * depends on nothing else in native/ (native/rtnetlink has its own
 * NETLINK_ROUTE socket).
 *
 * Only socket(), bind() and setsockopt() go through koffi; sending and
 * receiving use fs.writeSync / fs.read on the fd (LIBS.md §4: both work on a
 * netlink fd). A receive timeout (SO_RCVTIMEO) is set so a read blocked in
 * the libuv pool cannot hang forever if the kernel never answers. Requests
 * are serialized: one in flight per socket, so replies are matched by
 * sequence number without a demultiplexer.
 */
import fs from 'node:fs';
import koffi from 'koffi';
import {
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  errnoName,
  errorCode,
  parseMessages,
  type NlMessage,
} from './netlink.js';

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_GENERIC = 16;
const SOL_SOCKET = 1;
const SO_RCVTIMEO = 20;
const SO_RCVBUF = 8;
const SOL_NETLINK = 270;
const NETLINK_CAP_ACK = 10;

/** A negative errno the kernel answered with. */
export class NetlinkErrnoError extends Error {
  readonly errno: number;
  readonly errnoName: string;
  constructor(errno: number, what: string) {
    const name = errnoName(errno);
    super(`${what}: ${name}`);
    this.name = 'NetlinkErrnoError';
    this.errno = Math.abs(errno);
    this.errnoName = name;
  }
}

/** The socket seam: the IPVS client is tested with a fake one replaying fixtures. */
export interface GenlTransport {
  /**
   * Sends the message `build(seq, flags)` makes and collects the replies:
   * data messages until the ack (single request) or NLMSG_DONE (dump).
   * Throws NetlinkErrnoError when the kernel answers with an error.
   */
  request(build: (seq: number, flags: number) => Buffer, opts: { dump: boolean; what: string }): Promise<NlMessage[]>;
  close(): void;
}

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  setsockopt(fd: number, level: number, name: number, val: Buffer, len: number): number;
}

let libc: Libc | undefined;
function loadLibc(): Libc {
  if (!libc) {
    const lib = koffi.load('libc.so.6');
    libc = {
      socket: lib.func('int socket(int domain, int type, int protocol)') as Libc['socket'],
      bind: lib.func('int bind(int fd, const uint8_t *addr, uint32_t len)') as Libc['bind'],
      setsockopt: lib.func('int setsockopt(int fd, int level, int name, const uint8_t *val, uint32_t len)') as Libc['setsockopt'],
    };
  }
  return libc;
}

function sysFail(call: string): never {
  throw new NetlinkErrnoError(koffi.errno(), `${call}(AF_NETLINK, NETLINK_GENERIC)`);
}

export class GenlSocket implements GenlTransport {
  // Guarded by the request chain: one request reads at a time.
  private seq = Math.floor(Math.random() * 0x7fffffff);
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly rx = Buffer.alloc(256 * 1024);

  private constructor(private readonly fd: number) {}

  /** Opens and binds a NETLINK_GENERIC socket in the calling thread's network namespace. */
  static open(opts: { timeoutMs?: number } = {}): GenlSocket {
    const c = loadLibc();
    const fd = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
    if (fd < 0) sysFail('socket');
    try {
      const sa = Buffer.alloc(12); // sockaddr_nl { u16 family; u16 pad; u32 pid = 0 (kernel assigns); u32 groups = 0 }
      sa.writeUInt16LE(AF_NETLINK, 0);
      if (c.bind(fd, sa, sa.length) < 0) sysFail('bind');
      const ms = opts.timeoutMs ?? 5000;
      const tv = Buffer.alloc(16); // struct timeval { long sec; long usec }
      tv.writeBigInt64LE(BigInt(Math.floor(ms / 1000)), 0);
      tv.writeBigInt64LE(BigInt((ms % 1000) * 1000), 8);
      if (c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, tv.length) < 0) sysFail('setsockopt(SO_RCVTIMEO)');
      const rcvbuf = Buffer.alloc(4);
      rcvbuf.writeInt32LE(1 << 20);
      c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf, 4); // best effort: big dumps
      const one = Buffer.alloc(4);
      one.writeInt32LE(1);
      c.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, one, 4); // best effort: acks without the echoed request
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
    return new GenlSocket(fd);
  }

  request(build: (seq: number, flags: number) => Buffer, opts: { dump: boolean; what: string }): Promise<NlMessage[]> {
    const run = this.chain.then(() => this.doRequest(build, opts));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async doRequest(build: (seq: number, flags: number) => Buffer, opts: { dump: boolean; what: string }): Promise<NlMessage[]> {
    if (this.closed) throw new Error(`${opts.what}: netlink socket closed`);
    const seq = (this.seq = (this.seq + 1) >>> 0);
    // Dumps end with NLMSG_DONE and get no ack; single requests end with the ack.
    const flags = NLM_F_REQUEST | (opts.dump ? NLM_F_DUMP : NLM_F_ACK);
    fs.writeSync(this.fd, build(seq, flags));
    const out: NlMessage[] = [];
    for (;;) {
      let n: number;
      try {
        ({ bytesRead: n } = await readAsync(this.fd, this.rx));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') throw new Error(`${opts.what}: no answer from the kernel (timed out)`);
        throw e;
      }
      for (const m of parseMessages(this.rx.subarray(0, n))) {
        if (m.seq !== seq) continue; // a late reply to an earlier, abandoned request
        if (m.type === NLMSG_NOOP) continue;
        if (m.type === NLMSG_ERROR) {
          const err = errorCode(m.payload);
          if (err !== 0) throw new NetlinkErrnoError(err, opts.what);
          return out;
        }
        if (m.type === NLMSG_DONE) return out;
        // Copy: rx is reused. A single request's reply is followed by the ack we asked for.
        out.push({ ...m, payload: Buffer.from(m.payload) });
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

function readAsync(fd: number, buf: Buffer): Promise<{ bytesRead: number }> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buf, 0, buf.length, null, (err, bytesRead) => (err ? reject(err) : resolve({ bytesRead })));
  });
}
