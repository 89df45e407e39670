/**
 * The few libc calls the kernel bindings need, bound once through koffi
 * (LIBS.md §3: ffi-napi does not build on Node 20; koffi costs ~0.2 µs a
 * call). Every wrapper is synchronous and returns the C result; on -1 the
 * caller reads `lastErrno()` immediately (koffi saves errno per call).
 *
 * Used by rtnetlink (socket calls), netns (setns, unshare, mount) and tun
 * (ioctl). Loaded at import: the bindings are immutable after that.
 */
import { createRequire } from 'node:module';
import koffi from 'koffi';

const lib = koffi.load('libc.so.6');

type Ptr = Buffer | null;

export interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  getsockname(fd: number, addr: Buffer, lenInOut: Buffer): number;
  send(fd: number, buf: Buffer, len: number, flags: number): number;
  recv(fd: number, buf: Buffer, len: number, flags: number): number;
  close(fd: number): number;
  poll(fds: Buffer, nfds: number, timeoutMs: number): number;
  setns(fd: number, nstype: number): number;
  unshare(flags: number): number;
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: Ptr): number;
  umount2(target: string, flags: number): number;
  ioctl(fd: number, request: number, arg: Buffer): number;
  /** ioctl whose argument is passed by value (TUNSETPERSIST). */
  ioctlInt(fd: number, request: number, arg: number): number;
  eventfd(initval: number, flags: number): number;
}

export const libc: Libc = {
  socket: lib.func('int socket(int, int, int)') as Libc['socket'],
  bind: lib.func('int bind(int, const void *, uint32_t)') as Libc['bind'],
  setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)') as Libc['setsockopt'],
  getsockname: lib.func('int getsockname(int, void *, void *)') as Libc['getsockname'],
  send: lib.func('long send(int, const void *, size_t, int)') as Libc['send'],
  recv: lib.func('long recv(int, void *, size_t, int)') as Libc['recv'],
  close: lib.func('int close(int)') as Libc['close'],
  poll: lib.func('int poll(void *, unsigned long, int)') as Libc['poll'],
  setns: lib.func('int setns(int, int)') as Libc['setns'],
  unshare: lib.func('int unshare(int)') as Libc['unshare'],
  mount: lib.func('int mount(const char *, const char *, const char *, unsigned long, const void *)') as Libc['mount'],
  umount2: lib.func('int umount2(const char *, int)') as Libc['umount2'],
  ioctl: lib.func('int ioctl(int, unsigned long, void *)') as Libc['ioctl'],
  ioctlInt: lib.func('ioctl', 'int', ['int', 'unsigned long', 'unsigned long']) as Libc['ioctlInt'],
  eventfd: lib.func('int eventfd(unsigned int, int)') as Libc['eventfd'],
};

/** errno of the last failed call on this thread. */
export function lastErrno(): number {
  return koffi.errno();
}

/** Absolute path of the koffi package entry, for worker threads that load it themselves. */
export const koffiEntry: string = createRequire(import.meta.url).resolve('koffi');

export const SOCK = { RAW: 3, DGRAM: 2, NONBLOCK: 0x800, CLOEXEC: 0x80000 } as const;
export const MSG = { DONTWAIT: 0x40, TRUNC: 0x20 } as const;
export const SOL_SOCKET = 1;
export const SO = { SNDBUF: 7, RCVBUF: 8, SNDBUFFORCE: 32, RCVBUFFORCE: 33 } as const;
export const POLL = { IN: 0x1, ERR: 0x8, HUP: 0x10, NVAL: 0x20 } as const;
export const EFD = { NONBLOCK: 0x800, CLOEXEC: 0x80000 } as const;
