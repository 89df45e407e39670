/**
 * loopback, portmap and flannel against the reference, in throwaway
 * namespaces. Debian ships no flannel plugin, so flannel is compared with
 * what it stands for: the reference bridge + host-local run with the
 * delegate configuration the reference flannel plugin would write.
 */
import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NsSet, addrState, installOurs, iptablesState, mustRun, normalize, reference, routeState, runPluginExec, tempDir, type Impl } from './harness.js';

const ours = installOurs();
test.after.always(() => ours.cleanup());

async function loopbackSequence(impl: Impl, version: string): Promise<Record<string, unknown>> {
  const nss = new NsSet();
  try {
    const ns = await nss.make();
    // The harness brings lo up; start from the state a fresh sandbox has.
    await ns.exec('ip', ['link', 'set', 'lo', 'down']);
    const conf = { cniVersion: version, name: 'lo', type: 'loopback' };
    const inv = { containerId: 'lo-1', netns: ns.path, ifName: 'lo' };
    const add = await mustRun(impl, 'loopback', { ...inv, command: 'ADD' }, conf);
    const afterAdd = await addrState(ns);
    const check = await runPluginExec(impl, 'loopback', { ...inv, command: 'CHECK' }, conf);
    const del = await runPluginExec(impl, 'loopback', { ...inv, command: 'DEL' }, conf);
    const afterDel = await addrState(ns);
    const checkDown = await runPluginExec(impl, 'loopback', { ...inv, command: 'CHECK' }, conf);
    const delGone = await runPluginExec(impl, 'loopback', { ...inv, netns: '/run/netns/ktcni-gone', command: 'DEL' }, conf);
    const chained = await mustRun(impl, 'loopback', { ...inv, command: 'ADD' }, { ...conf, prevResult: { cniVersion: version, ips: [{ address: '10.1.2.3/24', ...(version === '0.4.0' ? { version: '4' } : {}) }] } });
    return {
      // Reference quirk: its 0.4.0 loopback result omits ips[].version, which 0.4.0 requires; we write it.
      add: normalize(add.json, { [ns.path]: '<netns>' }),
      afterAdd,
      check: check.exitCode,
      del: del.exitCode,
      afterDel,
      checkDown: [checkDown.exitCode, checkDown.json?.code, checkDown.json?.msg],
      delGone: delGone.exitCode,
      chained: chained.json,
    };
  } finally {
    await nss.destroy();
  }
}

for (const version of ['1.0.0', '0.4.0']) {
  test(`loopback ${version}: ADD/CHECK/DEL match the reference`, async (t) => {
    const [mine, ref] = await Promise.all([loopbackSequence(ours.impl, version), loopbackSequence(reference, version)]);
    t.log(JSON.stringify(mine));
    if (version === '0.4.0') {
      const strip = (r: unknown): unknown => JSON.parse(JSON.stringify(r).replaceAll('"version":"4",', '').replaceAll('"version":"6",', ''));
      t.deepEqual(strip(mine.add), strip(ref.add), 'add (modulo the reference omitting ips[].version)');
      t.true(JSON.stringify(mine.add).includes('"version":"4"'));
    }
    for (const k of Object.keys(ref)) if (version !== '0.4.0' || k !== 'add') t.deepEqual(mine[k], ref[k], k);
  });
}

const PORT_MAPPINGS = [
  { hostPort: 8080, containerPort: 80, protocol: 'tcp' },
  { hostPort: 8053, containerPort: 53, protocol: 'udp' },
  { hostPort: 9090, containerPort: 90, protocol: 'tcp', hostIP: '192.168.9.1' },
];

function portmapConf(netns: string, mappings: unknown[] = PORT_MAPPINGS): Record<string, unknown> {
  return {
    cniVersion: '1.0.0',
    name: 'pmnet',
    type: 'portmap',
    capabilities: { portMappings: true },
    runtimeConfig: { portMappings: mappings },
    prevResult: {
      cniVersion: '1.0.0',
      interfaces: [{ name: 'cni0', mac: '0a:00:00:00:00:01' }, { name: 'veth0123abcd', mac: '0a:00:00:00:00:02' }, { name: 'eth0', mac: '0a:00:00:00:00:03', sandbox: netns }],
      ips: [{ interface: 2, address: '10.90.0.5/24', gateway: '10.90.0.1' }],
      routes: [],
      dns: {},
    },
  };
}

