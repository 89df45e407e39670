/**
 * bridge (+ host-local IPAM) conformance: the same ADD/CHECK/DEL sequence
 * against our plugins and the reference plugins, each in its own throwaway
 * host namespace with its own container namespaces; results and kernel
 * state (addresses, routes, bridge ports, nat rules) must match once
 * normalised. Then traffic: two containers ping each other across our
 * bridge, and through the gateway.
 */
import test from 'ava';
import { readdirSync } from 'node:fs';
import {
  NsSet,
  addrState,
  installOurs,
  iptablesState,
  mustRun,
  normalize,
  ping,
  portState,
  reference,
  routeState,
  runPluginExec,
  tempDir,
  type Impl,
} from './harness.js';

const ours = installOurs();
test.after.always(() => ours.cleanup());

function bridgeConf(dataDir: string, version = '1.0.0'): Record<string, unknown> {
  return {
    cniVersion: version,
    name: 'ktnet',
    type: 'bridge',
    bridge: 'ktbr0',
    isGateway: true,
    isDefaultGateway: true,
    ipMasq: true,
    hairpinMode: true,
    mtu: 1400,
    ipam: {
      type: 'host-local',
      dataDir,
      ranges: [[{ subnet: '10.99.0.0/24', rangeStart: '10.99.0.10', rangeEnd: '10.99.0.50' }]],
      // An explicit gw: the reference CHECK (1.1.1) fails routes without one.
      routes: [{ dst: '10.98.0.0/16', gw: '10.99.0.1' }],
    },
  };
}

interface Trace {
  add: unknown;
  afterAdd: Record<string, unknown>;
  check: number;
  checkMsg: unknown;
  del: number;
  afterDel: Record<string, unknown>;
  delAgain: number;
  delNoNetns: number;
  files: { afterAdd: string[]; afterDel: string[] };
}

async function sequence(impl: Impl, version: string, tweak: Record<string, unknown> = {}): Promise<Trace> {
  const nss = new NsSet();
  const data = await tempDir('kubets-cni-data-');
  try {
    const host = await nss.make();
    const cont = await nss.make();
    const conf = { ...bridgeConf(data.path, version), ...tweak };
    const inv = { containerId: 'ctr-1', netns: cont.path, ifName: 'eth0', hostNs: host.path };
    const add = await mustRun(impl, 'bridge', { ...inv, command: 'ADD' }, conf);
    const snapshot = async (): Promise<Record<string, unknown>> => ({
      hostAddrs: await addrState(host),
      hostRoutes: await routeState(host),
      ports: await portState(host),
      nat: await iptablesState(host),
      contAddrs: await addrState(cont),
      contRoutes: await routeState(cont),
    });
    const files = (): string[] => readdirSync(`${data.path}/ktnet`).sort();
    const afterAdd = await snapshot();
    const filesAfterAdd = files();
    const check = await runPluginExec(impl, 'bridge', { ...inv, command: 'CHECK' }, { ...conf, prevResult: add.json });
    const del = await runPluginExec(impl, 'bridge', { ...inv, command: 'DEL' }, conf);
    const afterDel = await snapshot();
    const delAgain = await runPluginExec(impl, 'bridge', { ...inv, command: 'DEL' }, conf);
    const delNoNetns = await runPluginExec(impl, 'bridge', { ...inv, netns: '/run/netns/ktcni-gone', command: 'DEL' }, conf);
    return {
      add: normalize(add.json, { [cont.path]: '<netns>' }),
      afterAdd,
      check: check.exitCode,
      checkMsg: check.json,
      del: del.exitCode,
      afterDel,
      delAgain: delAgain.exitCode,
      delNoNetns: delNoNetns.exitCode,
      files: { afterAdd: filesAfterAdd, afterDel: files() },
    };
  } finally {
    await nss.destroy();
    data.cleanup();
  }
}

const variants: { name: string; version: string; tweak: Record<string, unknown> }[] = [
  { name: '1.0.0', version: '1.0.0', tweak: {} },
  { name: '0.4.0', version: '0.4.0', tweak: {} },
  { name: '1.0.0 promiscMode, no hairpin, no masquerade, default MTU', version: '1.0.0', tweak: { promiscMode: true, hairpinMode: false, ipMasq: false, mtu: undefined } },
];

