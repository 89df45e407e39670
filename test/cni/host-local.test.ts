/**
 * host-local: conformance with the reference (results, on-disk files, CHECK,
 * DEL), 20 concurrent ADDs without a duplicate IP, release on DEL,
 * idempotent DEL, exhaustion, and hand-over (each implementation honours the
 * other's reservations: same files, same lock).
 */
import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { installOurs, mustRun, reference, runPluginExec, tempDir, type Impl } from './harness.js';

const ours = installOurs();
test.after.always(() => ours.cleanup());

// host-local never enters the namespace: any existing path will do.
const NETNS = '/proc/self/ns/net';

function conf(dataDir: string, ipam: Record<string, unknown> = {}, version = '1.0.0'): Record<string, unknown> {
  return {
    cniVersion: version,
    name: 'hlnet',
    type: 'bridge',
    ipam: {
      type: 'host-local',
      dataDir,
      ranges: [[{ subnet: '10.97.0.0/24', rangeStart: '10.97.0.10', rangeEnd: '10.97.0.40' }], [{ subnet: '10.96.0.0/28' }]],
      routes: [{ dst: '0.0.0.0/0' }, { dst: '10.95.0.0/16', gw: '10.97.0.254' }],
      ...ipam,
    },
  };
}

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(join(dir, 'hlnet')).sort()) out[f] = f === 'lock' ? '' : readFileSync(join(dir, 'hlnet', f), 'utf8');
  return out;
}

async function sequence(impl: Impl, version: string): Promise<Record<string, unknown>> {
  const d = await tempDir('kubets-hl-');
  try {
    const c = conf(d.path, {}, version);
    const inv = { containerId: 'hl-1', netns: NETNS };
    const add1 = await mustRun(impl, 'host-local', { ...inv, command: 'ADD' }, c);
    const add2 = await mustRun(impl, 'host-local', { ...inv, containerId: 'hl-2', command: 'ADD' }, c);
    const dup = await runPluginExec(impl, 'host-local', { ...inv, command: 'ADD' }, c);
    const afterAdd = files(d.path);
    const check = await runPluginExec(impl, 'host-local', { ...inv, command: 'CHECK' }, c);
    const checkOther = await runPluginExec(impl, 'host-local', { ...inv, containerId: 'hl-9', command: 'CHECK' }, c);
    const del = await runPluginExec(impl, 'host-local', { ...inv, command: 'DEL' }, c);
    const afterDel = files(d.path);
    const delAgain = await runPluginExec(impl, 'host-local', { ...inv, command: 'DEL' }, c);
    const add3 = await mustRun(impl, 'host-local', { ...inv, containerId: 'hl-3', command: 'ADD' }, c);
    const requested = await runPluginExec(impl, 'host-local', { ...inv, containerId: 'hl-4', command: 'ADD', cniArgs: 'IgnoreUnknown=1;IP=10.97.0.33' }, c);
    return {
      add1: add1.json,
      add2: add2.json,
      dup: [dup.exitCode, dup.json?.code],
      afterAdd,
      check: check.exitCode,
      checkOther: [checkOther.exitCode, checkOther.json?.code, checkOther.json?.msg],
      del: del.exitCode,
      afterDel,
      delAgain: delAgain.exitCode,
      add3: add3.json,
      requested: requested.json?.ips,
    };
  } finally {
    d.cleanup();
  }
}

for (const version of ['1.0.0', '0.4.0']) {
  test(`host-local ${version}: ADD/CHECK/DEL and the files on disk match the reference`, async (t) => {
    const [mine, ref] = await Promise.all([sequence(ours.impl, version), sequence(reference, version)]);
    t.log(JSON.stringify(mine));
    for (const k of Object.keys(ref)) t.deepEqual(mine[k], ref[k], k);
  });
}

