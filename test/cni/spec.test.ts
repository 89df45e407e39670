/**
 * Unit tests of the CNI plumbing, in process: the skel's answers (codes,
 * result versions), result conversion, conflist builders, chain names, and
 * the pure parts of the plugins (host-local ranges and search order,
 * portmap rules, flannel delegate, subnet.env). Then a conflist
 * (bridge → portmap) run end to end through the conflist runner.
 */
import test from 'ava';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPlugin, type PluginFuncs } from '../../cni/spec/skel.js';
import { CniError } from '../../cni/spec/errors.js';
import { convertResult, formatResult } from '../../cni/spec/version.js';
import { buildPluginConf, addList, delList, checkList, parseConfList } from '../../cni/spec/conflist.js';
import { formatChainName, formatComment } from '../../cni/internal/chains.js';
import { parseHostLocalConf } from '../../cni/ipam/host-local/config.js';
import { dnatRules, dnatEntryRules } from '../../cni/plugins/portmap/chains.js';
import { parsePortmapConf } from '../../cni/plugins/portmap/config.js';
import { delegateConf } from '../../cni/plugins/flannel/flannel.js';
import { parseSubnetEnv } from '../../cni/plugins/flannel/subnetenv.js';
import { parseCidr } from '../../cni/spec/ip.js';
import { launcherScript } from '../../cni/install.js';
import type { CmdArgs, NetConf } from '../../cni/spec/types.js';
import { NsSet, installOurs, iptablesState, tempDir } from './harness.js';

const okFuncs: PluginFuncs = {
  add: async (a) => ({ cniVersion: '1.0.0', interfaces: [{ name: a.ifName }], ips: [{ interface: 0, address: '10.0.0.2/24', gateway: '10.0.0.1' }, { address: 'fd00::2/64' }] }),
  del: async () => undefined,
  check: async (a) => {
    if (!a.conf.prevResult) throw new CniError(7, 'no prevResult');
  },
};

function drive(env: Record<string, string | undefined>, stdin: string, funcs: PluginFuncs = okFuncs): Promise<{ code: number; out: Record<string, unknown> | undefined }> {
  let written = '';
  return runPlugin(funcs, { name: 'unit' }, { env, readStdin: () => Buffer.from(stdin), write: (s) => (written += s) }).then((code) => ({
    code,
    out: written ? (JSON.parse(written) as Record<string, unknown>) : undefined,
  }));
}

const ENV = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/x', CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin' };
const CONF = JSON.stringify({ cniVersion: '1.0.0', name: 'n', type: 'unit' });

const skelCases: { name: string; env: Record<string, string | undefined>; stdin: string; code: number; msg?: RegExp }[] = [
  { name: 'missing CNI_NETNS on ADD', env: { ...ENV, CNI_NETNS: undefined }, stdin: CONF, code: 4, msg: /\[CNI_NETNS\] missing/ },
  { name: 'several missing, all named', env: { CNI_COMMAND: 'ADD' }, stdin: CONF, code: 4, msg: /\[CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME,CNI_PATH\]/ },
  { name: 'missing CNI_COMMAND', env: { ...ENV, CNI_COMMAND: undefined }, stdin: CONF, code: 4 },
  { name: 'unknown command', env: { ...ENV, CNI_COMMAND: 'GC' }, stdin: CONF, code: 4, msg: /unknown CNI_COMMAND: GC/ },
  { name: 'bad JSON', env: ENV, stdin: '{', code: 6 },
  { name: 'no name', env: ENV, stdin: '{"cniVersion":"1.0.0"}', code: 7, msg: /missing network name/ },
  { name: 'unsupported version', env: ENV, stdin: '{"cniVersion":"0.2.0","name":"n"}', code: 1 },
  { name: 'no version (0.1.0 by the spec)', env: ENV, stdin: '{"name":"n"}', code: 1 },
  { name: 'CHECK on 0.3.1', env: { ...ENV, CNI_COMMAND: 'CHECK' }, stdin: '{"cniVersion":"0.3.1","name":"n"}', code: 1, msg: /does not allow CHECK/ },
  { name: 'interface name too long', env: { ...ENV, CNI_IFNAME: 'a-very-long-ifname' }, stdin: CONF, code: 4 },
  { name: 'bad container id', env: { ...ENV, CNI_CONTAINERID: '../x' }, stdin: CONF, code: 4 },
  { name: 'plugin error keeps its code', env: { ...ENV, CNI_COMMAND: 'CHECK' }, stdin: CONF, code: 7, msg: /no prevResult/ },
];

for (const c of skelCases) {
  test(`skel: ${c.name} → code ${c.code}, exit 1, error JSON with cniVersion`, async (t) => {
    const r = await drive(c.env, c.stdin);
    t.is(r.code, 1);
    t.is(r.out?.code, c.code);
    t.is(typeof r.out?.cniVersion, 'string');
    if (c.msg) t.regex(String(r.out?.msg), c.msg);
  });
}

