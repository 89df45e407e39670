// The kubenet-style network on real kernel objects: a bridge (unique name,
// not cbr0) with host-local IPAM over the pod CIDR, built from Debian's CNI
// plugins. Pod IPs are reachable from the node and from another pod; a
// hostPort answers on the node's address through the portmap plugin.
// Everything made here is removed by name: bridge, iptables rules, containers.
import test from 'ava';
import { resources } from '../../../controlplane/client/resources.js';
import { kubenetRules } from '../../../agent/kubelet/network/kubenet.js';
import { cidrContains } from '../../../agent/kubelet/network/cni/result.js';
import { openIptables } from '../../../native/iptables/runner.js';
import { tryRun, uniqueSuffix } from '../../harness/exec.js';
import { freePort } from '../../harness/ports.js';
import { BUSYBOX_IMAGE, containersOf, dockerExec, eventually, getPod, pod, startEnv, startKubelet } from './harness.js';

test('kubenet: pods on a bridge over the pod CIDR reach each other and are reachable from the node and through a hostPort', async (t) => {
  const env = await startEnv();
  const bridge = `kt-cbr-${uniqueSuffix()}`;
  const cidr = `10.244.${Math.floor(Math.random() * 100)}.0/24`;
  const hostPort = await freePort();
  const k = await startKubelet(env, ['--network-plugin=kubenet', `--pod-cidr=${cidr}`, '--cni-bin-dir=/usr/lib/cni', '--non-masquerade-cidr=10.0.0.0/8'], (c) => {
    c.kubenetBridge = bridge;
  });
  try {
    const pods = env.client.resource(resources.pods, env.ns);
    await pods.create(
      pod('server', env.ns, k.nodeName, {
        containers: [{ name: 'httpd', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'mkdir -p /www && echo served > /www/index.html && exec httpd -f -p 80 -h /www'], ports: [{ containerPort: 80, hostPort, protocol: 'TCP' }] }],
      }),
    );
    await pods.create(pod('client', env.ns, k.nodeName, { containers: [{ name: 'sh', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }] }));
    await pods.create(pod('onhost', env.ns, k.nodeName, { hostNetwork: true, containers: [{ name: 'sh', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }] }));
    const running = async (name: string) =>
      eventually(async () => {
        const p = await getPod(env, name);
        return p.status?.phase === 'Running' && p.status.podIP ? p : undefined;
      }, 30_000);
    const server = await running('server');
    const client = await running('client');
    const sip = server.status!.podIP!;
    t.true(cidrContains(cidr, sip), `${sip} in ${cidr}`);
    t.true(cidrContains(cidr, client.status!.podIP!));
    t.not(sip, client.status!.podIP);

    // A hostNetwork pod has the node's address and sees the node's interfaces (the bridge among them).
    const onhost = await running('onhost');
    t.is(onhost.status?.podIP, onhost.status?.hostIP);
    const [h] = await containersOf(k.nodeName, 'onhost', 'sh');
    t.true((await dockerExec(h.Id, ['ip', 'link'])).out.includes(bridge));
    // From the node.
    t.is((await (await fetch(`http://${sip}/index.html`)).text()).trim(), 'served');
    // From another pod on the node (bridged, through FORWARD).
    const [c] = await containersOf(k.nodeName, 'client', 'sh');
    const r = await dockerExec(c.Id, ['wget', '-q', '-O', '-', `http://${sip}/index.html`]);
    if (!r.out.includes('served') && process.env.KUBELET_DEBUG_NET) {
      console.log((await tryRun('iptables', ['-S', 'FORWARD'])).stdout);
      console.log((await tryRun('iptables', ['-t', 'nat', '-S'])).stdout);
      console.log((await dockerExec(c.Id, ['ping', '-c', '1', '-W', '2', sip])).out);
      console.log((await dockerExec(c.Id, ['ip', 'addr'])).out);
      console.log((await tryRun('bridge', ['link'])).stdout);
      console.log((await tryRun('sysctl', ['net.bridge.bridge-nf-call-iptables'])).stdout);
    }
    t.true(r.out.includes('served'), `exit ${r.code}: ${r.out}`);
    // The pod's default route goes through the bridge's gateway address.
    const route = await dockerExec(c.Id, ['ip', 'route']);
    t.regex(route.out, /^default via 10\.244\.\d+\.1 /m);
    // hostPort on the node's own address (portmap DNAT).
    const hostIP = server.status!.hostIP!;
    const viaHostPort = await eventually(async () => (await fetch(`http://${hostIP}:${hostPort}/index.html`, { signal: AbortSignal.timeout(3000) })).text(), 10_000);
    t.is(viaHostPort.trim(), 'served');
  } finally {
    await k.cleanup();
    await env.stop();
    await tryRun('ip', ['link', 'del', bridge]);
    const ipt = await openIptables();
    for (const rule of kubenetRules({ bridge, nonMasqueradeCIDR: '10.0.0.0/8' }, cidr)) await ipt.deleteRule(rule.table, rule.chain, rule.args).catch(() => undefined);
  }
});