test('host-local: 20 concurrent ADDs get 20 distinct IPs; DEL releases; DEL is idempotent', async (t) => {
  const d = await tempDir('kubets-hl-');
  try {
    const c = conf(d.path, { ranges: [[{ subnet: '10.94.0.0/24' }]] });
    const ids = Array.from({ length: 20 }, (_, i) => `par-${i}`);
    const outs = await Promise.all(ids.map((id) => mustRun(ours.impl, 'host-local', { command: 'ADD', containerId: id, netns: NETNS }, c)));
    const ips = outs.map((o) => (o.json?.ips as { address: string }[])[0].address);
    t.is(new Set(ips).size, 20, `duplicates in ${ips.join(' ')}`);
    const onDisk = readdirSync(join(d.path, 'hlnet')).filter((f) => f.startsWith('10.'));
    t.is(onDisk.length, 20);
    for (const f of onDisk) t.regex(readFileSync(join(d.path, 'hlnet', f), 'utf8'), /^par-\d+\r\neth0$/);

    await Promise.all(ids.slice(0, 10).map((id) => mustRun(ours.impl, 'host-local', { command: 'DEL', containerId: id, netns: NETNS }, c)));
    t.is(readdirSync(join(d.path, 'hlnet')).filter((f) => f.startsWith('10.')).length, 10, 'ten released');
    const again = await runPluginExec(ours.impl, 'host-local', { command: 'DEL', containerId: 'par-0', netns: NETNS }, c);
    t.is(again.exitCode, 0, 'second DEL of the same container');
    const never = await runPluginExec(ours.impl, 'host-local', { command: 'DEL', containerId: 'never-added', netns: '' }, c);
    t.is(never.exitCode, 0, 'DEL of an unknown container, without a namespace');

    // Round robin: the next ADD continues after the last reservation instead of reusing a released IP at once.
    const next = await mustRun(ours.impl, 'host-local', { command: 'ADD', containerId: 'after', netns: NETNS }, c);
    t.is((next.json?.ips as { address: string }[])[0].address, '10.94.0.22/24');
  } finally {
    d.cleanup();
  }
});

test('host-local: the two implementations share state (a reference reservation is honoured by ours, and back)', async (t) => {
  const d = await tempDir('kubets-hl-');
  try {
    const c = conf(d.path, { ranges: [[{ subnet: '10.93.0.0/29' }]] }); // .2–.6 usable (.1 is the gateway)
    const got: string[] = [];
    for (let i = 0; i < 5; i++) {
      const impl = i % 2 === 0 ? ours.impl : reference;
      const o = await mustRun(impl, 'host-local', { command: 'ADD', containerId: `mix-${i}`, netns: NETNS }, c);
      got.push((o.json?.ips as { address: string }[])[0].address);
    }
    t.deepEqual(got, ['10.93.0.2/29', '10.93.0.3/29', '10.93.0.4/29', '10.93.0.5/29', '10.93.0.6/29']);
    const [mine, ref] = await Promise.all([
      runPluginExec(ours.impl, 'host-local', { command: 'ADD', containerId: 'full-a', netns: NETNS }, c),
      runPluginExec(reference, 'host-local', { command: 'ADD', containerId: 'full-b', netns: NETNS }, c),
    ]);
    t.deepEqual([mine.exitCode, mine.json?.code, mine.json?.msg], [ref.exitCode, ref.json?.code, ref.json?.msg], 'exhausted: same answer');
    await mustRun(reference, 'host-local', { command: 'DEL', containerId: 'mix-0', netns: NETNS }, c); // a reservation ours made
    t.false(readdirSync(join(d.path, 'hlnet')).includes('10.93.0.2'));
  } finally {
    d.cleanup();
  }
});

test('host-local: configuration errors are code 7 and name the problem', async (t) => {
  const d = await tempDir('kubets-hl-');
  try {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['no ranges', { ranges: undefined }, /no IP ranges specified/],
      ['host bits set', { ranges: [[{ subnet: '10.92.0.1/24' }]] }, /host bits set/],
      ['start outside subnet', { ranges: [[{ subnet: '10.92.0.0/24', rangeStart: '10.91.0.5' }]] }, /not in network/],
      ['too small', { ranges: [[{ subnet: '10.92.0.0/31' }]] }, /too small/],
      ['overlap', { ranges: [[{ subnet: '10.92.0.0/24' }, { subnet: '10.92.0.0/25' }]] }, /overlaps/],
    ];
    for (const [name, ipam, re] of cases) {
      const o = await runPluginExec(ours.impl, 'host-local', { command: 'ADD', containerId: 'bad', netns: NETNS }, conf(d.path, ipam));
      t.is(o.json?.code, 7, `${name}: ${o.stdout}`);
      t.regex(String(o.json?.msg), re, name);
    }
  } finally {
    d.cleanup();
  }
});
