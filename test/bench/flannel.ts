/**
 * flanneld data-plane bench (throwaway namespaces, a real etcd with v2):
 *
 *   npm run bench -- flannel [--backends vxlan,host-gw,udp] [--seconds 3] [--pings 20]
 *
 * Per backend: two hosts (namespaces on one veth pair), flanneld in each
 * (child processes from source), a pod namespace behind each host. It
 * measures pod A → pod B through flannel (ping RTT with busybox, and one TCP
 * stream of Node sockets for --seconds) beside the baseline of host A → host
 * B over the plain veth, and prints the ratios. On a 2-core VM the udp
 * backend and the TCP endpoints share the CPUs, so udp's figure is a floor.
 */
import { spawn } from 'node:child_process';
import { startEtcd } from '../harness/etcd.js';
import { tryRun, uniqueSuffix } from '../harness/exec.js';
import { requireRoot, type NetNs } from '../harness/netns.js';
import { etcdctl, makeHosts, makePod, readEnv, startFlanneld, waitFor } from '../agent/flannel/topology.js';

interface Opts {
  backends: string[];
  seconds: number;
  pings: number;
}

function parse(args: string[]): Opts {
  const o: Opts = { backends: ['vxlan', 'host-gw', 'udp'], seconds: 3, pings: 20 };
  for (let i = 0; i < args.length; i++) {
    const v = args[i + 1];
    if (args[i] === '--backends') (o.backends = v.split(',')), i++;
    else if (args[i] === '--seconds') (o.seconds = Number(v)), i++;
    else if (args[i] === '--pings') (o.pings = Number(v)), i++;
    else throw new Error(`unknown argument ${args[i]}`);
  }
  return o;
}

async function pingRtt(from: NetNs, to: string, n: number): Promise<number> {
  const r = await tryRun('ip', ['netns', 'exec', from.name, 'busybox', 'ping', '-c', String(n), '-i', '0.1', '-W', '3', to]);
  const m = /min\/avg\/max = [\d.]+\/([\d.]+)\//.exec(r.stdout);
  if (!m) throw new Error(`ping ${to} failed: ${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

const SINK = `const net=require('net');const s=net.createServer(c=>{let n=0,t0=0;c.on('data',d=>{if(!t0)t0=process.hrtime.bigint();n+=d.length});c.on('end',()=>{const s=Number(process.hrtime.bigint()-t0)/1e9;process.stdout.write(String(n/s/1e6)+'\\n');c.end();process.exit(0)})});s.listen(5201,process.argv[1],()=>process.stdout.write('ready\\n'));`;
const SOURCE = `const net=require('net');const buf=Buffer.alloc(65536);const c=net.connect(5201,process.argv[1],()=>{const end=Date.now()+Number(process.argv[2])*1000;const go=()=>{while(Date.now()<end){if(!c.write(buf))return c.once('drain',go)}c.end()};go()});c.on('data',()=>{});`;

/** MB/s of one TCP stream from `from` to `to`:5201 (the sink runs in toNs). */
async function tcpMBps(fromNs: NetNs, toNs: NetNs, toIp: string, seconds: number): Promise<number> {
  const sink = spawn('ip', ['netns', 'exec', toNs.name, process.execPath, '-e', SINK, toIp], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  sink.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await waitFor('the TCP sink', () => (out.includes('ready') ? true : undefined), 10_000);
    const src = await tryRun('ip', ['netns', 'exec', fromNs.name, process.execPath, '-e', SOURCE, toIp, String(seconds)]);
    if (src.exitCode !== 0) throw new Error(`TCP source failed: ${src.stderr}`);
    await waitFor('the TCP sink result', () => (/\n[\d.]+\n/.test(out) ? true : undefined), 15_000);
    return Number(out.trim().split('\n').pop());
  } finally {
    if (sink.exitCode === null) sink.kill('SIGKILL');
  }
}

class Owner {
  readonly fns: (() => void | Promise<void>)[] = [];
  teardown(fn: () => void | Promise<void>): void {
    this.fns.push(fn);
  }
  async run(): Promise<void> {
    for (const fn of this.fns.reverse()) {
      try {
        await fn();
      } catch (e) {
        process.stderr.write(`cleanup: ${(e as Error).message}\n`);
      }
    }
  }
}

export async function main(args: string[], signal: AbortSignal): Promise<void> {
  requireRoot('flannel bench');
  const o = parse(args);
  const rows: string[] = [];
  for (const backend of o.backends) {
    if (signal.aborted) break;
    const owner = new Owner();
    try {
      const etcd = await startEtcd(owner, { enableV2: true });
      const prefix = `/kubets-bench-${uniqueSuffix()}/network`;
      await etcdctl(etcd.endpoints[0], ['set', `${prefix}/config`, JSON.stringify({ Network: '10.211.0.0/16', Backend: { Type: backend } })]);
      const hosts = await makeHosts(owner, etcd.endpoints[0]);
      const fl = hosts.map((h) => startFlanneld(owner, h, [`-etcd-prefix=${prefix}`, `-iface=${h.ifname}`, `-subnet-file=${h.subnetFile}`]));
      const envs = await Promise.all(hosts.map((h) => waitFor(h.subnetFile, () => readEnv(h.subnetFile), 60_000, () => fl.map((f) => f.output()).join('\n'))));
      const pods = [await makePod(owner, hosts[0], envs[0].FLANNEL_SUBNET), await makePod(owner, hosts[1], envs[1].FLANNEL_SUBNET)];
      await waitFor('pod-to-pod connectivity', async () => ((await tryRun('ip', ['netns', 'exec', pods[0].ns.name, 'busybox', 'ping', '-c', '1', '-W', '1', pods[1].ip])).exitCode === 0 ? true : undefined), 30_000);

      const baseRtt = await pingRtt(hosts[0].ns, hosts[1].addr, o.pings);
      const rtt = await pingRtt(pods[0].ns, pods[1].ip, o.pings);
      const baseBw = await tcpMBps(hosts[0].ns, hosts[1].ns, hosts[1].addr, o.seconds);
      const bw = await tcpMBps(pods[0].ns, pods[1].ns, pods[1].ip, o.seconds);
      rows.push(
        `${backend.padEnd(8)} MTU ${envs[0].FLANNEL_MTU.padEnd(5)} ping avg ${rtt.toFixed(3)} ms vs veth ${baseRtt.toFixed(3)} ms (×${(rtt / baseRtt).toFixed(2)})   ` +
          `TCP ${bw.toFixed(1)} MB/s vs veth ${baseBw.toFixed(1)} MB/s (${((bw / baseBw) * 100).toFixed(0)}%)`,
      );
      process.stdout.write(`${rows.at(-1)}\n`);
    } finally {
      await owner.run();
    }
  }
  process.stdout.write(`\nflannel data plane, pod A → pod B vs host A → host B over the same veth (${o.pings} pings, ${o.seconds} s TCP stream):\n${rows.join('\n')}\n`);
}
