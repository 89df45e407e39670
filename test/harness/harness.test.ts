// The harness itself, against the real parts: the Docker engine answers and
// runs the locally built busybox image; a network namespace with a veth pair
// passes traffic and is gone after destroy().
import test from 'ava';
import { existsSync } from 'node:fs';
import { requireDocker, ensureBusyboxImage } from './docker.js';
import { createNetNs, createVethPair } from './netns.js';
import { run, tryRun, uniqueSuffix } from './exec.js';

test('docker engine answers and runs the local busybox image', async (t) => {
  const info = await requireDocker();
  t.truthy(info.serverVersion);
  const ref = await ensureBusyboxImage();
  const name = `kubets-harness-${uniqueSuffix()}`;
  t.teardown(() => tryRun('docker', ['rm', '-f', name]).then(() => undefined));
  const r = await run('docker', ['run', '--name', name, '--network', 'none', ref, 'sh', '-c', 'echo hello-$((6*7))']);
  t.is(r.stdout.trim(), 'hello-42');
});

test('network namespace with a veth pair passes traffic and is removed', async (t) => {
  const a = await createNetNs();
  const b = await createNetNs();
  t.teardown(async () => {
    await a.destroy();
    await b.destroy();
  });
  const sfx = uniqueSuffix(4);
  await createVethPair({ aName: `kta${sfx}`, bName: `ktb${sfx}`, aNs: a, bNs: b, aAddr: '10.251.7.1/30', bAddr: '10.251.7.2/30' });
  const ping = await a.exec('busybox', ['ping', '-c', '1', '-W', '2', '10.251.7.2']);
  t.regex(ping.stdout, /1 packets received/);
  await a.destroy();
  t.false(existsSync(a.path));
  const gone = await tryRun('ip', ['netns', 'exec', a.name, 'true']);
  t.not(gone.exitCode, 0);
});
