/**
 * subPath: the runtime mounts `volumePath/subPath` instead of the whole
 * volume. A subPath is user input pointing into a directory the container
 * may have written to, so it is checked the way upstream's kubelet
 * (makeMounts) and subpath_linux (safe mkdir, "not within volume path") do:
 *
 *  - it must be relative and must not contain a `..` element;
 *  - every existing component is resolved, and a symlink that leads outside
 *    the volume is refused (a container could plant `data -> /etc`);
 *  - missing components are created as directories with the volume root's
 *    mode, one level at a time, re-checking as it goes.
 *
 * The returned path is the fully resolved one, so the runtime bind-mounts
 * what was checked rather than re-walking symlinks later. (Upstream goes
 * further and bind-mounts an opened file descriptor to close the remaining
 * race between check and mount; kubets accepts that window.)
 */
import { chmod, lstat, mkdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

export class SubPathError extends Error {
  override readonly name = 'SubPathError';
}

function within(base: string, p: string): boolean {
  return p === base || p.startsWith(base.endsWith(sep) ? base : base + sep);
}

/** Resolves subPath inside volumePath (creating missing directories unless create is false); throws SubPathError. */
export async function resolveSubPath(volumePath: string, subPath: string, opts: { create?: boolean } = {}): Promise<string> {
  if (subPath.startsWith('/')) throw new SubPathError(`error SubPath \`${subPath}\` must not be an absolute path`);
  const parts = subPath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new SubPathError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
  const base = await realpath(volumePath);
  if (parts.length === 0) return base;
  const mode = (await stat(base)).mode & 0o7777;
  const create = opts.create ?? true;

  let cur = base;
  for (const part of parts) {
    const next = join(cur, part);
    let st;
    try {
      st = await lstat(next);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      if (!create) throw new SubPathError(`subPath ${JSON.stringify(subPath)} does not exist in volume path ${JSON.stringify(volumePath)}`);
      try {
        await mkdir(next, { mode });
        // mkdir(2) applies the umask; the new directory gets the volume root's mode exactly, as upstream.
        await chmod(next, mode);
      } catch (err) {
        // Someone made it between lstat and mkdir: fine, it is re-checked below.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      st = await lstat(next);
    }
    if (st.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(next);
      } catch {
        throw new SubPathError(`subpath ${JSON.stringify(join(volumePath, subPath))} not within volume path ${JSON.stringify(volumePath)}`);
      }
      if (!within(base, target)) {
        throw new SubPathError(`subpath ${JSON.stringify(join(volumePath, subPath))} not within volume path ${JSON.stringify(volumePath)}`);
      }
      cur = target;
    } else cur = next;
  }
  // Belt and braces: the final, fully resolved path must still be inside.
  const final = await realpath(cur);
  if (!within(base, final)) {
    throw new SubPathError(`subpath ${JSON.stringify(join(volumePath, subPath))} not within volume path ${JSON.stringify(volumePath)}`);
  }
  return final;
}