async function portmapSequence(impl: Impl): Promise<Record<string, unknown>> {
  const nss = new NsSet();
  try {
    const host = await nss.make();
    const cont = await nss.make();
    const inv = { containerId: 'pm-1', netns: cont.path, hostNs: host.path };
    const conf = portmapConf(cont.path);
    const add = await mustRun(impl, 'portmap', { ...inv, command: 'ADD' }, conf);
    const afterAdd = await iptablesState(host);
    const add2 = await mustRun(impl, 'portmap', { ...inv, containerId: 'pm-2', command: 'ADD' }, portmapConf(cont.path, [{ hostPort: 7070, containerPort: 70, protocol: 'tcp' }]));
    const afterAdd2 = await iptablesState(host);
    const check = await runPluginExec(impl, 'portmap', { ...inv, command: 'CHECK' }, conf);
    const del = await runPluginExec(impl, 'portmap', { ...inv, command: 'DEL' }, conf);
    const afterDel = await iptablesState(host);
    const delAgain = await runPluginExec(impl, 'portmap', { ...inv, command: 'DEL' }, conf);
    const noMappings = await mustRun(impl, 'portmap', { ...inv, containerId: 'pm-3', command: 'ADD' }, portmapConf(cont.path, []));
    await mustRun(impl, 'portmap', { ...inv, containerId: 'pm-2', command: 'DEL' }, portmapConf(cont.path, [{ hostPort: 7070, containerPort: 70, protocol: 'tcp' }]));
    const afterAll = await iptablesState(host);
    return { add: normalize(add.json, { [cont.path]: '<netns>' }), add2: add2.json !== undefined, afterAdd, afterAdd2, check: [check.exitCode, check.json?.msg], del: del.exitCode, afterDel, delAgain: delAgain.exitCode, noMappings: normalize(noMappings.json, { [cont.path]: '<netns>' }), afterAll };
  } finally {
    await nss.destroy();
  }
}

test('portmap: ADD/DEL match the reference rule for rule (chains, jumps, DNAT, hairpin and localhost marks); shared chains stay', async (t) => {
  const [mine, ref] = await Promise.all([portmapSequence(ours.impl), portmapSequence(reference)]);
  t.log(JSON.stringify(mine.afterAdd2, null, 1));
  for (const k of Object.keys(ref)) {
    if (k === 'check') continue;
    t.deepEqual(mine[k], ref[k], k);
  }
  t.deepEqual(mine.check, [0, undefined], 'our CHECK passes');
  // The reference 1.1.1 CHECK also looks for an IPv6 chain it never made and fails; ours checks the families it used.
  t.is((ref.check as unknown[])[0], 1);
  t.true((mine.afterAdd as string[]).some((l) => l.includes('--to-destination 10.90.0.5:80')));
  t.false((mine.afterDel as string[]).some((l) => l.includes('pm-1') || l.includes('10.90.0.5:80')), 'pm-1 chain and jumps gone');
  t.true((mine.afterDel as string[]).some((l) => l.includes('10.90.0.5:70')), 'pm-2 untouched');
});

test('portmap: a chained plugin needs prevResult (7); bad mappings are 7', async (t) => {
  const nss = new NsSet();
  try {
    const host = await nss.make();
    const inv = { command: 'ADD' as const, containerId: 'pm-x', netns: host.path, hostNs: host.path };
    const { prevResult: _omit, ...noPrev } = portmapConf(host.path);
    const a = await runPluginExec(ours.impl, 'portmap', inv, noPrev);
    t.is(a.json?.code, 7, a.stdout);
    const b = await runPluginExec(ours.impl, 'portmap', inv, portmapConf(host.path, [{ hostPort: 0, containerPort: 80 }]));
    t.is(b.json?.code, 7, b.stdout);
    const c = await runPluginExec(ours.impl, 'portmap', inv, portmapConf(host.path, [{ hostPort: 80, containerPort: 80, protocol: 'icmp' }]));
    t.is(c.json?.code, 7, c.stdout);
  } finally {
    await nss.destroy();
  }
});

