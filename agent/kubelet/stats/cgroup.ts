/**
 * Reading cgroup v1 accounting files (memory, cpuacct) directly: cheaper than
 * Docker's stats call (LIBS.md: about 1 s per call) and what cAdvisor reads.
 *
 * Docker with the cgroupfs driver puts a container in `<parent>/<id>` under
 * each controller (parent `/docker` unless HostConfig.CgroupParent is set —
 * runtime/docker sets none), with the systemd driver in
 * `system.slice/docker-<id>.scope`. The node's totals are the root cgroup's.
 * Parsing is pure; CgroupFs does the reads.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface MemoryReading {
  usageBytes: number;
  workingSetBytes: number;
  rssBytes: number;
  pageFaults: number;
  majorPageFaults: number;
  /** memory.limit_in_bytes; undefined when unlimited. */
  limitBytes?: number;
}

/** What the stats provider needs from cgroupfs (a fake in unit tests). */
export interface CgroupReader {
  /** Memory accounting of a cgroup path relative to the controller root ('' or '/' = the root cgroup). */
  memory(path: string): Promise<MemoryReading | undefined>;
  /** cpuacct.usage in nanoseconds. */
  cpuUsageNs(path: string): Promise<number | undefined>;
  /** The cgroup path of a Docker container, or undefined when it has none (it is not running). */
  containerPath(id: string): Promise<string | undefined>;
}

/** `key value` lines of memory.stat. */
export function parseMemoryStat(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const v = Number(line.slice(sp + 1).trim());
    if (Number.isFinite(v)) out.set(line.slice(0, sp), v);
  }
  return out;
}

/** Limits at or above this are "no limit" (the kernel's PAGE_COUNTER_MAX rounded). */
const UNLIMITED = 2 ** 62;

/**
 * cAdvisor's working set: usage − total_inactive_file (the hierarchical
 * count, so the root cgroup's includes every child), never below zero.
 */
export function memoryReading(usage: number, stat: ReadonlyMap<string, number>, limit?: number): MemoryReading {
  const inactive = stat.get('total_inactive_file') ?? stat.get('inactive_file') ?? 0;
  return {
    usageBytes: usage,
    workingSetBytes: Math.max(0, usage - inactive),
    rssBytes: stat.get('total_rss') ?? stat.get('rss') ?? 0,
    pageFaults: stat.get('total_pgfault') ?? stat.get('pgfault') ?? 0,
    majorPageFaults: stat.get('total_pgmajfault') ?? stat.get('pgmajfault') ?? 0,
    limitBytes: limit !== undefined && limit < UNLIMITED ? limit : undefined,
  };
}

async function readNumber(file: string): Promise<number | undefined> {
  try {
    const n = Number((await readFile(file, 'utf8')).trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

export class CgroupFs implements CgroupReader {
  /** Container id → the relative path found for it. */
  private readonly paths = new Map<string, string>();

  /**
   * @param root the cgroup v1 mount root (/sys/fs/cgroup)
   * @param parents where Docker puts containers, tried in order
   */
  constructor(
    private readonly root = '/sys/fs/cgroup',
    private readonly parents: readonly ((id: string) => string)[] = [(id) => `docker/${id}`, (id) => `system.slice/docker-${id}.scope`],
  ) {}

  async memory(path: string): Promise<MemoryReading | undefined> {
    const dir = join(this.root, 'memory', path);
    const usage = await readNumber(join(dir, 'memory.usage_in_bytes'));
    if (usage === undefined) return undefined;
    let stat = new Map<string, number>();
    try {
      stat = parseMemoryStat(await readFile(join(dir, 'memory.stat'), 'utf8'));
    } catch {
      // usage alone is still worth reporting
    }
    const limit = path === '' || path === '/' ? undefined : await readNumber(join(dir, 'memory.limit_in_bytes'));
    return memoryReading(usage, stat, limit);
  }

  async cpuUsageNs(path: string): Promise<number | undefined> {
    return (await readNumber(join(this.root, 'cpuacct', path, 'cpuacct.usage'))) ?? (await readNumber(join(this.root, 'cpu,cpuacct', path, 'cpuacct.usage')));
  }

  async containerPath(id: string): Promise<string | undefined> {
    const known = this.paths.get(id);
    if (known !== undefined) {
      if (await exists(join(this.root, 'memory', known))) return known;
      this.paths.delete(id);
      return undefined;
    }
    for (const p of this.parents) {
      const rel = p(id);
      if (await exists(join(this.root, 'memory', rel))) {
        this.paths.set(id, rel);
        return rel;
      }
    }
    return undefined;
  }

  /** Drops cached paths of containers no longer listed. */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.paths.keys()) if (!ids.has(id)) this.paths.delete(id);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}
