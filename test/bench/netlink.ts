/**
 * Netlink and TUN bench, in throwaway network namespaces (kt-<random>).
 *
 *   npm run bench -- netlink [--routes 1000] [--runs 5] [--spawns 1000] [--tun-seconds 2] [--window 64]
 *
 * Routes: add, list and delete N routes (`10.200.x.y/32 via 10.251.0.2 dev
 * br0`) through native/rtnetlink (one batched exchange, 64 messages per
 * sendmsg) against the baseline `ip -batch -` (one spawn, commands on stdin)
 * and against one `ip route add`/`del` spawn per route (the pattern to avoid).
 * Medians over `--runs` rounds after one warm-up round; the two fast paths
 * alternate within a round. The per-route spawn variant runs once.
 *
 * TUN echo: a child process inside the namespace sends UDP datagrams to an
 * address routed into a TUN device, keeping `--window` in flight; this
 * process reads each packet, swaps addresses and ports (checksums stay
 * valid) and writes it back. Two read patterns: the worker-thread reader
 * native/tun uses, and fs.createReadStream on a blocking fd (one libuv pool
 * thread parked in read(), LIBS.md §3).
 */
import { execa } from 'execa';
import { closeSync, constants, createReadStream, openSync, writeSync } from 'node:fs';
import { createNetNs, type NetNs } from '../harness/netns.js';
import { RtNetlinkClient } from '../../native/rtnetlink/client.js';
import type { RouteSpec } from '../../native/rtnetlink/types.js';
import { TunDevice, encodeIfreq, IFF_NO_PI, IFF_TUN } from '../../native/tun/index.js';
import { withNetns } from '../../native/netns/index.js';
import { lastErrno, libc } from '../../native/rtnetlink/sys/libc.js';
import { nowMs } from './stats.js';

interface Options {
  routes: number;
  runs: number;
  spawns: number;
  tunSeconds: number;
  window: number;
}

function parseArgs(args: string[]): Options {
  const o: Options = { routes: 1000, runs: 5, spawns: 1000, tunSeconds: 2, window: 64 };
  for (let i = 0; i < args.length; i += 2) {
    const v = Number(args[i + 1]);
    if (!Number.isFinite(v) || v < 0) throw new Error(`bad value for ${args[i]}: ${args[i + 1]}`);
    if (args[i] === '--routes') o.routes = v;
    else if (args[i] === '--runs') o.runs = Math.max(1, v);
    else if (args[i] === '--spawns') o.spawns = v;
    else if (args[i] === '--tun-seconds') o.tunSeconds = v;
    else if (args[i] === '--window') o.window = Math.max(1, v);
    else throw new Error(`unknown flag ${args[i]}`);
  }
  return o;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');

interface RouteResult {
  name: string;
  add: number;
  list: number;
  del: number;
}

function routeSet(n: number, run: number): RouteSpec[] {
  // A fresh /16 per run so no run sees another's leftovers.
  return Array.from({ length: n }, (_, i) => ({ dst: `10.${100 + (run % 150)}.${(i >> 8) & 255}.${i & 255}/32`, gateway: '10.251.0.2', dev: 'br0' }));
}

async function timedMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = nowMs();
  await fn();
  return nowMs() - t0;
}

async function countRoutes(ns: NetNs, prefix: string): Promise<number> {
  const out = (await execa('ip', ['-n', ns.name, 'route', 'show'])).stdout;
  return out.split('\n').filter((l) => l.startsWith(prefix)).length;
}

