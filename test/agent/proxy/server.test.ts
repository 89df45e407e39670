/** The daemon's pieces that need no kernel: healthz, metrics, flags → config, exit codes. */
import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { FakeClock } from '../../../controlplane/client/testing/clock.js';
import { main } from '../../../agent/proxy/main.js';
import { ProxyMetrics } from '../../../agent/proxy/metrics.js';
import { conntrackMaxFor } from '../../../agent/proxy/run.js';
import { HealthState, splitBindAddress, startHealthzServer, startMetricsServer } from '../../../agent/proxy/server.js';
import type { SyncStats } from '../../../agent/proxy/types.js';
import { quietLogger } from './fixtures.js';

const stats = (durationMs = 5): SyncStats => ({ ran: true, full: true, services: 3, endpoints: 4, rulesWritten: 20, durationMs });

test('healthz: 200 before the first sync and while fresh, 503 once older than the timeout', async (t) => {
  const clock = new FakeClock(Date.UTC(2025, 0, 1));
  const h = new HealthState(60_000, clock);
  t.true(h.check().ok);
  t.regex(h.check().body, /^\{"lastUpdated": "0001-01-01T00:00:00Z","currentTime": "2025-01-01T00:00:00.000Z"\}$/);
  h.synced(stats(0), clock.now());
  await clock.advance(60_000);
  t.true(h.check().ok);
  await clock.advance(1);
  t.false(h.check().ok);
  const srv = await startHealthzServer(h, '127.0.0.1', 0);
  try {
    const r = await fetch(`http://127.0.0.1:${srv.port}/healthz`);
    t.is(r.status, 503);
    t.regex(await r.text(), /"lastUpdated": "2025-01-01T00:00:00.000Z"/);
    h.synced(stats(0), clock.now());
    t.is((await fetch(`http://127.0.0.1:${srv.port}/healthz`)).status, 200);
    t.is((await fetch(`http://127.0.0.1:${srv.port}/other`)).status, 404);
  } finally {
    await srv.close();
  }
});

test('metrics: sync duration and last sync time under their upstream names; /proxyMode', async (t) => {
  const m = new ProxyMetrics();
  m.synced(stats(12), 1_700_000_000_000);
  m.failed();
  const srv = await startMetricsServer({ metrics: m, mode: () => 'iptables', profiling: false, host: '127.0.0.1', port: 0, log: quietLogger() });
  try {
    const body = await (await fetch(`http://127.0.0.1:${srv.port}/metrics`)).text();
    t.regex(body, /kubeproxy_sync_proxy_rules_duration_seconds_count 1/);
    t.regex(body, /kubeproxy_sync_proxy_rules_last_timestamp_seconds 1700000000\.012/);
    t.regex(body, /kubeproxy_sync_proxy_rules_latency_microseconds_count 1/);
    t.regex(body, /kubeproxy_sync_proxy_rules_iptables_restore_failures_total 1/);
    t.is(await (await fetch(`http://127.0.0.1:${srv.port}/proxyMode`)).text(), 'iptables');
    t.is(await (await fetch(`http://127.0.0.1:${srv.port}/healthz`)).text(), 'ok');
  } finally {
    await srv.close();
  }
});

for (const [input, want] of [
  ['127.0.0.1:10249', { host: '127.0.0.1', port: 10249 }],
  ['0.0.0.0', { host: '0.0.0.0', port: 10249 }],
  ['[::1]:9000', { host: '::1', port: 9000 }],
] as const) {
  test(`bind address ${input}`, (t) => t.deepEqual(splitBindAddress(input, 10249), want));
}

for (const c of [
  { name: 'per core × CPUs', cfg: { conntrackMax: 0, conntrackMaxPerCore: 32768, conntrackMin: 131072 }, cpus: 8, want: 262144 },
  { name: 'at least the minimum', cfg: { conntrackMax: 0, conntrackMaxPerCore: 32768, conntrackMin: 131072 }, cpus: 2, want: 131072 },
  { name: 'deprecated --conntrack-max wins', cfg: { conntrackMax: 1000, conntrackMaxPerCore: 32768, conntrackMin: 131072 }, cpus: 2, want: 1000 },
  { name: 'per core 0 leaves it alone', cfg: { conntrackMax: 0, conntrackMaxPerCore: 0, conntrackMin: 131072 }, cpus: 2, want: 0 },
]) {
  test(`conntrack max: ${c.name}`, (t) => t.is(conntrackMaxFor(c.cfg, c.cpus), c.want));
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } }, out, err };
}

for (const c of [
  { args: ['--iptables-masquerade-bit=32'], msg: /masquerade-bit/ },
  { args: ['--iptables-sync-period=0s'], msg: /iptables-sync-period/ },
  { args: ['--iptables-min-sync-period=1m', '--iptables-sync-period=30s'], msg: /min-sync-period/ },
  { args: ['--oom-score-adj=2000'], msg: /oom-score-adj/ },
  { args: ['--proxy-mode=nftables'], msg: /proxy-mode/ },
  { args: ['--kubeconfig=/nonexistent/kubeconfig'], msg: /no such file/ },
]) {
  test(`bad flags exit 2: ${c.args.join(' ')}`, async (t) => {
    const { io: cio, err } = io();
    t.is(await main([...c.args, '--logtostderr=false', '--log-dir='], cio), 2);
    t.regex(err.join(''), c.msg);
  });
}

test('--write-config-to writes a KubeProxyConfiguration and exits 0', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kube-proxy-'));
  try {
    const file = join(dir, 'config.yaml');
    const { io: cio } = io();
    t.is(await main([`--write-config-to=${file}`, '--iptables-sync-period=15s', '--masquerade-all', '--v=0'], cio), 0);
    const cfg = parse(await readFile(file, 'utf8')) as Record<string, { syncPeriod?: string; masqueradeAll?: boolean } | string>;
    t.is(cfg.kind, 'KubeProxyConfiguration');
    t.like(cfg.iptables as object, { syncPeriod: '15s', masqueradeAll: true });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('--help lists the kube-proxy flags, including v1.8 additions', async (t) => {
  const { io: cio, out } = io();
  t.is(await main(['--help'], cio), 0);
  for (const f of ['--proxy-mode', '--cleanup-iptables', '--cleanup', '--write-config-to', '--resource-container', '--healthz-port', '--udp-timeout']) t.true(out.join('').includes(f), f);
});