for (const { name, version, tweak } of variants) {
  test(`bridge ${name}: ADD/CHECK/DEL match the reference (result, addresses, routes, ports, nat rules, IPAM files)`, async (t) => {
    const [mine, ref] = await Promise.all([sequence(ours.impl, version, tweak), sequence(reference, version, tweak)]);
    t.log('ADD result (normalised):', JSON.stringify(mine.add));
    t.log('after ADD:', JSON.stringify(mine.afterAdd));
    t.deepEqual(mine.add, ref.add, 'ADD result');
    for (const k of Object.keys(ref.afterAdd)) t.deepEqual(mine.afterAdd[k], ref.afterAdd[k], `after ADD: ${k}`);
    t.is(mine.check, 0, `our CHECK: ${JSON.stringify(mine.checkMsg)}`);
    t.is(ref.check, 0, `reference CHECK: ${JSON.stringify(ref.checkMsg)}`);
    t.is(mine.del, 0);
    for (const k of Object.keys(ref.afterDel)) t.deepEqual(mine.afterDel[k], ref.afterDel[k], `after DEL: ${k}`);
    t.deepEqual(mine.files, ref.files, 'host-local files');
    t.deepEqual([mine.delAgain, mine.delNoNetns], [0, 0], 'DEL is idempotent, also without the namespace');
    t.deepEqual([ref.delAgain, ref.delNoNetns], [0, 0]);
    // Sanity: the comparison compared something.
    t.is(JSON.stringify(mine.afterAdd.nat).includes('MASQUERADE'), tweak.ipMasq !== false);
    t.is(JSON.stringify(mine.afterAdd.ports).includes('"hairpin":true'), tweak.hairpinMode !== false);
    t.is(JSON.stringify(mine.afterAdd.hostAddrs).includes('"promisc":true'), tweak.promiscMode === true);
  });
}

test('bridge: two containers ping each other and the gateway across our bridge; L2-only mode (no IPAM) works', async (t) => {
  const nss = new NsSet();
  const data = await tempDir('kubets-cni-data-');
  try {
    const host = await nss.make();
    const [a, b] = [await nss.make(), await nss.make()];
    const conf = bridgeConf(data.path);
    const ra = await mustRun(ours.impl, 'bridge', { command: 'ADD', containerId: 'ping-a', netns: a.path, hostNs: host.path }, conf);
    const rb = await mustRun(ours.impl, 'bridge', { command: 'ADD', containerId: 'ping-b', netns: b.path, hostNs: host.path }, conf);
    const ipOf = (r: typeof ra): string => String((r.json?.ips as { address: string }[])[0].address).split('/')[0];
    t.not(ipOf(ra), ipOf(rb));
    t.true(await ping(a, ipOf(rb)), `a → b (${ipOf(rb)})`);
    t.true(await ping(b, ipOf(ra)), `b → a (${ipOf(ra)})`);
    t.true(await ping(a, '10.99.0.1'), 'a → gateway on the bridge');
    for (const [id, ns] of [['ping-a', a], ['ping-b', b]] as const) {
      await mustRun(ours.impl, 'bridge', { command: 'DEL', containerId: id, netns: ns.path, hostNs: host.path }, conf);
    }
    t.deepEqual(await iptablesState(host).then((l) => l.filter((x) => x.includes('CNI-'))), [], 'no CNI chains left');

    const l2 = await nss.make();
    const l2conf = { cniVersion: '1.0.0', name: 'ktl2', type: 'bridge', bridge: 'ktl2br' };
    const r = await mustRun(ours.impl, 'bridge', { command: 'ADD', containerId: 'l2', netns: l2.path, hostNs: host.path }, l2conf);
    t.deepEqual((r.json?.interfaces as unknown[]).length, 3);
    t.is(r.json?.ips, undefined);
    await mustRun(ours.impl, 'bridge', { command: 'DEL', containerId: 'l2', netns: l2.path, hostNs: host.path }, l2conf);
  } finally {
    await nss.destroy();
    data.cleanup();
  }
});

