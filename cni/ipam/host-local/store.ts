/**
 * host-local's on-disk state, in the reference plugin's layout so the two
 * can take over from each other: `<dataDir>/<network>/` holds
 *
 * - one file per allocated IP, named by the IP, containing
 *   `<containerID>\r\n<ifname>` (an older layout wrote only the id; we still
 *   release those);
 * - `last_reserved_ip.<set>`: the last IP handed out from range set <set>,
 *   where the next search starts (round robin, so a released IP is not
 *   reused at once);
 * - `lock`: flocked around every read-modify-write.
 *
 * All methods are synchronous and must be called between lock() and
 * unlock(): the lock is what makes 20 concurrent ADDs safe, and no await
 * sits inside the critical section.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync, constants } from 'node:fs';
import { join } from 'node:path';
import { lockFile, type FileLock } from '../../internal/flock.js';

const LINE_BREAK = '\r\n';
const LAST_PREFIX = 'last_reserved_ip.';

export class DiskStore {
  // immutable after construction
  readonly dir: string;
  // guarded by nothing: one store per plugin invocation
  private held: FileLock | undefined;

  constructor(dataDir: string, network: string) {
    this.dir = join(dataDir, network);
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
  }

  lock(): void {
    this.held ??= lockFile(join(this.dir, 'lock'));
  }

  unlock(): void {
    this.held?.release();
    this.held = undefined;
  }

  /** Claims `ip` for id/ifname; false if someone holds it already (O_EXCL). */
  reserve(id: string, ifName: string, ip: string, setIndex: number): boolean {
    let fd: number;
    try {
      fd = openSync(join(this.dir, ip), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
    try {
      writeSync(fd, `${id.trim()}${LINE_BREAK}${ifName}`);
    } finally {
      closeSync(fd);
    }
    writeFileSync(join(this.dir, `${LAST_PREFIX}${setIndex}`), ip);
    return true;
  }

  lastReserved(setIndex: number): string | undefined {
    try {
      return readFileSync(join(this.dir, `${LAST_PREFIX}${setIndex}`), 'utf8').trim();
    } catch {
      return undefined;
    }
  }

  private allocationFiles(): string[] {
    return readdirSync(this.dir).filter((f) => f !== 'lock' && !f.startsWith(LAST_PREFIX) && !f.startsWith('.'));
  }

  private owns(file: string, id: string, ifName: string): boolean {
    let content: string;
    try {
      content = readFileSync(join(this.dir, file), 'utf8').trim();
    } catch {
      return false;
    }
    return content === `${id.trim()}${LINE_BREAK}${ifName}` || content === id.trim();
  }

  /** IPs held by id/ifname (file names). */
  byId(id: string, ifName: string): string[] {
    return this.allocationFiles().filter((f) => this.owns(f, id, ifName));
  }

  /** Every allocated IP (file names). */
  allocated(): Set<string> {
    return new Set(this.allocationFiles());
  }

  release(ip: string): void {
    rmSync(join(this.dir, ip), { force: true });
  }

  /** Releases everything id/ifname holds; nothing held is not an error (DEL is idempotent). */
  releaseById(id: string, ifName: string): string[] {
    const ips = this.byId(id, ifName);
    for (const ip of ips) this.release(ip);
    return ips;
  }
}
