import { startServerEnv, waitForOutput } from './env.js';
const env = await startServerEnv();
try {
  for (const v of ['1.31', '1.33'] as const) {
  const k = await env.kubectl(v);
  const child = env.spawnKubectl(k, ['port-forward', 'pod/p', ':8080', '-v=4']);
  child.stderr?.on('data', (b) => process.stdout.write('KUBECTL: ' + b));
  const out = await waitForOutput(child, /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/);
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(out)![1]);
  console.log(await (await fetch(`http://127.0.0.1:${port}/index.html`)).text());
  // a refused port
  const child2 = env.spawnKubectl(k, ['port-forward', 'pod/p', ':8081']);
  child2.stderr?.on('data', (b) => process.stdout.write('KUBECTL2: ' + b));
  const out2 = await waitForOutput(child2, /Forwarding from 127\.0\.0\.1:(\d+) -> 8081/);
  const port2 = Number(/127\.0\.0\.1:(\d+)/.exec(out2)![1]);
  console.log(await fetch(`http://127.0.0.1:${port2}/`).then((r) => r.status, (e) => 'fetch error ' + e.cause?.code));
  await new Promise((r) => setTimeout(r, 500));
  child.kill(); child2.kill();
  }
} finally { await env.stop(); }
process.exit(0);
