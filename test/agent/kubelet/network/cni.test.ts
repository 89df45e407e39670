// CNI machinery without a kernel: configuration files, result parsing, and
// the plugin chain run against tiny shell-script plugins that record what
// they were given (ADD in order with prevResult, DEL in reverse, errors).
import test from 'ava';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefaultNetwork, parseConf } from '../../../../agent/kubelet/network/cni/conf.js';
import { CniError } from '../../../../agent/kubelet/network/cni/exec.js';
import { CniNetwork } from '../../../../agent/kubelet/network/cni/network.js';
import { cidrContains, ipsFromResult } from '../../../../agent/kubelet/network/cni/result.js';
import { kubenetConfig, kubenetRules } from '../../../../agent/kubelet/network/kubenet.js';

test('conf: a .conf is a list of one; .conflist keeps its plugins; bad files are skipped with a reason', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-cni-conf-'));
  try {
    await writeFile(join(dir, '05-bad.conf'), '{not json');
    await writeFile(join(dir, '10-net.conf'), JSON.stringify({ cniVersion: '0.4.0', name: 'net', type: 'bridge', bridge: 'br0' }));
    await writeFile(join(dir, '20-list.conflist'), JSON.stringify({ cniVersion: '1.0.0', name: 'lst', plugins: [{ type: 'bridge' }, { type: 'portmap' }] }));
    const r = loadDefaultNetwork(dir);
    t.is(r.file, join(dir, '10-net.conf'));
    t.deepEqual(r.conf, { cniVersion: '0.4.0', name: 'net', plugins: [{ type: 'bridge', bridge: 'br0' }] });
    t.is(r.skipped.length, 1);
    t.deepEqual(parseConf(JSON.stringify({ cniVersion: '1.0.0', name: 'lst', plugins: [{ type: 'a' }] }), 'x.conflist').plugins, [{ type: 'a' }]);
    t.throws(() => parseConf('{"name":"x","plugins":[]}', 'x.conflist'), { message: /no plugins/ });
    t.deepEqual(loadDefaultNetwork(join(dir, 'missing')).conf, undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('results: pod IPs from 1.0.0 / 0.4.0 / 0.2.0 results', (t) => {
  t.deepEqual(ipsFromResult({ cniVersion: '1.0.0', interfaces: [{ name: 'br0' }, { name: 'veth' }, { name: 'eth0', sandbox: '/proc/1/ns/net' }], ips: [{ address: '10.1.0.7/24', interface: 2 }] }), ['10.1.0.7']);
  t.deepEqual(ipsFromResult({ cniVersion: '0.4.0', ips: [{ version: '4', address: '10.2.0.3/16' }] }), ['10.2.0.3']);
  t.deepEqual(ipsFromResult({ cniVersion: '0.2.0', ip4: { ip: '10.3.0.4/24' } }), ['10.3.0.4']);
  t.deepEqual(ipsFromResult(undefined), []);
  t.true(cidrContains('10.244.3.0/24', '10.244.3.77'));
  t.false(cidrContains('10.244.3.0/24', '10.244.4.1'));
});

test('kubenet: the generated conflist and the node rules', (t) => {
  const conf = kubenetConfig({ bridge: 'kt-cbr-x', ipamDataDir: '/r/ipam', hairpinMode: 'hairpin-veth' }, '10.244.1.0/24');
  t.is(conf.cniVersion, '1.0.0');
  t.like(conf.plugins[0], { type: 'bridge', bridge: 'kt-cbr-x', isGateway: true, hairpinMode: true, promiscMode: false, ipam: { type: 'host-local', ranges: [[{ subnet: '10.244.1.0/24' }]], dataDir: '/r/ipam' } });
  t.like(conf.plugins[1], { type: 'portmap', capabilities: { portMappings: true } });
  const rules = kubenetRules({ bridge: 'kt-cbr-x', nonMasqueradeCIDR: '10.0.0.0/8' }, '10.244.1.0/24');
  t.deepEqual(rules[0].args.slice(0, 4), ['-s', '10.244.1.0/24', '!', '-d']);
  t.is(rules.length, 3);
});

/** A plugin that logs `<name> <command> <prevResult ip or ->` and answers a result with its own IP, or fails. */
async function fakePlugin(dir: string, name: string, ip: string, fail = false): Promise<void> {
  const script = `#!/bin/sh
input=$(cat)
prev=$(echo "$input" | grep -o '"address":"[^"]*"' | cut -d'"' -f4)
rc=$(echo "$input" | grep -o '"runtimeConfig":{[^}]*}' | head -c 60)
echo "${name} $CNI_COMMAND \${prev:--} $CNI_IFNAME \${rc:-none}" >> ${join(dir, 'log')}
${fail ? `echo '{"cniVersion":"1.0.0","code":7,"msg":"bad config","details":"from ${name}"}'; exit 1` : `[ "$CNI_COMMAND" = ADD ] && echo '{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"'"$CNI_NETNS"'"}],"ips":[{"address":"${ip}/24","interface":0}]}'`}
exit 0
`;
  await writeFile(join(dir, name), script);
  await chmod(join(dir, name), 0o755);
}

test('the chain: ADD in order with prevResult and runtimeConfig for capable plugins; CHECK; DEL in reverse', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-cni-bin-'));
  try {
    await fakePlugin(dir, 'first', '10.9.0.2');
    await fakePlugin(dir, 'second', '10.9.0.3');
    const net = new CniNetwork({ cniVersion: '1.0.0', name: 'n', plugins: [{ type: 'first' }, { type: 'second', capabilities: { portMappings: true } }] }, [join(dir, 'nowhere'), dir]);
    const rt = { containerId: 'abc', netns: '/proc/1/ns/net', ifName: 'eth0', args: [['K8S_POD_NAME', 'p'] as [string, string]], capabilityArgs: { portMappings: [{ hostPort: 80, containerPort: 8080, protocol: 'tcp' }] } };
    const result = await net.add(rt);
    t.deepEqual(ipsFromResult(result), ['10.9.0.3']);
    await net.check(rt, result);
    await net.del(rt, result);
    const log = (await readFile(join(dir, 'log'), 'utf8')).trim().split('\n');
    t.deepEqual(
      log.map((l) => l.split(' ').slice(0, 3).join(' ')),
      ['first ADD -', 'second ADD 10.9.0.2/24', 'first CHECK 10.9.0.3/24', 'second CHECK 10.9.0.3/24', 'second DEL 10.9.0.3/24', 'first DEL 10.9.0.3/24'],
    );
    t.true(log[1].includes('"runtimeConfig":{"portMappings"'), 'capability passed to the capable plugin');
    t.true(log[0].endsWith('none'), 'not to the others');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a failing plugin: the spec error code and message; DEL still runs every plugin', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-cni-bin-'));
  try {
    await fakePlugin(dir, 'ok', '10.9.0.2');
    await fakePlugin(dir, 'broken', '0', true);
    const net = new CniNetwork({ cniVersion: '0.4.0', name: 'n', plugins: [{ type: 'ok' }, { type: 'broken' }] }, [dir]);
    const rt = { containerId: 'abc', netns: '', ifName: 'eth0', args: [], capabilityArgs: {} };
    const e = await t.throwsAsync(net.add(rt), { instanceOf: CniError });
    t.is(e?.cniCode, 7);
    t.is(e?.message, 'plugin type="broken" failed (add): bad config: from broken');
    await t.throwsAsync(net.del(rt, undefined), { instanceOf: CniError });
    const log = (await readFile(join(dir, 'log'), 'utf8')).trim().split('\n').map((l) => l.split(' ').slice(0, 2).join(' '));
    t.deepEqual(log, ['ok ADD', 'broken ADD', 'broken DEL', 'ok DEL']);
    const missing = new CniNetwork({ cniVersion: '0.4.0', name: 'n', plugins: [{ type: 'nope' }] }, [dir]);
    await t.throwsAsync(missing.add(rt), { message: /failed to find plugin "nope"/ });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
