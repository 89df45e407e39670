/**
 * Builds the pause program (pause.c, static C) and makes it a local Docker
 * image — no registry is reachable on kubets machines, so the sandbox image
 * the kubelet uses by default is produced here.
 *
 * The image is a tar holding only /pause (mode 0755, root-owned), imported
 * with `docker import --change 'ENTRYPOINT ["/pause"]'`. It is labelled with
 * the SHA-256 of pause.c, so ensurePauseImage() is idempotent (an existing
 * image from the same source is kept) yet rebuilds after the source changes.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const PAUSE_IMAGE = 'kubets.local/pause:3.9';
const SOURCE_LABEL = 'io.kubets.pause.source-sha256';

export type PauseErrorCode = 'SourceMissing' | 'CompileFailed' | 'DockerFailed';

export class PauseError extends Error {
  constructor(
    readonly code: PauseErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PauseError';
  }
}

/**
 * pause.c next to this module when run from source (tsx), or in the source
 * tree when run from dist/native/pause (tsc does not copy .c files).
 */
export function pauseSourcePath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'pause.c'), resolve(here, '../../../native/pause/pause.c')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new PauseError('SourceMissing', `pause.c not found (looked in ${candidates.join(', ')})`);
  return found;
}

export async function pauseSourceHash(): Promise<string> {
  return createHash('sha256').update(await readFile(pauseSourcePath())).digest('hex');
}

/** Compiles pause.c with `gcc -static -O2` into `<outDir>/pause`; returns the path. */
export async function buildPause(outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const out = join(outDir, 'pause');
  const r = await execa('gcc', ['-static', '-O2', '-s', '-Wall', '-Werror', '-o', out, pauseSourcePath()], { reject: false, encoding: 'utf8' });
  if (r.exitCode !== 0) {
    const why = r.exitCode === undefined ? String(r.message) : String(r.stderr).trim();
    throw new PauseError('CompileFailed', `gcc -static pause.c: ${why} (needs gcc and libc6-dev: hack/setup-host.sh installs them)`);
  }
  return out;
}

function hostArgs(dockerHost: string): string[] {
  return ['-H', dockerHost.startsWith('/') ? `unix://${dockerHost}` : dockerHost];
}

async function docker(dockerHost: string, args: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa('docker', [...hostArgs(dockerHost), ...args], { reject: false, encoding: 'utf8' });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? r.message) };
}

/**
 * Makes sure `ref` exists in the engine at `dockerHost` and was built from
 * the current pause.c; builds and imports it otherwise. Returns the ref.
 */
export async function ensurePauseImage(dockerHost: string, ref = PAUSE_IMAGE): Promise<string> {
  const hash = await pauseSourceHash();
  const have = await docker(dockerHost, ['image', 'inspect', ref, '--format', `{{ index .Config.Labels "${SOURCE_LABEL}" }}`]);
  if (have.exitCode === 0 && have.stdout.trim() === hash) return ref;
  const dir = await mkdtemp(join(tmpdir(), 'kubets-pause-'));
  try {
    const root = join(dir, 'rootfs');
    await buildPause(root);
    const tarFile = join(dir, 'pause.tar');
    const tar = await execa('tar', ['--owner=0', '--group=0', '--numeric-owner', '-C', root, '-cf', tarFile, 'pause'], { reject: false, encoding: 'utf8' });
    if (tar.exitCode !== 0) throw new PauseError('DockerFailed', `tar pause: ${String(tar.stderr ?? tar.message).trim()}`);
    const imp = await docker(dockerHost, ['import', '--change', 'ENTRYPOINT ["/pause"]', '--change', `LABEL ${SOURCE_LABEL}=${hash}`, tarFile, ref]);
    if (imp.exitCode !== 0) throw new PauseError('DockerFailed', `docker import ${ref}: ${imp.stderr.trim()}`);
    return ref;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
