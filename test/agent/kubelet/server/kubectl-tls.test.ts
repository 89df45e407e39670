// The same server over https with its self-signed pair, as the kubelet runs
// by default (the API server's proxy dials it with --kubelet-https and no CA):
// logs, exec on both transports, and the tunnelled port-forward.
import anyTest, { type TestFn } from 'ava';
import { startServerEnv, waitForOutput, type ServerEnv } from './env.js';

const test = anyTest as TestFn<{ env: ServerEnv }>;

test.before(async (t) => {
  t.context.env = await startServerEnv({ tls: true });
});

test.after.always(async (t) => {
  await t.context.env?.stop();
});

test.serial('https: kubectl 1.33 logs and exec (WebSocket), 1.27 exec (SPDY)', async (t) => {
  const k33 = await t.context.env.kubectl('1.33');
  t.deepEqual((await k33.ok(['logs', 'p'])).split('\n').sort(), ['hello', 'oops']);
  const r33 = await k33.run(['exec', 'p', '--', 'sh', '-c', 'echo tls; exit 5']);
  t.deepEqual([r33.exitCode, r33.stdout], [5, 'tls']);
  const k27 = await t.context.env.kubectl('1.27');
  const r27 = await k27.run(['exec', '-i', 'p', '--', 'cat'], { input: 'over spdy and tls' });
  t.deepEqual([r27.exitCode, r27.stdout], [0, 'over spdy and tls']);
});

test.serial('https: kubectl 1.33 port-forward', async (t) => {
  const env = t.context.env;
  const k = await env.kubectl('1.33');
  const child = env.spawnKubectl(k, ['port-forward', 'pod/p', ':8080']);
  t.teardown(() => child.kill('SIGKILL'));
  const out = await waitForOutput(child, /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/, 'the forwarding line');
  const r = await fetch(`http://127.0.0.1:${/127\.0\.0\.1:(\d+)/.exec(out)![1]}/index.html`);
  t.is(await r.text(), 'page-ok\n');
});