test('flannel: delegates to bridge + host-local with the node subnet and MTU, saves the delegate config, DEL uses it (equal to the reference bridge run directly)', async (t) => {
  const nss = new NsSet();
  const d = await tempDir('kubets-flannel-');
  try {
    const subnetFile = join(d.path, 'subnet.env');
    writeFileSync(subnetFile, 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.7.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n');
    const flannelConf = {
      cniVersion: '1.0.0',
      name: 'cbr0',
      type: 'flannel',
      subnetFile,
      dataDir: join(d.path, 'flannel'),
      delegate: { bridge: 'ktfl0', hairpinMode: true, isDefaultGateway: true },
      ipam: { dataDir: join(d.path, 'ipam-ours') },
    };
    // What the reference flannel plugin writes for the same input (its delegate defaults).
    const expectedDelegate = {
      bridge: 'ktfl0',
      hairpinMode: true,
      isDefaultGateway: true,
      type: 'bridge',
      ipMasq: false,
      mtu: 1450,
      isGateway: true,
      ipam: { dataDir: join(d.path, 'ipam-ours'), type: 'host-local', ranges: [[{ subnet: '10.244.7.0/24' }]], routes: [{ dst: '10.244.0.0/16' }] },
      name: 'cbr0',
      cniVersion: '1.0.0',
    };
    const [h1, c1, h2, c2] = [await nss.make(), await nss.make(), await nss.make(), await nss.make()];
    const inv = { containerId: 'fl-1', netns: c1.path, hostNs: h1.path };
    const add = await mustRun(ours.impl, 'flannel', { ...inv, command: 'ADD' }, flannelConf);
    const saved = JSON.parse(readFileSync(join(d.path, 'flannel', 'fl-1'), 'utf8')) as unknown;
    t.deepEqual(saved, expectedDelegate, 'saved delegate config');

    const refConf = { ...expectedDelegate, ipam: { ...expectedDelegate.ipam, dataDir: join(d.path, 'ipam-ref') } };
    const refAdd = await mustRun(reference, 'bridge', { containerId: 'fl-1', netns: c2.path, hostNs: h2.path, command: 'ADD' }, refConf);
    t.deepEqual(normalize(add.json, { [c1.path]: '<netns>' }), normalize(refAdd.json, { [c2.path]: '<netns>' }), 'ADD result');
    t.deepEqual(await addrState(c1), await addrState(c2), 'container addresses (MTU 1450, the lease)');
    t.deepEqual(await routeState(c1), await routeState(c2), 'container routes (the flannel network via the gateway, default)');
    t.deepEqual(await addrState(h1), await addrState(h2), 'host: bridge with the gateway address');
    t.deepEqual(await iptablesState(h1), await iptablesState(h2), 'no masquerade: flanneld does it (FLANNEL_IPMASQ=true)');

    const check = await runPluginExec(ours.impl, 'flannel', { ...inv, command: 'CHECK' }, { ...flannelConf, prevResult: add.json });
    t.is(check.exitCode, 0, check.stdout);
    // subnet.env gone (flanneld restarting): DEL still works from the saved config.
    writeFileSync(subnetFile, '');
    await mustRun(ours.impl, 'flannel', { ...inv, command: 'DEL' }, flannelConf);
    t.false(existsSync(join(d.path, 'flannel', 'fl-1')), 'saved config removed');
    t.deepEqual((await addrState(c1) as { ifname: string }[]).map((l) => l.ifname), ['lo'], 'container interface gone');
    t.is((await runPluginExec(ours.impl, 'flannel', { ...inv, command: 'DEL' }, flannelConf)).exitCode, 0, 'idempotent DEL');
    const noEnv = await runPluginExec(ours.impl, 'flannel', { ...inv, containerId: 'fl-2', command: 'ADD' }, { ...flannelConf, subnetFile: join(d.path, 'missing.env') });
    t.is(noEnv.json?.code, 5, noEnv.stdout);
    await mustRun(reference, 'bridge', { containerId: 'fl-1', netns: c2.path, hostNs: h2.path, command: 'DEL' }, refConf);
  } finally {
    await nss.destroy();
    d.cleanup();
  }
});

test('VERSION: every plugin answers with its supported versions, whatever stdin holds', async (t) => {
  for (const p of ['bridge', 'host-local', 'loopback', 'portmap', 'flannel']) {
    const o = await mustRun(ours.impl, p, { command: 'VERSION' }, 'not json');
    t.deepEqual(o.json, { cniVersion: '1.0.0', supportedVersions: ['0.3.0', '0.3.1', '0.4.0', '1.0.0'] }, p);
  }
});
