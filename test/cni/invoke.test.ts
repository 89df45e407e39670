// Delegation in this process: only our own launcher of a registered plugin runs
// in-process (same skel: env, stdin, result, errors); anything else is exec'd.
import test from 'ava';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launcherScript } from '../../cni/install.js';
import { CniCode, CniError } from '../../cni/spec/errors.js';
import { invokeAdd, invokeNoResult, runInProcess } from '../../cni/spec/invoke.js';
import type { CmdArgs } from '../../cni/spec/types.js';

const seen: { command: string; containerId: string; ifName: string; type: unknown }[] = [];
const ENTRY = '/nonexistent/kubets/dist/cni/ipam/fake-ipam/main.js';
runInProcess(
  ENTRY,
  {
    add: async (a: CmdArgs) => {
      seen.push({ command: a.command, containerId: a.containerId, ifName: a.ifName, type: a.conf.type });
      if (a.containerId === 'bad') throw new CniError(CniCode.InvalidNetworkConfig, 'no range left', 'subnet 10.9.0.0/30');
      return { cniVersion: a.conf.cniVersion, ips: [{ address: '10.9.0.2/24', gateway: '10.9.0.1' }] };
    },
    del: async (a: CmdArgs) => {
      seen.push({ command: a.command, containerId: a.containerId, ifName: a.ifName, type: a.conf.type });
    },
    check: async () => undefined,
  },
  { name: 'fake-ipam' },
);

async function binDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-invoke-'));
  for (const [name, text] of Object.entries(files)) {
    await writeFile(join(dir, name), text);
    await chmod(join(dir, name), 0o755);
  }
  return dir;
}

const conf = JSON.stringify({ cniVersion: '1.0.0', name: 'n', type: 'fake-ipam' });
const env = (dir: string, containerId = 'c1') => ({ containerId, netns: '/proc/self/ns/net', ifName: 'eth0', path: [dir] });

test('our launcher of a registered plugin runs in this process, with the env and stdin a child would get', async (t) => {
  const dir = await binDir({ 'fake-ipam': launcherScript('/usr/bin/node', ENTRY) });
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  seen.length = 0;
  const r = await invokeAdd('fake-ipam', env(dir), conf);
  t.deepEqual(r.ips?.[0], { address: '10.9.0.2/24', gateway: '10.9.0.1' });
  await invokeNoResult('fake-ipam', { ...env(dir), command: 'DEL' }, conf);
  t.deepEqual(seen, [
    { command: 'ADD', containerId: 'c1', ifName: 'eth0', type: 'fake-ipam' },
    { command: 'DEL', containerId: 'c1', ifName: 'eth0', type: 'fake-ipam' },
  ]);
});

test("an in-process delegate's error comes back as the delegate's CNI error", async (t) => {
  const dir = await binDir({ 'fake-ipam': launcherScript('/usr/bin/node', ENTRY) });
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const e = await t.throwsAsync(invokeAdd('fake-ipam', env(dir, 'bad'), conf));
  t.true(e instanceof CniError);
  t.is((e as CniError).code, CniCode.InvalidNetworkConfig);
  t.is(e?.message, 'no range left');
});

test('anything else is exec\'d: another entry point, or a file that is not our launcher', async (t) => {
  // Our launcher's shape, but of another build's entry point: answers before its exec line.
  const other = launcherScript('/usr/bin/node', '/elsewhere/dist/cni/ipam/fake-ipam/main.js').replace(/^exec /m, `echo '{"cniVersion":"1.0.0","ips":[{"address":"10.7.0.9/24"}]}'; exit 0\nexec `);
  const script = `#!/bin/sh\necho '{"cniVersion":"1.0.0","ips":[{"address":"10.8.0.9/24"}]}'\n`;
  for (const [name, text, want] of [
    ['launcher of an unregistered entry', other, '10.7.0.9/24'],
    ['a plain executable', script, '10.8.0.9/24'],
  ] as const) {
    const dir = await binDir({ 'fake-ipam': text });
    seen.length = 0;
    const r = await invokeAdd('fake-ipam', env(dir), conf);
    await rm(dir, { recursive: true, force: true });
    t.is(r.ips?.[0]?.address, want, name);
    t.is(seen.length, 0, name);
  }
});
