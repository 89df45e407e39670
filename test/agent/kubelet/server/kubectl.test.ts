// The kubelet server with the real kubectl (1.27: SPDY; 1.33: WebSocket and
// SPDY-in-WebSocket), through the real kube-apiserver's kubelet proxy, over
// a real Docker container: logs, exec (exit codes, stdin), cp, port-forward.
import anyTest, { type TestFn } from 'ava';
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../harness/exec.js';
import { startServerEnv, waitForOutput, type ServerEnv } from './env.js';

const test = anyTest as TestFn<{ env: ServerEnv }>;

test.before(async (t) => {
  t.context.env = await startServerEnv();
});

test.after.always(async (t) => {
  await t.context.env?.stop();
});

for (const v of ['1.27', '1.33'] as const) {
  test.serial(`kubectl ${v} logs and logs --tail`, async (t) => {
    const k = await t.context.env.kubectl(v);
    // (the harness's output has its final newline stripped, as execa does)
    // stdout and stderr are copied by separate goroutines in dockerd: the order of the two lines is Docker's.
    const all = await k.ok(['logs', 'p']);
    t.deepEqual(all.split('\n').sort(), ['hello', 'oops']);
    const last = all.split('\n')[1];
    t.is(await k.ok(['logs', 'p', '--tail=1']), last);
    const ts = await k.ok(['logs', 'p', '--timestamps', '--tail=1']);
    t.regex(ts, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z ${last}$`));
  });

  test.serial(`kubectl ${v} exec gives the output and exit code 3`, async (t) => {
    const k = await t.context.env.kubectl(v);
    const r = await k.run(['exec', 'p', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    t.is(r.exitCode, 3, r.stderr);
    t.is(r.stdout, 'out');
    t.regex(r.stderr, /^err\n/);
    t.regex(r.stderr, /command terminated with exit code 3/);
    t.is(await k.ok(['exec', 'p', '--', 'sh', '-c', 'echo fine']), 'fine');
  });

  test.serial(`kubectl ${v} exec -i passes stdin and its end`, async (t) => {
    const k = await t.context.env.kubectl(v);
    const input = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const r = await k.run(['exec', '-i', 'p', '--', 'sh', '-c', 'wc -l; echo done'], { input });
    t.is(r.exitCode, 0, r.stderr);
    t.is(r.stdout.trim().split(/\s+/).join(' '), '2000 done');
  });

  test.serial(`kubectl ${v} port-forward reaches a port inside the pod's network namespace`, async (t) => {
    const env = t.context.env;
    const k = await env.kubectl(v);
    const child = env.spawnKubectl(k, ['port-forward', 'pod/p', ':8080']);
    t.teardown(() => child.kill('SIGKILL'));
    const out = await waitForOutput(child, /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/, 'the forwarding line');
    const localPort = Number(/127\.0\.0\.1:(\d+)/.exec(out)![1]);
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`http://127.0.0.1:${localPort}/index.html`);
      t.is(r.status, 200);
      t.is(await r.text(), 'page-ok\n');
    }
  });
}

test.serial('kubectl 1.33 logs -f streams new lines until stopped', async (t) => {
  const env = t.context.env;
  const k = await env.kubectl('1.33');
  const child = env.spawnKubectl(k, ['logs', '-f', 'p']);
  t.teardown(() => child.kill('SIGKILL'));
  await waitForOutput(child, /oops\n/, 'the existing lines');
  const line = `fresh-${Date.now()}`;
  const seen = waitForOutput(child, new RegExp(line), 'the new line');
  await run('docker', ['exec', env.container.name, 'sh', '-c', `echo ${line} > /tmp/say.tmp && mv /tmp/say.tmp /tmp/say`]);
  await seen;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  await exited;
  t.pass();
});

test.serial('kubectl 1.33 cp copies a file into and out of the container', async (t) => {
  const env = t.context.env;
  const k = await env.kubectl('1.33');
  const dir = await mkdtemp(join(tmpdir(), 'kt-srv-cp-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const content = Array.from({ length: 5000 }, (_, i) => `row ${i} ${'x'.repeat(i % 50)}`).join('\n');
  await writeFile(join(dir, 'in.txt'), content);
  await k.ok(['exec', 'p', '--', 'mkdir', '-p', '/data']);
  await k.ok(['cp', join(dir, 'in.txt'), 'p:/data/in.txt']);
  t.is(await k.ok(['exec', 'p', '--', 'sh', '-c', 'wc -c < /data/in.txt']), String(Buffer.byteLength(content)));
  await k.ok(['cp', 'p:/data/in.txt', join(dir, 'out.txt')]);
  t.is(await readFile(join(dir, 'out.txt'), 'utf8'), content);
});

test.serial('kubectl 1.30 exec over SPDY when WebSockets are switched off (negotiates v5)', async (t) => {
  const k = await t.context.env.kubectl('1.30');
  const r = await k.run(['exec', 'p', '--', 'sh', '-c', 'echo spdy; exit 7'], { env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' } });
  t.is(r.exitCode, 7, r.stderr);
  t.is(r.stdout, 'spdy');
});

test.serial('kubectl logs of a container that has not started says why', async (t) => {
  const k = await t.context.env.kubectl('1.33');
  const r = await k.run(['logs', 'q']);
  t.not(r.exitCode, 0);
  t.regex(r.stderr, /container "c" in pod "q" is waiting to start: ContainerCreating/);
});

test.serial('kubectl exec into a container that is not there fails with the kubelet\'s reason', async (t) => {
  const k = await t.context.env.kubectl('1.27');
  const r = await k.run(['exec', 'q', '--', 'true']);
  t.not(r.exitCode, 0);
  t.regex(r.stderr, /container not found \("c"\)/);
});

test.serial('kubectl 1.33 attach shows the main process output', async (t) => {
  const env = t.context.env;
  const k = await env.kubectl('1.33');
  const child = env.spawnKubectl(k, ['attach', 'p']);
  t.teardown(() => child.kill('SIGKILL'));
  // attach prints only what comes after it connected: keep saying something until it shows.
  const line = `attached-${Date.now()}`;
  const seen = waitForOutput(child, new RegExp(line), 'the attached output');
  const timer = setInterval(() => void execa('docker', ['exec', env.container.name, 'sh', '-c', `echo ${line} > /tmp/say.tmp && mv /tmp/say.tmp /tmp/say`], { reject: false }), 500);
  t.teardown(() => clearInterval(timer));
  await seen;
  t.pass();
});

test.serial('kubectl 1.27 port-forward to a closed port shows the kubelet\'s error', async (t) => {
  const env = t.context.env;
  const k = await env.kubectl('1.27');
  const child = env.spawnKubectl(k, ['port-forward', 'pod/p', ':8081']);
  t.teardown(() => child.kill('SIGKILL'));
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  const out = await waitForOutput(child, /Forwarding from 127\.0\.0\.1:(\d+) -> 8081/, 'the forwarding line');
  await fetch(`http://127.0.0.1:${/127\.0\.0\.1:(\d+)/.exec(out)![1]}/`).catch(() => undefined);
  await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  t.regex(err, /error forwarding port 8081 to pod p, uid 11111111-2222-3333-4444-555555555555: failed to connect to localhost:8081 inside namespace/);
});
