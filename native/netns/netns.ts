/**
 * Network namespaces: open by name or path, create and delete named ones
 * (the /run/netns layout `ip netns` uses, so both tools see each other's),
 * and run code inside one.
 *
 * Design notes:
 * - setns(2) and unshare(2) with CLONE_NEWNET change the namespace of the
 *   calling *thread* only. withNetns runs a synchronous function on the
 *   JavaScript thread inside the namespace and always switches back before
 *   returning. libuv's pool threads and worker threads stay where they are, so
 *   the function must not hand work to them (no fs promises, no dns) and must
 *   not be async: after an `await`, the continuation would run in whatever
 *   namespace the thread is in by then. A function returning a promise is a
 *   programming error and throws.
 * - What the function *opens* stays bound to the namespace: a netlink socket
 *   created inside keeps configuring that namespace after we return, and a TUN
 *   device created inside lives there. That is how RtNetlinkClient.open({
 *   netns }) works: open the socket inside, return, use it from anywhere.
 * - Named namespaces are made natively, the way `ip netns add` does it,
 *   rather than by spawning `ip` (a process per pod sandbox, and iproute2 as a
 *   runtime dependency of the CNI plugins): /run/netns is made a shared mount
 *   point (bind-mounted onto itself first if it is not a mount point), an
 *   empty file /run/netns/NAME is created, the thread unshares a fresh
 *   namespace and bind-mounts /proc/thread-self/ns/net onto the file, then
 *   setns()es back. Deleting lazily unmounts and unlinks the file; the
 *   namespace dies with its last user.
 */
