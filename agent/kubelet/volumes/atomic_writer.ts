/**
 * AtomicWriter: projects a set of files into a directory so that a reader
 * never sees half an update (upstream pkg/volume/util/atomic_writer.go).
 *
 * Layout of the target directory:
 *
 *   ..2025_01_01_12_00_00.Ab12Cd/      the real files of one version
 *   ..data -> ..2025_01_01_12_00_00.Ab12Cd
 *   key -> ..data/key                  one symlink per top-level name
 *   dir -> ..data/dir                  (nested paths go through their first component)
 *
 * An update writes a complete new timestamped directory, points a fresh
 * `..data_tmp` symlink at it and rename(2)s that over `..data` — the only
 * step readers can observe, and it is atomic. Top-level symlinks of new
 * names are added after the swap, names that disappeared are removed, and
 * the previous version's directory is deleted last. Names starting with `..`
 * are reserved for this machinery.
 *
 * Not safe for concurrent use on one directory: the caller serialises (the
 * volume manager holds a per-pod lock).
 */
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, normalize } from 'node:path';

export interface FileProjection {
  data: Buffer;
  /** Permission bits, e.g. 0o644. */
  mode: number;
}

/** Relative path → content. */
export type Payload = Map<string, FileProjection>;

export const DATA_DIR = '..data';
const NEW_DATA_DIR = '..data_tmp';
const MAX_PATH = 4096;
const MAX_NAME = 255;

/** Why a payload path is refused (upstream's validatePath messages), or undefined when it is fine. */
export function invalidPayloadPath(p: string): string | undefined {
  if (p === '') return `invalid path: must not be empty: ${JSON.stringify(p)}`;
  if (p.startsWith('/')) return `invalid path: must be relative path: ${p}`;
  if (p.length > MAX_PATH) return `invalid path: must be less than or equal to ${MAX_PATH} characters`;
  const items = p.split('/');
  for (const item of items) {
    if (item === '..') return `invalid path: must not contain '..': ${p}`;
    if (item.length > MAX_NAME) return `invalid path: filenames must be less than or equal to ${MAX_NAME} characters`;
  }
  if (items[0].startsWith('..') && items[0].length > 2) return `invalid path: must not start with '..': ${p}`;
  return undefined;
}

/** `..2006_01_02_15_04_05.` in UTC, the prefix of a version directory. */
export function timestampPrefix(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `..${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}.`;
}

function isENOENT(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ENOENT';
}

export class AtomicWriter {
  constructor(
    private readonly targetDir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Makes the directory hold exactly `payload`. Returns false (and touches
   * nothing) when the current version already has the same files, contents
   * and modes. Throws on an invalid path before writing anything.
   */
  async write(payload: Payload): Promise<boolean> {
    const clean = new Map<string, FileProjection>();
    for (const [p, f] of payload) {
      const why = invalidPayloadPath(p);
      if (why) throw new Error(why);
      clean.set(normalize(p).replace(/\/+$/, ''), f);
    }
    await stat(this.targetDir); // upstream refuses a missing target dir; so do we (ENOENT)

    const dataDirPath = join(this.targetDir, DATA_DIR);
    let oldTsDir = '';
    try {
      oldTsDir = await readlink(dataDirPath);
    } catch (e) {
      if (!isENOENT(e)) throw e;
    }
    const oldTsPath = oldTsDir ? join(this.targetDir, oldTsDir) : '';

    let toRemove = new Set<string>();
    if (oldTsDir) {
      toRemove = await this.pathsToRemove(clean, oldTsPath);
      if (toRemove.size === 0 && !(await payloadDiffers(clean, oldTsPath))) return false;
    }

    // A new version directory, fully written before anyone can see it.
    const tsDir = await mkdtemp(join(this.targetDir, timestampPrefix(this.now())));
    // 0755 whatever the umask, so non-root users in the container can traverse it.
    await chmod(tsDir, 0o755);
    try {
      await writePayload(clean, tsDir);
      const tmpLink = join(this.targetDir, NEW_DATA_DIR);
      await rm(tmpLink, { force: true });
      await symlink(basename(tsDir), tmpLink);
      // The switch: rename(2) over the old ..data is atomic.
      await rename(tmpLink, dataDirPath);
    } catch (e) {
      await rm(join(this.targetDir, NEW_DATA_DIR), { force: true });
      await rm(tsDir, { recursive: true, force: true });
      throw e;
    }

    await this.createUserVisibleLinks(clean);
    await this.removeUserVisiblePaths(toRemove);
    if (oldTsDir && oldTsDir !== basename(tsDir)) await rm(oldTsPath, { recursive: true, force: true });
    return true;
  }

  /** Paths of the old version (files and directories) that the new payload no longer has. */
  private async pathsToRemove(payload: Payload, oldTsPath: string): Promise<Set<string>> {
    const old = new Set<string>();
    try {
      await walk(oldTsPath, '', old);
    } catch (e) {
      if (isENOENT(e)) return old;
      throw e;
    }
    const keep = new Set<string>();
    for (const p of payload.keys()) {
      // Every ancestor of a new file stays too, so non-empty directories are not removed.
      for (let sub = p; sub !== '.' && sub !== ''; sub = dirname(sub)) keep.add(sub);
    }
    for (const k of keep) old.delete(k);
    return old;
  }

  /** `name -> ..data/name` for each top-level component of the payload that has no link yet. */
  private async createUserVisibleLinks(payload: Payload): Promise<void> {
    const names = new Set<string>();
    for (const p of payload.keys()) names.add(p.split('/')[0]);
    for (const name of names) {
      const visible = join(this.targetDir, name);
      try {
        await readlink(visible);
      } catch (e) {
        if (!isENOENT(e)) throw e;
        await symlink(join(DATA_DIR, name), visible);
      }
    }
  }

  /** Removes the top-level links of names that disappeared (nested ones vanish with the old version). */
  private async removeUserVisiblePaths(paths: Set<string>): Promise<void> {
    let last: unknown;
    for (const p of paths) {
      if (p.includes('/')) continue;
      try {
        await unlink(join(this.targetDir, p));
      } catch (e) {
        if (!isENOENT(e)) last = e;
      }
    }
    if (last) throw last;
  }
}

async function walk(root: string, rel: string, out: Set<string>): Promise<void> {
  for (const ent of await readdir(join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${ent.name}` : ent.name;
    out.add(p);
    if (ent.isDirectory()) await walk(root, p, out);
  }
}

/** True when any file of the payload is missing from the old version or differs in content or mode. */
async function payloadDiffers(payload: Payload, oldTsPath: string): Promise<boolean> {
  for (const [p, f] of payload) {
    const full = join(oldTsPath, p);
    try {
      const st = await lstat(full);
      if (!st.isFile() || (st.mode & 0o7777) !== f.mode) return true;
      if (st.size !== f.data.length) return true;
      if (!(await readFile(full)).equals(f.data)) return true;
    } catch (e) {
      if (isENOENT(e)) return true;
      throw e;
    }
  }
  return false;
}

async function writePayload(payload: Payload, dir: string): Promise<void> {
  for (const [p, f] of payload) {
    const full = join(dir, p);
    await mkdir(dirname(full), { recursive: true, mode: 0o755 });
    await writeFile(full, f.data, { mode: f.mode });
    // writeFile's mode is filtered by the umask; the projection's mode is what the user asked for.
    await chmod(full, f.mode);
  }
}