test('bridge: DEL after the namespace is gone still removes the masquerade chain (the reference leaks it)', async (t) => {
  const nss = new NsSet();
  const data = await tempDir('kubets-cni-data-');
  try {
    const host = await nss.make();
    const cont = await nss.make();
    const conf = bridgeConf(data.path);
    const inv = { containerId: 'gone-1', netns: cont.path, hostNs: host.path };
    await mustRun(ours.impl, 'bridge', { ...inv, command: 'ADD' }, conf);
    t.true((await iptablesState(host)).some((l) => l.includes('MASQUERADE')));
    await cont.destroy();
    await mustRun(ours.impl, 'bridge', { ...inv, command: 'DEL' }, conf);
    t.deepEqual((await iptablesState(host)).filter((l) => l.includes('CNI-')), []);
    t.deepEqual(readdirSync(`${data.path}/ktnet`).filter((f) => f.startsWith('10.')), [], 'IP released');
  } finally {
    await nss.destroy();
    data.cleanup();
  }
});

test('bridge: error answers match the reference (code per case)', async (t) => {
  const nss = new NsSet();
  const data = await tempDir('kubets-cni-data-');
  try {
    const host = await nss.make();
    const cont = await nss.make();
    const conf = bridgeConf(data.path);
    const base = { containerId: 'err-1', netns: cont.path, hostNs: host.path };
    const cases: { name: string; inv: Parameters<typeof runPluginExec>[2]; conf: unknown; code: number }[] = [
      { name: 'ADD without CNI_NETNS', inv: { ...base, command: 'ADD', env: { CNI_NETNS: undefined } }, conf, code: 4 },
      { name: 'unknown CNI_COMMAND', inv: { ...base, command: 'ADD', env: { CNI_COMMAND: 'FOO' } }, conf, code: 4 },
      { name: 'unsupported cniVersion', inv: { ...base, command: 'ADD' }, conf: { ...conf, cniVersion: '9.9.9' }, code: 1 },
      { name: 'bad JSON', inv: { ...base, command: 'ADD' }, conf: '{"cniVersion":"1.0.0",', code: 6 },
      { name: 'no network name', inv: { ...base, command: 'ADD' }, conf: { ...conf, name: undefined }, code: 7 },
      { name: 'CHECK without prevResult', inv: { ...base, command: 'CHECK' }, conf, code: 999 },
      { name: 'ADD into a namespace that does not exist', inv: { ...base, command: 'ADD', netns: '/run/netns/ktcni-nope' }, conf, code: 999 },
    ];
    for (const c of cases) {
      const [m, r] = await Promise.all([runPluginExec(ours.impl, 'bridge', c.inv, c.conf), runPluginExec(reference, 'bridge', c.inv, c.conf)]);
      t.is(r.json?.code, c.code, `reference: ${c.name}: ${r.stdout}`);
      t.is(m.json?.code, c.code, `ours: ${c.name}: ${m.stdout}`);
      t.is(m.exitCode, 1, c.name);
      t.is(typeof m.json?.msg, 'string');
      t.is(m.json?.cniVersion !== undefined, true, 'our error JSON carries cniVersion (SPEC.md)');
    }
    // The container interface name taken: both refuse, neither touches the existing link.
    await mustRun(ours.impl, 'bridge', { ...base, command: 'ADD' }, conf);
    const again = await runPluginExec(ours.impl, 'bridge', { ...base, command: 'ADD', containerId: 'err-2' }, conf);
    t.is(again.json?.code, 999);
    t.regex(String(again.json?.msg), /already exists/);
    t.deepEqual(readdirSync(`${data.path}/ktnet`).filter((f) => f.startsWith('10.')).length, 1, 'the failed ADD gave its IP back');
    await mustRun(ours.impl, 'bridge', { ...base, command: 'DEL' }, conf);
  } finally {
    await nss.destroy();
    data.cleanup();
  }
});
