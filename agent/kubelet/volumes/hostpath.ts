/**
 * hostPath type checks, with upstream's messages (pkg/volume/hostpath
 * checkType/typeMatchedOrError), because users search for them verbatim:
 * `hostPath type check failed: /x is not a directory, it's a File`.
 *
 * DirectoryOrCreate makes the directory (0755, parents too); FileOrCreate
 * makes an empty file (0644) but, like upstream, not its parent directory.
 * The empty type checks nothing.
 */
import type { Stats } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import type { HostPathType } from '../../../controlplane/api/core/v1/types.js';

export type FileType = 'Directory' | 'File' | 'Socket' | 'CharDevice' | 'BlockDevice';

/** What a path is, following symlinks as upstream's GetFileType does; undefined for FIFOs and the like. */
export function fileTypeOf(st: Stats): FileType | undefined {
  if (st.isSocket()) return 'Socket';
  if (st.isBlockDevice()) return 'BlockDevice';
  if (st.isCharacterDevice()) return 'CharDevice';
  if (st.isDirectory()) return 'Directory';
  if (st.isFile()) return 'File';
  return undefined;
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

async function typeMatchedOrError(path: string, expected: FileType, description: string): Promise<void> {
  const st = await statOrUndefined(path);
  if (!st) throw new Error(`hostPath ${path} doesn't exist`);
  const actual = fileTypeOf(st);
  if (!actual) {
    throw new Error(
      `hostPath type check failed, ${path} is not a ${description}, unable to determine its type: only recognise file, directory, socket, block device and character device`,
    );
  }
  if (actual !== expected) throw new Error(`hostPath type check failed: ${path} is not a ${description}, it's a ${actual}`);
}

/** Checks (and for the *OrCreate types, creates) path; throws an Error carrying upstream's message. */
export async function checkHostPathType(path: string, type: HostPathType | undefined): Promise<void> {
  switch (type ?? '') {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (!(await statOrUndefined(path))) await mkdir(path, { recursive: true, mode: 0o755 });
      return typeMatchedOrError(path, 'Directory', 'directory');
    case 'Directory':
      return typeMatchedOrError(path, 'Directory', 'directory');
    case 'FileOrCreate':
      if (!(await statOrUndefined(path))) {
        // O_CREAT without O_EXCL: a file racing into existence is fine, as upstream.
        const fh = await open(path, 'a', 0o644);
        await fh.close();
      }
      return typeMatchedOrError(path, 'File', 'file');
    case 'File':
      return typeMatchedOrError(path, 'File', 'file');
    case 'Socket':
      return typeMatchedOrError(path, 'Socket', 'socket file');
    case 'CharDevice':
      return typeMatchedOrError(path, 'CharDevice', 'character device');
    case 'BlockDevice':
      return typeMatchedOrError(path, 'BlockDevice', 'block device');
    default:
      throw new Error(`${String(type)} is an invalid volume type`);
  }
}
