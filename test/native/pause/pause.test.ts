/**
 * native/pause: the static binary (built with gcc -static here), its signal
 * handling as a plain child process, and as a Docker image: it runs, stops
 * with exit 0 at once on `docker stop`, and reaps orphans re-parented to it
 * in its PID namespace. Containers made here are removed; the image
 * kubets.local/pause:3.9 is kept (the kubelet uses it).
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PAUSE_IMAGE, buildPause, ensurePauseImage } from '../../../native/pause/index.js';
import { DOCKER_SOCK, ensureBusyboxImage, requireDocker } from '../../harness/docker.js';
import { run, tryRun, uniqueSuffix } from '../../harness/exec.js';

const HOST = `unix://${DOCKER_SOCK}`;
const docker = (...args: string[]) => run('docker', ['-H', HOST, ...args]);

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'kt-pause-test-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Children of `pid` from /proc: pid, command name and state (R, S, Z…). */
async function childrenOf(pid: number): Promise<{ pid: number; comm: string; state: string }[]> {
  const out: { pid: number; comm: string; state: string }[] = [];
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let s: string;
    try {
      s = await readFile(`/proc/${d}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid …" — comm may hold spaces and parentheses; split after the last ')'.
    const close = s.lastIndexOf(')');
    const [state, ppid] = s.slice(close + 2).split(' ');
    if (Number(ppid) === pid) out.push({ pid: Number(d), comm: s.slice(s.indexOf('(') + 1, close), state });
  }
  return out;
}

test('buildPause: a static binary that prints its version', async (t) => {
  await withTempDir(async (dir) => {
    const bin = await buildPause(dir);
    t.is(bin, join(dir, 'pause'));
    t.true(((await stat(bin)).mode & 0o111) !== 0);
    const ldd = await tryRun('ldd', [bin]);
    t.regex(ldd.stdout + ldd.stderr, /not a dynamic executable|statically linked/);
    t.regex((await run(bin, ['--version'])).stdout, /^pause 3\.9/);
  });
});

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  test(`pause exits 0 on ${sig} (as a plain child process)`, async (t) => {
    await withTempDir(async (dir) => {
      const bin = await buildPause(dir);
      const p = spawn(bin, [], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      await new Promise((r) => setTimeout(r, 100));
      t.is(p.exitCode, null, 'still running until signalled');
      p.kill(sig);
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => p.once('exit', (c, s) => r([c, s])));
      t.is(code, 0);
      t.is(signal, null);
      t.regex(stderr, /not running as PID 1/);
    });
  });
}

test('ensurePauseImage is idempotent and makes an image whose entrypoint is /pause', async (t) => {
  await requireDocker(HOST);
  t.is(await ensurePauseImage(HOST), PAUSE_IMAGE);
  const id1 = (await docker('image', 'inspect', PAUSE_IMAGE, '--format', '{{.Id}}')).stdout.trim();
  await ensurePauseImage(DOCKER_SOCK); // a bare socket path works too; no rebuild: the image id stays
  t.is((await docker('image', 'inspect', PAUSE_IMAGE, '--format', '{{.Id}}')).stdout.trim(), id1);
  t.is((await docker('image', 'inspect', PAUSE_IMAGE, '--format', '{{json .Config.Entrypoint}}')).stdout.trim(), '["/pause"]');
});

test('the image runs, stops with exit 0 quickly, and reaps orphans in its PID namespace', async (t) => {
  await requireDocker(HOST);
  await ensurePauseImage(HOST);
  const busybox = await ensureBusyboxImage(HOST);
  const pauseName = `kt-pause-${uniqueSuffix()}`;
  const sideName = `kt-pause-side-${uniqueSuffix()}`;
  try {
    await docker('run', '-d', '--name', pauseName, '--network', 'none', PAUSE_IMAGE);
    const pausePid = Number((await docker('inspect', '-f', '{{.State.Pid}}', pauseName)).stdout.trim());
    t.true(pausePid > 0);
    t.is((await readFile(`/proc/${pausePid}/status`, 'utf8')).match(/^NSpid:\s+\d+\s+(\d+)/m)?.[1], '1', 'pause is PID 1 of its namespace');

    // A second container sharing the PID namespace; an exec'd shell there leaves
    // an orphan whose parent (the shim) is outside the namespace, so the kernel
    // re-parents it to the namespace's init: pause.
    await docker('run', '-d', '--name', sideName, '--network', 'none', '--pid', `container:${pauseName}`, busybox, 'sleep', '60');
    // The orphan's stdio goes to /dev/null, or docker exec would wait for it to close the pipes.
    await docker('exec', sideName, 'sh', '-c', 'sleep 2 </dev/null >/dev/null 2>&1 & exit 0');
    const adopted = (await childrenOf(pausePid)).filter((c) => c.comm === 'sleep');
    t.is(adopted.length, 1, 'the orphan was adopted by pause');
    // Once it exits it must be reaped, not left as a zombie.
    const deadline = Date.now() + 6000;
    let left = adopted;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      left = await childrenOf(pausePid);
      if (left.length === 0) break;
    }
    t.deepEqual(left, [], 'no zombie (or any child) left under pause');

    await docker('rm', '-f', sideName);
    await docker('stop', '-t', '10', pauseName);
    // Exit code 0, not 137: SIGTERM ended it, not the SIGKILL docker sends after 10 s.
    t.is((await docker('inspect', '-f', '{{.State.ExitCode}}', pauseName)).stdout.trim(), '0');
  } finally {
    await tryRun('docker', ['-H', HOST, 'rm', '-f', sideName, pauseName]);
  }
});