async function benchRoutes(o: Options, signal: AbortSignal): Promise<RouteResult[]> {
  const ns = await createNetNs();
  const nl = RtNetlinkClient.open({ netns: ns.name });
  const results: RouteResult[] = [];
  let run = 0;
  try {
    await nl.addLink({ kind: 'bridge', name: 'br0', up: true });
    await nl.addAddress({ dev: 'br0', cidr: '10.251.0.1/24' });

    // Rounds interleave the two fast paths so both see the same machine load;
    // round 0 warms the JIT and the kernel's FIB and is not counted.
    const samples = { native: { add: [] as number[], list: [] as number[], del: [] as number[] }, batch: { add: [] as number[], list: [] as number[], del: [] as number[] } };
    for (let r = 0; r <= o.runs && !signal.aborted; r++) {
      const keep = r > 0;
      const routes = routeSet(o.routes, run++);
      const add = await timedMs(() => nl.addRoutes(routes));
      let listed = 0;
      const list = await timedMs(async () => (listed = (await nl.routes()).length));
      if (listed < o.routes) throw new Error(`native list saw ${listed} routes, expected ≥ ${o.routes}`);
      const del = await timedMs(() => nl.delRoutes(routes));
      if (keep) {
        samples.native.add.push(add);
        samples.native.list.push(list);
        samples.native.del.push(del);
      }

      const routes2 = routeSet(o.routes, run++);
      const lines = (verb: string): string => routes2.map((x) => `route ${verb} ${x.dst} via ${x.gateway} dev br0`).join('\n') + '\n';
      const badd = await timedMs(() => execa('ip', ['-n', ns.name, '-batch', '-'], { input: lines('add') }));
      const blist = await timedMs(() => execa('ip', ['-n', ns.name, 'route', 'show']));
      const first = routes2[0].dst.split('.').slice(0, 2).join('.') + '.';
      if ((await countRoutes(ns, first)) !== o.routes) throw new Error('ip -batch did not add every route');
      const bdel = await timedMs(() => execa('ip', ['-n', ns.name, '-batch', '-'], { input: lines('del') }));
      if (keep) {
        samples.batch.add.push(badd);
        samples.batch.list.push(blist);
        samples.batch.del.push(bdel);
      }
    }
    const summary = (name: string, s: { add: number[]; list: number[]; del: number[] }): RouteResult => ({ name, add: median(s.add), list: median(s.list), del: median(s.del) });
    results.push(summary('native rtnetlink (batched)', samples.native), summary('ip -batch - (1 spawn, stdin)', samples.batch));

    if (o.spawns > 0 && !signal.aborted) {
      const routes = routeSet(o.spawns, run++);
      const add = await timedMs(async () => {
        for (const x of routes) await execa('ip', ['-n', ns.name, 'route', 'add', x.dst, 'via', x.gateway ?? '', 'dev', 'br0']);
      });
      const list = await timedMs(() => execa('ip', ['-n', ns.name, 'route', 'show']));
      const del = await timedMs(async () => {
        for (const x of routes) await execa('ip', ['-n', ns.name, 'route', 'del', x.dst]);
      });
      // Scale to --routes so the table compares like with like.
      const k = o.routes / o.spawns;
      results.push({ name: `ip route add/del ×${o.spawns} (spawns)`, add: add * k, list, del: del * k });
    }
  } finally {
    nl.close();
    await ns.destroy();
  }
  return results;
}

// ---------- TUN echo ----------

/** Swaps IPv4 source/destination and UDP ports in place; both checksums stay valid. */
function reflect(pkt: Buffer): Buffer | undefined {
  if (pkt.length < 28 || pkt[0] >> 4 !== 4 || pkt[9] !== 17) return undefined;
  const ihl = (pkt[0] & 0xf) * 4;
  const src = pkt.readUInt32BE(12);
  pkt.writeUInt32BE(pkt.readUInt32BE(16), 12);
  pkt.writeUInt32BE(src, 16);
  const sport = pkt.readUInt16BE(ihl);
  pkt.writeUInt16BE(pkt.readUInt16BE(ihl + 2), ihl);
  pkt.writeUInt16BE(sport, ihl + 2);
  return pkt;
}

/** The load generator, run by `node -e` inside the namespace; prints replies per second. */
const GENERATOR = `
const dgram = require('node:dgram');
const [seconds, window] = process.argv.slice(1).map(Number);
const s = dgram.createSocket('udp4');
const payload = Buffer.alloc(64, 1);
let replies = 0, start = 0, stopped = false;
s.on('message', () => { replies++; if (!stopped) s.send(payload, 7, '10.250.0.2'); });
s.bind(0, '10.250.0.1', () => {
  start = Date.now();
  for (let i = 0; i < window; i++) s.send(payload, 7, '10.250.0.2');
  // Re-prime the window now and then in case packets were dropped.
  const prime = setInterval(() => { for (let i = 0; i < 4; i++) s.send(payload, 7, '10.250.0.2'); }, 100);
  setTimeout(() => { stopped = true; clearInterval(prime); const el = (Date.now() - start) / 1000; console.log(JSON.stringify({ rate: replies / el, replies })); s.close(); }, seconds * 1000);
});
`;