import { closeSync, constants, existsSync, fstatSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { defineSysError } from '../rtnetlink/sys/errors.js';
import { lastErrno, libc } from '../rtnetlink/sys/libc.js';

export const NetnsError = defineSysError('NetnsError');
export type NetnsError = InstanceType<typeof NetnsError>;

export const NETNS_RUN_DIR = '/run/netns';

const CLONE_NEWNET = 0x40000000;
const MS_BIND = 0x1000;
const MS_REC = 0x4000;
const MS_SHARED = 0x100000;
const MNT_DETACH = 2;
const EINVAL = 22;

/** An open namespace file (an fd on /run/netns/NAME or /proc/PID/ns/net). Close it when done. */
export interface NetnsHandle {
  readonly path: string;
  readonly fd: number;
  /** Device and inode of the namespace: equal for the same namespace. */
  readonly id: string;
  close(): void;
}

/** `kt-1` → /run/netns/kt-1; anything with a slash is a path. */
export function netnsPath(nameOrPath: string): string {
  return nameOrPath.includes('/') ? nameOrPath : join(NETNS_RUN_DIR, nameOrPath);
}

function errnoOf(e: unknown): number {
  const n = (e as NodeJS.ErrnoException).errno;
  return typeof n === 'number' ? Math.abs(n) : EINVAL;
}

/** Opens a namespace by name (/run/netns/NAME) or path. */
export function openNetns(nameOrPath: string): NetnsHandle {
  const path = netnsPath(nameOrPath);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch (e) {
    throw new NetnsError(`open ${path}`, errnoOf(e));
  }
  const st = fstatSync(fd);
  let open = true;
  return {
    path,
    fd,
    id: `${st.dev}:${st.ino}`,
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** The network namespace of a process (/proc/PID/ns/net), e.g. a container's. */
export function openNetnsOfPid(pid: number): NetnsHandle {
  return openNetns(`/proc/${pid}/ns/net`);
}

/** The calling thread's current namespace. */
export function currentNetns(): NetnsHandle {
  return openNetns('/proc/thread-self/ns/net');
}

function setns(fd: number, what: string): void {
  if (libc.setns(fd, CLONE_NEWNET) < 0) throw new NetnsError(`setns ${what}`, lastErrno());
}

/**
 * Runs `fn` with the JavaScript thread inside `ns` (a handle, a name or a
 * path) and switches back before returning or throwing. `fn` must be
 * synchronous; see the design notes for what it may do.
 */
export function withNetns<T>(ns: NetnsHandle | string, fn: () => T): T {
  const target = typeof ns === 'string' ? openNetns(ns) : ns;
  const home = currentNetns();
  try {
    setns(target.fd, target.path);
    let result: T;
    try {
      result = fn();
    } finally {
      // Failing to return would leave the JS thread in the wrong namespace: nothing can recover that.
      setns(home.fd, `back to ${home.path}`);
    }
    if (typeof (result as { then?: unknown } | null)?.then === 'function') {
      throw new TypeError('withNetns: fn returned a promise; it must be synchronous (its continuation would run outside the namespace)');
    }
    return result;
  } finally {
    home.close();
    if (typeof ns === 'string') target.close();
  }
}

/** Makes /run/netns a shared mount point, as `ip netns add` does, so mounts under it propagate. */
function ensureRunDir(): void {
  mkdirSync(NETNS_RUN_DIR, { recursive: true, mode: 0o755 });
  if (libc.mount('', NETNS_RUN_DIR, 'none', MS_SHARED | MS_REC, null) === 0) return;
  const errno = lastErrno();
  if (errno !== EINVAL) throw new NetnsError(`mount --make-rshared ${NETNS_RUN_DIR}`, errno);
  // Not a mount point yet: bind it onto itself, then retry.
  if (libc.mount(NETNS_RUN_DIR, NETNS_RUN_DIR, 'none', MS_BIND | MS_REC, null) < 0) {
    throw new NetnsError(`mount --bind ${NETNS_RUN_DIR}`, lastErrno());
  }
  if (libc.mount('', NETNS_RUN_DIR, 'none', MS_SHARED | MS_REC, null) < 0) {
    throw new NetnsError(`mount --make-rshared ${NETNS_RUN_DIR}`, lastErrno());
  }
}

/**
 * Creates a new, empty network namespace pinned at /run/netns/NAME (only
 * `lo`, down). Fails with EEXIST when the name is taken. Returns the path.
 */
export function createNamedNetns(name: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name) || name === '.' || name === '..') {
    throw new NetnsError(`create netns ${JSON.stringify(name)}`, EINVAL, 'bad name');
  }
  ensureRunDir();
  const path = join(NETNS_RUN_DIR, name);
  try {
    closeSync(openSync(path, constants.O_RDONLY | constants.O_CREAT | constants.O_EXCL, 0o444));
  } catch (e) {
    throw new NetnsError(`create ${path}`, errnoOf(e));
  }
  const home = currentNetns();
  try {
    if (libc.unshare(CLONE_NEWNET) < 0) throw new NetnsError(`unshare(CLONE_NEWNET) for ${name}`, lastErrno());
    try {
      if (libc.mount('/proc/thread-self/ns/net', path, 'none', MS_BIND, null) < 0) {
        throw new NetnsError(`mount --bind /proc/thread-self/ns/net ${path}`, lastErrno());
      }
    } finally {
      setns(home.fd, `back to ${home.path}`);
    }
  } catch (e) {
    rmSync(path, { force: true });
    throw e;
  } finally {
    home.close();
  }
  return path;
}

/** Unmounts and removes /run/netns/NAME (`ip netns del`). ENOENT when there is no such namespace. */
export function deleteNamedNetns(name: string): void {
  const path = netnsPath(name);
  if (!existsSync(path)) throw new NetnsError(`delete ${path}`, 2);
  if (libc.umount2(path, MNT_DETACH) < 0) {
    const errno = lastErrno();
    if (errno !== EINVAL) throw new NetnsError(`umount ${path}`, errno); // EINVAL: not mounted, just remove the file
  }
  rmSync(path, { force: true });
}

/** Names under /run/netns. */
export function listNamedNetns(): string[] {
  try {
    return readdirSync(NETNS_RUN_DIR).sort();
  } catch {
    return [];
  }
}
