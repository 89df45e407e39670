// `kubectl top node` against the whole kubelet daemon: the API server reads
// the kubelet's own /stats/summary over https (metrics.k8s.io, served natively).
import test from 'ava';
import { resources } from '../../../controlplane/client/resources.js';
import { makeKubectl } from '../../harness/kubectl.js';
import { eventually, startEnv, startKubelet } from './harness.js';

test('kubectl top node reads the real kubelet’s summary', async (t) => {
  const env = await startEnv({ api: { kubelet: { https: true, port: 10250, timeoutMs: 5000, preferredAddressTypes: ['InternalIP'] } } });
  const k = await startKubelet(env, ['--node-ip=127.0.0.1']);
  const kc = await makeKubectl('1.33', env.api.url);
  try {
    await k.server;
    await eventually(async () => env.client.resource(resources.nodes).get(k.nodeName), 30_000);
    // CPU usage is a rate: it appears once the kubelet has two readings.
    const out = await eventually(async () => {
      const r = await kc.run(['top', 'node', k.nodeName, '--no-headers']);
      return r.exitCode === 0 ? r.stdout : undefined;
    }, 60_000, 500);
    const [name, cpu, cpuPct, mem, memPct] = out.trim().split(/\s+/);
    t.is(name, k.nodeName);
    t.regex(cpu, /^\d+m$/);
    t.regex(cpuPct, /^\d+%$/);
    t.regex(mem, /^\d+Mi$/);
    t.regex(memPct, /^\d+%$/);
    t.true(Number(mem.slice(0, -2)) > 0, 'some memory is in use');
  } finally {
    await kc.cleanup();
    await k.cleanup();
    await env.stop();
  }
});
