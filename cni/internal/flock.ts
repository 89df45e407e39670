/**
 * flock(2) on a lock file, through koffi (Node has no flock). host-local
 * uses the same file as the reference plugin (`<dataDir>/<net>/lock`), so the
 * two implementations exclude each other during a migration.
 *
 * The call blocks the JavaScript thread while another process holds the
 * lock: right for a short-lived plugin process, which has nothing else to
 * do meanwhile — and it keeps the critical section free of awaits racing
 * other callers in the same process (there are none in a plugin).
 */
import { closeSync, constants, openSync } from 'node:fs';
import koffi from 'koffi';

const LOCK_EX = 2;
const LOCK_UN = 8;

type FlockFn = (fd: number, op: number) => number;

// Bound on first use: only host-local needs it, other plugins should not pay for loading libc.
let flockFn: FlockFn | undefined;
function flock(): FlockFn {
  flockFn ??= koffi.load('libc.so.6').func('int flock(int, int)') as FlockFn;
  return flockFn;
}

export interface FileLock {
  /** Releases the lock and closes the file. Idempotent. */
  release(): void;
}

/** Opens (creating if needed) `path` and takes an exclusive lock, waiting for other holders. */
export function lockFile(path: string): FileLock {
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600);
  if (flock()(fd, LOCK_EX) !== 0) {
    const errno = koffi.errno();
    closeSync(fd);
    throw new Error(`flock ${path}: errno ${errno}`);
  }
  let held = true;
  return {
    release: () => {
      if (!held) return;
      held = false;
      flock()(fd, LOCK_UN);
      closeSync(fd);
    },
  };
}