test('skel: ADD prints the result in the configuration version; DEL needs no netns; a thrown Error is 999', async (t) => {
  const v1 = await drive(ENV, CONF);
  t.is(v1.code, 0);
  t.deepEqual(v1.out?.ips, [{ interface: 0, address: '10.0.0.2/24', gateway: '10.0.0.1' }, { address: 'fd00::2/64' }]);
  const v04 = await drive(ENV, JSON.stringify({ cniVersion: '0.4.0', name: 'n' }));
  t.deepEqual(v04.out?.ips, [{ version: '4', interface: 0, address: '10.0.0.2/24', gateway: '10.0.0.1' }, { version: '6', address: 'fd00::2/64' }]);
  t.is(v04.out?.cniVersion, '0.4.0');
  t.is((await drive({ ...ENV, CNI_COMMAND: 'DEL', CNI_NETNS: undefined }, CONF)).code, 0);
  const boom = await drive(ENV, CONF, { ...okFuncs, add: async () => Promise.reject(new Error('kaboom')) });
  t.deepEqual([boom.code, boom.out?.code, boom.out?.msg], [1, 999, 'kaboom']);
  const ver = await drive({ CNI_COMMAND: 'VERSION' }, 'garbage');
  t.deepEqual(ver.out, { cniVersion: '1.0.0', supportedVersions: ['0.3.0', '0.3.1', '0.4.0', '1.0.0'] });
  // prevResult arrives in the config's version and reaches the plugin in the current one.
  let seen: unknown;
  await drive({ ...ENV, CNI_COMMAND: 'CHECK' }, JSON.stringify({ cniVersion: '0.4.0', name: 'n', prevResult: { cniVersion: '0.4.0', ips: [{ version: '4', address: '10.0.0.2/24' }] } }), {
    ...okFuncs,
    check: async (a) => {
      seen = a.conf.prevResult;
    },
  });
  t.deepEqual(seen, { cniVersion: '1.0.0', ips: [{ address: '10.0.0.2/24' }] });
});

test('results: conversion both ways, empty lists omitted, dns always present', (t) => {
  const r = { cniVersion: '1.0.0', ips: [{ address: '10.1.0.2/16' }], routes: [], interfaces: [] };
  t.deepEqual(JSON.parse(formatResult(r, '0.4.0')), { cniVersion: '0.4.0', ips: [{ version: '4', address: '10.1.0.2/16' }], dns: {} });
  t.deepEqual(convertResult({ cniVersion: '0.3.1', ips: [{ version: '6', address: '::2/64' }] }, '1.0.0'), { cniVersion: '1.0.0', ips: [{ address: '::2/64' }] });
  t.throws(() => convertResult(r, '0.2.0'), { instanceOf: CniError });
});

test('conflist: name/version injected, runtimeConfig filtered by capabilities, prevResult converted', (t) => {
  const list = parseConfList(JSON.stringify({ cniVersion: '0.4.0', name: 'k8s', plugins: [{ type: 'bridge' }, { type: 'portmap', capabilities: { portMappings: true } }] }));
  const runtime = { portMappings: [{ hostPort: 80, containerPort: 8080, protocol: 'tcp' }], bandwidth: { ingressRate: 1 } };
  t.deepEqual(buildPluginConf(list, list.plugins[0], undefined, runtime), { type: 'bridge', name: 'k8s', cniVersion: '0.4.0' });
  const second = buildPluginConf(list, list.plugins[1], { cniVersion: '1.0.0', ips: [{ address: '10.0.0.2/24' }] }, runtime);
  t.deepEqual(second.runtimeConfig, { portMappings: runtime.portMappings });
  t.deepEqual(second.prevResult, { cniVersion: '0.4.0', ips: [{ version: '4', address: '10.0.0.2/24' }] });
  t.throws(() => parseConfList('{"cniVersion":"1.0.0","name":"x","plugins":[]}'), { instanceOf: CniError });
});

test('chain names and comments are the reference format (28 chars, sha512 prefix)', (t) => {
  t.is(formatChainName('xnet', 'c1'), 'CNI-3bb5526d48ba341625bd3f4b');
  t.is(formatChainName('pmnet', 'c1', 'DN-'), 'CNI-DN-0e9965f3b290e853e3753');
  t.is(formatComment('xnet', 'c1'), 'name: "xnet" id: "c1"');
});

function conf(o: Record<string, unknown>): NetConf {
  return { cniVersion: '1.0.0', name: 'n', type: 't', ...o } as NetConf;
}

test('host-local config: defaults (.1 gateway, .1 start, .254 end), legacy subnet form, requested IPs', (t) => {
  const c = parseHostLocalConf(conf({ ipam: { type: 'host-local', subnet: '10.8.0.0/24' } }), 'IgnoreUnknown=1;IP=10.8.0.9');
  const r = c.ranges[0][0];
  t.deepEqual([r.gateway.value, r.start.value, r.end.value].map((v) => Number(v & 0xffn)), [1, 1, 254]);
  t.is(c.dataDir, '/var/lib/cni/networks');
  t.is(c.requestedIps.length, 1);
  const v6 = parseHostLocalConf(conf({ ipam: { type: 'host-local', ranges: [[{ subnet: 'fd00::/120' }]] } }), '').ranges[0][0];
  t.is(Number(v6.end.value & 0xffn), 255, 'IPv6 ranges end at the last address');
});

