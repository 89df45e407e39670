// Seed 001's autoscaling workflow end to end: `kubectl autoscale deployment
// php-apache --cpu-percent=…` on a deployment whose pods really burn CPU on
// the Docker engine; the real kubelet measures them (/stats/summary), the
// controller manager's autoscaler reads that through the API server's node
// proxy and scales the deployment up, as `kubectl get hpa` and `describe`
// show with upstream's wording.
import test from 'ava';
import { resources } from '../../controlplane/client/resources.js';
import { makeKubectl } from '../harness/kubectl.js';
import { startManager } from '../controlplane/controllers/harness.js';
import { BUSYBOX_IMAGE, eventually, startEnv, startKubelet } from '../agent/kubelet/harness.js';

test('kubectl autoscale: a busy deployment is scaled up from the kubelet\'s CPU measurements', async (t) => {
  const env = await startEnv({ api: { kubelet: { https: true, port: 10250, timeoutMs: 5000, preferredAddressTypes: ['InternalIP'] } } });
  const k = await startKubelet(env, ['--node-ip=127.0.0.1']);
  const mgr = startManager(env, {
    controllers: ['deployment', 'replicaset', 'horizontalpodautoscaling'],
    enableGarbageCollector: false,
    hpa: { syncPeriodMs: 2000, upscaleDelayMs: 180_000, downscaleDelayMs: 300_000 },
  });
  const kc = await makeKubectl('1.33', env.api.url);
  try {
    await mgr.started;
    await eventually(async () => env.client.resource(resources.nodes).get(k.nodeName), 30_000);
    // No scheduler here: the template pins the pods to the test node. A 200m limit keeps each pod's
    // burn to a fifth of a core; against a 100m request that is ~200% utilization.
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'php-apache', namespace: env.ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'php-apache' } },
        template: {
          metadata: { labels: { app: 'php-apache' } },
          spec: {
            nodeName: k.nodeName,
            terminationGracePeriodSeconds: 0,
            containers: [{ name: 'burn', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'while :; do :; done'], resources: { requests: { cpu: '100m' }, limits: { cpu: '200m' } } }],
          },
        },
      },
    };
    await kc.ok(['-n', env.ns, 'create', '-f', '-'], { input: JSON.stringify(deployment) });
    await kc.ok(['-n', env.ns, 'autoscale', 'deployment', 'php-apache', '--cpu-percent=50', '--min=1', '--max=3']);
    const scaled = await eventually(async () => {
      const d = await env.client.resource(resources.deployments, env.ns).get('php-apache');
      return (d.spec?.replicas ?? 0) > 1 ? d : undefined;
    }, 90_000);
    t.true((scaled.spec?.replicas ?? 0) >= 2 && (scaled.spec?.replicas ?? 0) <= 3, `replicas ${scaled.spec?.replicas}`);
    const hpa = await env.client.resource(resources.horizontalpodautoscalers, env.ns).get('php-apache');
    t.true((hpa.status?.currentCPUUtilizationPercentage ?? 0) > 50, `utilization ${hpa.status?.currentCPUUtilizationPercentage}`);
    t.truthy(hpa.status?.lastScaleTime);
    const described = await kc.ok(['-n', env.ns, 'describe', 'hpa', 'php-apache']);
    t.regex(described, /SuccessfulRescale\s+.*New size: [23]; reason: cpu resource utilization \(percentage of request\) above target/);
    t.regex(await kc.ok(['-n', env.ns, 'get', 'hpa', 'php-apache']), /php-apache\s+Deployment\/php-apache\s+(cpu: )?\d+%\/50%\s+1\s+3\s+/);
  } finally {
    await kc.cleanup();
    await mgr.abort();
    await k.cleanup();
    await env.stop();
  }
});
