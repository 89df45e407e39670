/**
 * Filesystem numbers: statfs of a path (capacity, available, inodes) and the
 * disk usage of a directory tree (du), which is costly on big trees, so it
 * is cached per path and recomputed in the background at most once a period
 * (upstream: --volume-stats-agg-period for volumes, cAdvisor's housekeeping
 * for container layers).
 */
import { lstat, readdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';

export interface FsInfo {
  capacityBytes: number;
  availableBytes: number;
  usedBytes: number;
  inodes: number;
  inodesFree: number;
  inodesUsed: number;
}

/** statfs → FsInfo: available is what an unprivileged writer gets (bavail), used counts reserved blocks too. */
export function fsInfoOf(s: { bsize: number; blocks: number; bfree: number; bavail: number; files: number; ffree: number }): FsInfo {
  return {
    capacityBytes: s.blocks * s.bsize,
    availableBytes: s.bavail * s.bsize,
    usedBytes: (s.blocks - s.bfree) * s.bsize,
    inodes: s.files,
    inodesFree: s.ffree,
    inodesUsed: s.files - s.ffree,
  };
}

export async function statFs(path: string): Promise<FsInfo | undefined> {
  try {
    return fsInfoOf(await statfs(path));
  } catch {
    return undefined;
  }
}

export interface DiskUsage {
  bytes: number;
  inodes: number;
}

/** du -s: allocated bytes (st_blocks × 512) and inodes of a tree, not crossing into other devices. */
export async function diskUsage(root: string): Promise<DiskUsage | undefined> {
  let top;
  try {
    top = await lstat(root);
  } catch {
    return undefined;
  }
  const out: DiskUsage = { bytes: top.blocks * 512, inodes: 1 };
  const stack: string[] = top.isDirectory() ? [root] : [];
  while (stack.length) {
    const dir = stack.pop()!;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      const p = join(dir, n);
      let st;
      try {
        st = await lstat(p);
      } catch {
        continue;
      }
      if (st.dev !== top.dev) continue;
      out.bytes += st.blocks * 512;
      out.inodes++;
      if (st.isDirectory()) stack.push(p);
    }
  }
  return out;
}

/**
 * Cached du per path: get() answers the last result at once and starts a
 * recomputation when it is older than periodMs (one at a time per path).
 * The first call for a path waits for the first result.
 */
export class DiskUsageCache {
  private readonly entries = new Map<string, { at: number; value?: DiskUsage; running?: Promise<void> }>();

  constructor(
    private readonly periodMs: number,
    private readonly now: () => number = Date.now,
    private readonly measure: (path: string) => Promise<DiskUsage | undefined> = diskUsage,
  ) {}

  async get(path: string): Promise<DiskUsage | undefined> {
    let e = this.entries.get(path);
    if (!e) {
      e = { at: Number.NEGATIVE_INFINITY };
      this.entries.set(path, e);
    }
    const stale = this.now() - e.at >= this.periodMs;
    if (stale && !e.running) {
      const entry = e;
      entry.running = this.measure(path)
        .then((v) => {
          entry.value = v;
          entry.at = this.now();
        })
        .finally(() => (entry.running = undefined));
    }
    if (e.value === undefined && e.running) await e.running;
    return e.value;
  }

  /** Forgets paths not in keep. */
  retain(keep: ReadonlySet<string>): void {
    for (const p of this.entries.keys()) if (!keep.has(p)) this.entries.delete(p);
  }
}