test('portmap rules (pure): hairpin and localhost marks per mapping, hostIP narrows, IPv6 has no localhost rule', (t) => {
  const c = parsePortmapConf(conf({ runtimeConfig: { portMappings: [{ hostPort: 80, containerPort: 8080, protocol: 'tcp', hostIP: '1.2.3.4' }, { hostPort: 53, containerPort: 53, protocol: 'udp' }] } }));
  const rules = dnatRules(c, parseCidr('10.0.0.5/24'));
  t.is(rules.length, 6);
  t.deepEqual(rules[2], ['-d', '1.2.3.4', '-p', 'tcp', '-m', 'tcp', '--dport', '80', '-j', 'DNAT', '--to-destination', '10.0.0.5:8080']);
  t.deepEqual(dnatEntryRules(c.mappings, 'n', 'c', 'CNI-DN-x', false).map((r) => r[1]), ['tcp', 'udp']);
  const v6 = dnatRules(parsePortmapConf(conf({ runtimeConfig: { portMappings: [{ hostPort: 80, containerPort: 80, protocol: 'tcp' }] } })), parseCidr('fd00::5/64'));
  t.is(v6.length, 2);
  t.is(v6[1].at(-1), '[fd00::5]:80');
});

test('flannel: subnet.env parsing and the delegate configuration', (t) => {
  const env = parseSubnetEnv('FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.3.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=false\n');
  t.deepEqual(env, { network: '10.244.0.0/16', subnet: '10.244.3.0/24', mtu: 1450, ipMasq: false });
  t.throws(() => parseSubnetEnv('FLANNEL_NETWORK=10.244.0.0/16\n'), { message: /missing FLANNEL_SUBNET, FLANNEL_MTU, FLANNEL_IPMASQ/ });
  const d = delegateConf(conf({ name: 'cbr0', delegate: { type: 'bridge', mtu: 1400 }, runtimeConfig: { portMappings: [] } }), env);
  t.like(d, { type: 'bridge', mtu: 1400, ipMasq: true, isGateway: true, name: 'cbr0', runtimeConfig: { portMappings: [] } });
  t.deepEqual(d.ipam, { type: 'host-local', ranges: [[{ subnet: '10.244.3.0/24' }]], routes: [{ dst: '10.244.0.0/16' }] });
});

test('install: launchers exec this node with absolute paths, quoted', (t) => {
  t.is(launcherScript('/usr/bin/node', "/a b/it's.js"), "#!/bin/sh\n# kubets CNI plugin launcher (written by cni/install.ts)\nexec '/usr/bin/node' '/a b/it'\\''s.js' \"$@\"\n");
});

test('conflist end to end: bridge → portmap ADD (portmap DNATs to the address bridge gave), CHECK, DEL in reverse', async (t) => {
  const ours = installOurs();
  const nss = new NsSet();
  const d = await tempDir('kubets-cl-');
  try {
    const host = await nss.make();
    const cont = await nss.make();
    // A CNI_PATH whose entries run our plugins inside the throwaway host namespace.
    for (const p of ['bridge', 'host-local', 'portmap']) {
      const f = join(d.path, p);
      writeFileSync(f, `#!/bin/sh\nexec nsenter --net=${host.path} -- ${join(ours.impl.dir, p)}\n`);
      chmodSync(f, 0o755);
    }
    const list = parseConfList(
      JSON.stringify({
        cniVersion: '1.0.0',
        name: 'k8s-pod-network',
        plugins: [
          { type: 'bridge', bridge: 'ktcl0', isGateway: true, ipam: { type: 'host-local', dataDir: join(d.path, 'ipam'), ranges: [[{ subnet: '10.89.0.0/24' }]] } },
          { type: 'portmap', capabilities: { portMappings: true } },
        ],
      }),
    );
    const env = { containerId: 'cl-1', netns: cont.path, ifName: 'eth0', path: [d.path] };
    const runtime = { portMappings: [{ hostPort: 30080, containerPort: 80, protocol: 'tcp' }] };
    const result = await addList(list, env, runtime);
    const ip = String(result.ips?.[0].address).split('/')[0];
    t.is(ip, '10.89.0.2');
    t.true((await iptablesState(host)).some((l) => l.endsWith(`--to-destination ${ip}:80`)));
    await t.notThrowsAsync(checkList(list, env, result, runtime));
    await delList(list, env, result, runtime);
    t.false((await iptablesState(host)).some((l) => l.includes('CNI-DN-')));
  } finally {
    await nss.destroy();
    d.cleanup();
    ours.cleanup();
  }
});

// Keep the CmdArgs type referenced for readers: plugins receive exactly this.
export type { CmdArgs };
