/**
 * Reads datagrams (netlink notifications, TUN packets) from a nonblocking fd
 * on a dedicated worker thread and hands them to the event loop in batches.
 *
 * Design notes — why a worker and not fs.read:
 * a pending fs.read on a fd that has no data holds one of libuv's 4 pool
 * threads until data arrives (LIBS.md §3), so two TUN devices and two
 * netlink listeners would starve every fs/dns/zlib call in the process, and
 * fs streams cannot be interrupted (a destroyed stream's read stays blocked).
 * Instead one worker per reader blocks in poll() on [fd, eventfd]; it drains
 * everything readable with nonblocking read() calls, then posts one message
 * per batch (one copy into a right-sized ArrayBuffer, transferred, not
 * cloned). Abort writes the eventfd, which wakes poll at once.
 *
 * Backpressure: at most `maxInflight` batches are posted and not yet taken by
 * the consumer; past that the worker stops reading (the kernel queue then
 * fills and drops — for netlink that is the 'overrun' signal, for TUN it is
 * what a slow NIC does).
 *
 * The worker is an eval'd CommonJS script (below) so that it runs the same
 * from TypeScript sources under tsx and from compiled JavaScript: Node 20
 * does not apply the tsx loader to worker entry files.
 */
import { writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { EFD, koffiEntry, lastErrno, libc } from './libc.js';
import { SysError } from './errors.js';

export interface FdReaderOptions {
  readonly fd: number;
  /** Largest datagram expected (MTU + headers for TUN, 64 KiB for netlink). */
  readonly maxDatagram: number;
  /** Bytes gathered into one batch before posting it. Default 256 KiB. */
  readonly maxBatchBytes?: number;
  /** Batches posted but not yet consumed before the worker pauses. Default 64. */
  readonly maxInflight?: number;
  /** A name for errors, e.g. `read tun kt0`. */
  readonly op: string;
}

export interface Batch {
  /** Whole datagrams, each a view into one transferred buffer. */
  readonly datagrams: Buffer[];
  /** ENOBUFS was reported before these datagrams: some were dropped by the kernel. */
  readonly overrun: boolean;
}

interface WorkerBatch {
  readonly buf: ArrayBuffer;
  readonly lengths: number[];
  readonly overrun: boolean;
}
interface WorkerFailure {
  readonly errno: number;
}
type WorkerMessage = WorkerBatch | WorkerFailure;

// Shared Int32Array slots.
const INFLIGHT = 0;
const STOP = 1;

const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData: d } = require('node:worker_threads');
const koffi = require(d.koffi);
const lib = koffi.load('libc.so.6');
const poll = lib.func('int poll(void *, unsigned long, int)');
const read = lib.func('long read(int, void *, size_t)');
const shared = new Int32Array(d.shared);
const pfd = Buffer.alloc(16);
pfd.writeInt32LE(d.fd, 0); pfd.writeInt16LE(1, 4);      // POLLIN
pfd.writeInt32LE(d.wake, 8); pfd.writeInt16LE(1, 12);
const scratch = Buffer.alloc(d.maxBatchBytes);
let overrun = false;
for (;;) {
  if (Atomics.load(shared, 1) === 1) break;
  const inflight = Atomics.load(shared, 0);
  if (inflight >= d.maxInflight) { Atomics.wait(shared, 0, inflight, 1000); continue; }
  pfd.writeInt16LE(0, 6); pfd.writeInt16LE(0, 14);
  const r = poll(pfd, 2, -1);
  if (r < 0) { const e = koffi.errno(); if (e === 4) continue; parentPort.postMessage({ errno: e }); break; }
  if (pfd.readInt16LE(14) !== 0 || Atomics.load(shared, 1) === 1) break;
  const rev = pfd.readInt16LE(6);
  if (rev === 0) continue;
  const lengths = [];
  let off = 0, failed = 0;
  while (off + d.maxDatagram <= scratch.length) {
    const n = read(d.fd, off === 0 ? scratch : scratch.subarray(off), d.maxDatagram);
    if (n < 0) {
      const e = koffi.errno();
      if (e === 11 || e === 4) break;           // EAGAIN: drained; EINTR: next round
      if (e === 105) { overrun = true; continue; } // ENOBUFS: notifications were dropped
      failed = e; break;
    }
    lengths.push(n); off += n;
    if (n === 0) break;
  }
  if (lengths.length > 0 || overrun) {
    const buf = new ArrayBuffer(off);
    new Uint8Array(buf).set(scratch.subarray(0, off));
    Atomics.add(shared, 0, 1);
    parentPort.postMessage({ buf, lengths, overrun }, [buf]);
    overrun = false;
  }
  if (failed !== 0) { parentPort.postMessage({ errno: failed }); break; }
  if (lengths.length === 0 && (rev & 0x38) !== 0) { parentPort.postMessage({ errno: 5 }); break; } // POLLERR|POLLHUP|POLLNVAL
}
`;

/**
 * Batches of datagrams read from `fd` until `signal` aborts (the iteration
 * then ends normally) or a read fails (it throws SysError with `op`). The fd
 * must be nonblocking and stays owned by the caller: close it only after the
 * iteration has ended.
 */
export async function* readBatches(opts: FdReaderOptions, signal: AbortSignal): AsyncGenerator<Batch> {
  if (signal.aborted) return;
  const wake = libc.eventfd(0, EFD.CLOEXEC | EFD.NONBLOCK);
  if (wake < 0) throw new SysError(`eventfd for ${opts.op}`, lastErrno());
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      koffi: koffiEntry,
      fd: opts.fd,
      wake,
      maxDatagram: opts.maxDatagram,
      maxBatchBytes: Math.max(opts.maxBatchBytes ?? 256 * 1024, opts.maxDatagram),
      maxInflight: opts.maxInflight ?? 64,
      shared: shared.buffer,
    },
  });

  // guarded by the event loop (single-threaded): the queue and the waiter
  const queue: WorkerMessage[] = [];
  let wakeConsumer: (() => void) | undefined;
  let exited = false;
  let workerError: Error | undefined;
  const notify = (): void => {
    const w = wakeConsumer;
    wakeConsumer = undefined;
    w?.();
  };
  worker.on('message', (m: WorkerMessage) => {
    queue.push(m);
    notify();
  });
  worker.on('error', (e: Error) => {
    workerError = e;
    notify();
  });
  const exitedP = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      exited = true;
      notify();
      resolve();
    }),
  );
  const stop = (): void => {
    Atomics.store(shared, STOP, 1);
    Atomics.notify(shared, INFLIGHT);
    const one = Buffer.alloc(8);
    one.writeBigUInt64LE(1n);
    try {
      writeSync(wake, one);
    } catch {
      // the worker also checks STOP after every wake-up
    }
  };
  const onAbort = (): void => {
    stop();
    notify();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      if (signal.aborted) return;
      const m = queue.shift();
      if (m === undefined) {
        if (workerError) throw workerError;
        if (exited) return;
        await new Promise<void>((resolve) => {
          wakeConsumer = resolve;
        });
        continue;
      }
      if ('errno' in m) throw new SysError(opts.op, m.errno);
      Atomics.sub(shared, INFLIGHT, 1);
      Atomics.notify(shared, INFLIGHT);
      const all = Buffer.from(m.buf);
      const datagrams: Buffer[] = [];
      let off = 0;
      for (const len of m.lengths) {
        datagrams.push(all.subarray(off, off + len));
        off += len;
      }
      yield { datagrams, overrun: m.overrun };
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    stop();
    await exitedP;
    libc.close(wake);
  }
}
