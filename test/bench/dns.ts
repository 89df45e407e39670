/**
 * kube-dns bench: `npm run bench -- dns [queries] [services] [window]`.
 *
 * Measures, over loopback UDP with the same client (a window of queries in
 * flight, matched by ID), a cluster A record (`svc-N.default.svc.cluster.local`)
 * answered by
 *   1. kube-dns's handler and sockets (controlplane/addons/dns) over caches
 *      holding `services` Services: decode, lookup, encode, metrics;
 *   2. a baseline: a fixed-answer UDP server written here that only flips the
 *      header bits and appends one prebuilt A record (the floor any Node DNS
 *      server pays for the socket round trip);
 * and prints queries/s, p50/p99 latency and our/baseline ratios. Then the
 * handler alone, without sockets (lookup + encoding per query).
 * Client and servers share this process (2-core machine), so the numbers are
 * relative; the ratio is the figure to watch.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Endpoints, Service } from '../../controlplane/api/core/v1/types.js';
import { Indexer, keyOf } from '../../controlplane/client/indexer.js';
import { createLogger, defaultLogOptions } from '../../controlplane/machinery/log/index.js';
import { DnsMetrics } from '../../controlplane/addons/dns/metrics.js';
import { endpointsIndexers, serviceIndexers } from '../../controlplane/addons/dns/records/state.js';
import { DnsHandler } from '../../controlplane/addons/dns/server/handler.js';
import { listenDns } from '../../controlplane/addons/dns/server/listen.js';
import { encodeMessage } from '../../controlplane/addons/dns/wire/encode.js';
import { RRClass, RRType } from '../../controlplane/addons/dns/wire/types.js';
import { nowMs, percentile } from './stats.js';

interface Result {
  rate: number;
  p50: number;
  p99: number;
  lost: number;
}

function queryFor(i: number, services: number): Buffer {
  return encodeMessage({
    header: { id: 0, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false, rcode: 0 },
    questions: [{ name: `svc-${i % services}.default.svc.cluster.local.`, type: RRType.A, class: RRClass.IN }],
    answers: [],
    authority: [],
    additional: [],
  });
}

/** Sends `n` queries with `window` in flight to 127.0.0.1:port; a query unanswered for 1 s counts as lost. */
async function load(port: number, n: number, window: number, services: number, signal: AbortSignal): Promise<Result> {
  const sock: Socket = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const queries = Array.from({ length: Math.min(n, 4096) }, (_, i) => queryFor(i, services));
  const sentAt = new Float64Array(0x10000);
  const lat = new Float64Array(n);
  let sent = 0;
  let done = 0;
  let lost = 0;
  let lastProgress = nowMs();
  const t0 = nowMs();
  const sendOne = () => {
    if (sent >= n) return;
    const i = sent++;
    const q = queries[i % queries.length];
    const id = i & 0xffff;
    q.writeUInt16BE(id, 0);
    sentAt[id] = nowMs();
    sock.send(q, port, '127.0.0.1');
  };
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (signal.aborted || done + lost >= n) return;
      if (nowMs() - lastProgress > 1000) {
        const missing = sent - done - lost;
        lost += missing;
        lastProgress = nowMs();
        for (let k = 0; k < missing; k++) sendOne();
        if (done + lost >= n) finish();
      }
    }, 250);
    const finish = () => {
      clearInterval(check);
      resolve();
    };
    sock.on('message', (b) => {
      const id = b.readUInt16BE(0);
      const t = nowMs();
      lat[done++] = t - sentAt[id];
      lastProgress = t;
      if (done + lost >= n || signal.aborted) return finish();
      sendOne();
    });
    for (let k = 0; k < window; k++) sendOne();
  });
  const elapsed = nowMs() - t0;
  sock.close();
  const sorted = Float64Array.from(lat.subarray(0, done)).sort();
  return { rate: (done / elapsed) * 1000, p50: percentile(sorted, 50), p99: percentile(sorted, 99), lost };
}

/** The baseline: answers every query with one fixed A record, touching only the header. */
async function startBaseline(): Promise<{ port: number; close(): Promise<void> }> {
  const sock = createSocket('udp4');
  // Owner = pointer to the question (0xc00c), A, IN, TTL 30, 10.0.0.1.
  const answer = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 10, 0, 0, 1]);
  sock.on('message', (q, rinfo) => {
    const out = Buffer.concat([q, answer]);
    out[2] = 0x85; // QR AA RD
    out[3] = 0x80; // RA, NOERROR
    out.writeUInt16BE(1, 6);
    sock.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return { port: sock.address().port, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

function cluster(services: number): DnsHandler {
  const svcs = new Indexer<Service>(serviceIndexers);
  const eps = new Indexer<Endpoints>(endpointsIndexers);
  for (let i = 0; i < services; i++) {
    const s: Service = { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: `svc-${i}` }, spec: { clusterIP: `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`, ports: [{ name: 'http', port: 80 }] } };
    svcs.set(keyOf(s), s);
  }
  return new DnsHandler({
    state: { services: svcs, endpoints: eps },
    zone: { domain: 'cluster.local.', ttl: 30, serial: 1 },
    metrics: new DnsMetrics(),
    upstreams: () => [],
    dynamic: () => ({ stubDomains: new Map(), upstreamNameservers: [] }),
    forwardTimeoutMs: 1000,
    log: createLogger(defaultLogOptions('kube-dns'), { stderr: { write: () => true } }),
  });
}

const fmt = (r: Result) => `${Math.round(r.rate).toString().padStart(7)} q/s   p50 ${r.p50.toFixed(3)} ms   p99 ${r.p99.toFixed(3)} ms${r.lost ? `   lost ${r.lost}` : ''}`;

export async function main(args: string[], signal: AbortSignal): Promise<void> {
  const n = Number(args[0] ?? 50_000);
  const services = Number(args[1] ?? 1000);
  const window = Number(args[2] ?? 32);
  const handler = cluster(services);
  const log = createLogger(defaultLogOptions('kube-dns'), { stderr: { write: () => true } });
  const ours = await listenDns({ address: '127.0.0.1', port: 0, handler, log });
  const base = await startBaseline();
  try {
    // Warm up both (JIT, socket buffers).
    await load(ours.port, 5000, window, services, signal);
    await load(base.port, 5000, window, services, signal);
    const b = await load(base.port, n, window, services, signal);
    const o = await load(ours.port, n, window, services, signal);
    process.stdout.write(`kube-dns bench: ${n} A queries over loopback UDP, ${window} in flight, ${services} Services cached\n`);
    process.stdout.write(`  baseline (fixed answer)  ${fmt(b)}\n`);
    process.stdout.write(`  kube-dns                 ${fmt(o)}\n`);
    process.stdout.write(`  ratio kube-dns/baseline  throughput ${(o.rate / b.rate).toFixed(2)}×   p50 ${(o.p50 / b.p50).toFixed(2)}×   p99 ${(o.p99 / b.p99).toFixed(2)}×\n`);

    const qs = Array.from({ length: 1024 }, (_, i) => queryFor(i, services));
    const m = 200_000;
    for (let i = 0; i < 20_000; i++) handler.handle(qs[i & 1023], 'udp');
    const t0 = nowMs();
    for (let i = 0; i < m; i++) handler.handle(qs[i & 1023], 'udp');
    const us = ((nowMs() - t0) * 1000) / m;
    process.stdout.write(`  handler alone (decode + lookup + encode + metrics, no socket): ${us.toFixed(2)} µs/query (${Math.round(1e6 / us)} q/s on one core)\n`);
  } finally {
    await ours.close();
    await base.close();
  }
}