async function runGenerator(ns: NetNs, o: Options): Promise<number> {
  const r = await execa('ip', ['netns', 'exec', ns.name, process.execPath, '-e', GENERATOR, String(o.tunSeconds), String(o.window)]);
  return (JSON.parse(r.stdout.trim()) as { rate: number }).rate;
}

async function configureTun(nl: RtNetlinkClient, name: string): Promise<void> {
  await nl.addAddress({ dev: name, cidr: '10.250.0.1/24' });
  await nl.setLink(name, { up: true });
}

async function tunWorker(o: Options): Promise<number> {
  const ns = await createNetNs();
  const nl = RtNetlinkClient.open({ netns: ns.name });
  const dev = withNetns(ns.name, () => TunDevice.open({ name: 'kt-bench0' }));
  const ac = new AbortController();
  try {
    await configureTun(nl, dev.name);
    const echo = (async () => {
      for await (const batch of dev.batches(ac.signal)) {
        for (const pkt of batch) {
          const out = reflect(pkt);
          if (out) dev.write(out);
        }
      }
    })();
    const rate = await runGenerator(ns, o);
    ac.abort();
    await echo;
    return rate;
  } finally {
    ac.abort();
    try {
      dev.close();
      nl.close();
    } finally {
      await ns.destroy();
    }
  }
}

async function tunReadStream(o: Options): Promise<number> {
  const ns = await createNetNs();
  const nl = RtNetlinkClient.open({ netns: ns.name });
  // A blocking fd, as fs streams need: fs.read parks a pool thread until a packet arrives.
  const fd = withNetns(ns.name, () => {
    const f = openSync('/dev/net/tun', constants.O_RDWR);
    if (libc.ioctl(f, 0x400454ca, encodeIfreq('kt-bench1', IFF_TUN | IFF_NO_PI)) < 0) {
      const errno = lastErrno();
      closeSync(f);
      throw new Error(`TUNSETIFF: errno ${errno}`);
    }
    return f;
  });
  // autoClose: the stream closes the fd itself once its last read has returned.
  const rs = createReadStream('', { fd, highWaterMark: 65536, autoClose: true });
  rs.on('error', () => undefined); // the read fails once the link is deleted: expected
  try {
    await configureTun(nl, 'kt-bench1');
    rs.on('data', (chunk) => {
      const out = reflect(chunk as Buffer);
      if (out) writeSync(fd, out);
    });
    return await runGenerator(ns, o);
  } finally {
    try {
      // Deleting the link is what releases the blocked read (rs.destroy() alone
      // does not); the stream then closes the fd after that read has returned,
      // never under a read still queued in the pool.
      const closed = new Promise<void>((resolve) => rs.once('close', () => resolve()));
      rs.destroy();
      await nl.delLink('kt-bench1').catch(() => undefined);
      await closed;
    } finally {
      nl.close();
      await ns.destroy();
    }
  }
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export async function main(args: string[], signal: AbortSignal): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the netlink bench needs root (network namespaces)');
  const o = parseArgs(args);
  process.stdout.write(`netlink bench: ${o.routes} routes, ${o.runs} runs (median, after a warm-up), per-route spawns ×${o.spawns}\n\n`);
  const rs = await benchRoutes(o, signal);
  const base = rs[0];
  process.stdout.write(
    table(
      ['routes', 'add ms', 'list ms', 'del ms', 'add ×native', 'del ×native'],
      rs.map((r) => [r.name, fmt(r.add), fmt(r.list), fmt(r.del), `${fmt(r.add / base.add)}×`, `${fmt(r.del / base.del)}×`]),
    ) + '\n',
  );
  if (o.spawns !== o.routes && o.spawns > 0) process.stdout.write(`(spawn row measured with ${o.spawns} routes, scaled to ${o.routes})\n`);
  if (signal.aborted || o.tunSeconds === 0) return;
  process.stdout.write(`\nTUN echo: UDP 64-byte payloads, ${o.window} in flight, ${o.tunSeconds} s\n`);
  const worker = await tunWorker(o);
  const stream = signal.aborted ? NaN : await tunReadStream(o);
  process.stdout.write(
    table(
      ['TUN read pattern', 'pkt/s', '×worker'],
      [
        ['worker thread + poll (native/tun)', fmt(worker, 0), '1.0×'],
        ['fs.createReadStream (pool thread)', fmt(stream, 0), `${fmt(stream / worker, 2)}×`],
      ],
    ) + '\n',
  );
}
