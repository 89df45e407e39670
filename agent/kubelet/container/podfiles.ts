/**
 * The files the kubelet keeps per pod under --root-dir (upstream
 * kubelet_getters.go layout): `pods/<uid>/etc-hosts`, `pods/<uid>/resolv.conf`,
 * `pods/<uid>/containers/<name>/<id>` (termination messages) and, written by
 * the VolumeManager, `pods/<uid>/volumes/…`. Files are rewritten in place
 * (same inode), never replaced by a rename: running containers bind-mount
 * them, and a new inode would not reach them.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function podDir(rootDir: string, uid: string): string {
  return join(rootDir, 'pods', uid);
}

export function podsDir(rootDir: string): string {
  return join(rootDir, 'pods');
}

/** Writes the file only when its content differs (in place, so bind mounts see it). */
export async function writeIfChanged(path: string, content: string): Promise<void> {
  if (existsSync(path)) {
    const cur = await readFile(path, 'utf8').catch(() => undefined);
    if (cur === content) return;
  }
  await writeFile(path, content, { mode: 0o644 });
}

export async function writePodFiles(rootDir: string, uid: string, hosts: string, resolv: string): Promise<{ hosts: string; resolv: string }> {
  const dir = podDir(rootDir, uid);
  await mkdir(dir, { recursive: true });
  const h = join(dir, 'etc-hosts');
  const r = join(dir, 'resolv.conf');
  await writeIfChanged(h, hosts);
  await writeIfChanged(r, resolv);
  return { hosts: h, resolv: r };
}

/** A new empty file for one container run's termination message (world-writable: the container may run as any user). */
export async function newTerminationMessageFile(rootDir: string, uid: string, container: string): Promise<string> {
  const dir = join(podDir(rootDir, uid), 'containers', container);
  await mkdir(dir, { recursive: true });
  const p = join(dir, randomBytes(4).toString('hex'));
  await writeFile(p, '');
  await chmod(p, 0o666);
  return p;
}

/** At most `max` bytes of the termination message (upstream caps it at 4096). */
export async function readTerminationMessage(path: string, max = 4096): Promise<string> {
  try {
    const b = await readFile(path);
    return b.subarray(0, max).toString('utf8');
  } catch {
    return '';
  }
}

export async function removePodDir(rootDir: string, uid: string): Promise<void> {
  await rm(podDir(rootDir, uid), { recursive: true, force: true });
}
