// A daemon told to stop (SIGTERM) while it runs a child process through execa
// — kube-proxy's and flanneld's iptables calls — stops cleanly with its own exit
// code. execa's signal-exit re-raises a signal nobody else listens to, so a
// one-shot listener that has already fired would let the second handler kill us.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));

const DAEMON = `
import { execa } from ${JSON.stringify(join(ROOT, 'node_modules/execa/index.js'))};
import { runDaemon } from ${JSON.stringify(join(ROOT, 'controlplane/machinery/flags/command.ts'))};
import { controllerManagerCommand } from ${JSON.stringify(join(ROOT, 'controlplane/controllers/options.ts'))};
const code = await runDaemon({
  command: controllerManagerCommand,
  configure: () => ({}),
  isFlagError: (e) => false,
  isConfigError: (e) => false,
  run: async (_cfg, signal) => {
    // A child runs the whole time, as an iptables-restore might when the signal lands.
    const child = execa('sleep', ['30'], { reject: false });
    process.stdout.write('ready\\n');
    await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
    child.kill();
    await child;
    return 7;
  },
}, []);
process.exit(code);
`;

test('SIGTERM while an execa child runs: the daemon stops and exits with its own code, not by the signal', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-signals-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'daemon.mts');
  await writeFile(file, DAEMON);
  const proc = spawn(process.execPath, ['--import=tsx', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    proc.once('exit', () => reject(new Error(`exited before ready: ${err}`)));
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  proc.kill('SIGTERM');
  t.deepEqual(await exit, { code: 7, signal: null }, err);
});
