/**
 * The Docker engine for tests. hack/setup-host.sh starts dockerd when none
 * answers; here we only check it (and say how to fix it when it is down), and
 * make the local images tests run (no registry is reachable on these machines).
 */
import { mkdtemp, rm, mkdir, copyFile, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, tryRun } from './exec.js';

export const DOCKER_SOCK = '/var/run/docker.sock';

/** Throws with the fix when the engine does not answer. */
export async function requireDocker(host = `unix://${DOCKER_SOCK}`): Promise<{ serverVersion: string; storageDriver: string; cgroupDriver: string }> {
  const r = await tryRun('docker', ['-H', host, 'info', '--format', '{{.ServerVersion}} {{.Driver}} {{.CgroupDriver}}']);
  if (r.exitCode !== 0) {
    throw new Error(`the Docker engine does not answer on ${host} (${r.stderr.trim()}); run hack/setup-host.sh to start it`);
  }
  const [serverVersion, storageDriver, cgroupDriver] = r.stdout.trim().split(' ');
  return { serverVersion, storageDriver, cgroupDriver };
}

export const BUSYBOX_IMAGE = 'kubets.local/busybox:1';

/**
 * Builds the busybox image from Debian's busybox-static (a static binary plus
 * its applet symlinks) with `docker import`, once per engine.
 */
export async function ensureBusyboxImage(host = `unix://${DOCKER_SOCK}`, ref = BUSYBOX_IMAGE): Promise<string> {
  const have = await tryRun('docker', ['-H', host, 'image', 'inspect', ref, '--format', '{{.Id}}']);
  if (have.exitCode === 0) return ref;
  if (!existsSync('/bin/busybox')) throw new Error('/bin/busybox missing: install busybox-static (hack/setup-host.sh does)');
  const dir = await mkdtemp(join(tmpdir(), 'kubets-busybox-'));
  try {
    const root = join(dir, 'rootfs');
    for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root', 'var', 'usr/bin', 'sbin']) await mkdir(join(root, d), { recursive: true });
    await copyFile('/bin/busybox', join(root, 'bin/busybox'));
    const applets = (await run('/bin/busybox', ['--list'])).stdout.split('\n').filter(Boolean);
    for (const a of applets) if (a !== 'busybox') await symlink('busybox', join(root, 'bin', a)).catch(() => undefined);
    await run('sh', ['-c', `echo 'root:x:0:0:root:/root:/bin/sh' > ${root}/etc/passwd && echo 'root:x:0:' > ${root}/etc/group && echo 'nobody:x:65534:65534:nobody:/:/bin/false' >> ${root}/etc/passwd`]);
    await run('sh', ['-c', `tar -C ${root} -c . | docker -H ${host} import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin:/sbin:/usr/bin' - ${ref}`]);
    return ref;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
