/**
 * The mount seam (STYLE.md rule 4): tmpfs for memory-backed emptyDirs,
 * secrets and projected volumes, and nfs for PersistentVolumes. The real
 * implementation runs mount(8)/umount(8) and reads /proc/self/mountinfo;
 * testing/fake.ts FakeMounter records calls so the manager's logic is
 * unit-tested without root.
 */
import { execFile } from 'node:child_process';
import { readFile, realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface MountPoint {
  /** Where it is mounted (absolute, as the kernel reports it). */
  target: string;
  fstype: string;
  source: string;
  /** Per-superblock options, e.g. `rw,size=1024k`. */
  superOptions: string;
}

export interface Mounter {
  /** mount -t fstype [-o options] source target. */
  mount(source: string, target: string, fstype: string, options: readonly string[]): Promise<void>;
  unmount(target: string): Promise<void>;
  /** Mount points at or below dir, deepest first (the order to unmount them in). */
  mountsUnder(dir: string): Promise<MountPoint[]>;
}

/** The argument vector of mount(8); pure, so the nfs command is unit-tested without a server. */
export function mountArgs(source: string, target: string, fstype: string, options: readonly string[]): string[] {
  const args = ['-t', fstype];
  if (options.length > 0) args.push('-o', options.join(','));
  args.push(source, target);
  return args;
}

/** `server:/export`, with an IPv6 server in brackets as mount.nfs wants it. */
export function nfsSource(server: string, path: string): string {
  const host = server.includes(':') && !server.startsWith('[') ? `[${server}]` : server;
  return `${host}:${path}`;
}

/** Undoes mountinfo's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash). */
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * Parses /proc/<pid>/mountinfo:
 * `id parent major:minor root mountpoint options [optional…] - fstype source superoptions`.
 */
export function parseMountInfo(text: string): MountPoint[] {
  const out: MountPoint[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const f = line.split(' ');
    const dash = f.indexOf('-', 6);
    if (f.length < 10 || dash < 0 || dash + 3 > f.length) continue;
    out.push({
      target: unescapeMountField(f[4]),
      fstype: f[dash + 1],
      source: unescapeMountField(f[dash + 2]),
      superOptions: f[dash + 3] ?? '',
    });
  }
  return out;
}

/** Mount points at or below dir (a real path), deepest first; pure over parsed mountinfo. */
export function selectMountsUnder(all: readonly MountPoint[], dir: string): MountPoint[] {
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  const under = all.filter((m) => m.target === dir || m.target.startsWith(prefix));
  // Deepest first; a path mounted twice appears twice and needs two unmounts.
  return under.sort((a, b) => b.target.length - a.target.length);
}

export class SystemMounter implements Mounter {
  constructor(private readonly mountInfoPath = '/proc/self/mountinfo') {}

  async mount(source: string, target: string, fstype: string, options: readonly string[]): Promise<void> {
    await run('mount', mountArgs(source, target, fstype, options));
  }

  async unmount(target: string): Promise<void> {
    await run('umount', [target]);
  }

  async mountsUnder(dir: string): Promise<MountPoint[]> {
    // The kernel reports resolved paths; resolve ours the same way (a --root-dir behind a symlink).
    let real = dir;
    try {
      real = await realpath(dir);
    } catch {
      return [];
    }
    return selectMountsUnder(parseMountInfo(await readFile(this.mountInfoPath, 'utf8')), real);
  }
}

async function run(cmd: string, args: string[]): Promise<void> {
  try {
    await execFileP(cmd, args, { timeout: 120_000 });
  } catch (e) {
    const err = e as { stderr?: string; message: string; code?: number | string };
    const detail = (err.stderr ?? '').trim() || err.message;
    throw new Error(`${cmd} ${args.join(' ')} failed: ${detail}`);
  }
}
