/**
 * native/netns against the real kernel: named namespaces made like `ip netns
 * add` (and visible to it), withNetns switching the JS thread and always
 * switching back, sockets opened inside staying bound to the namespace.
 */
import test from 'ava';
import { execa } from 'execa';
import { readlinkSync } from 'node:fs';
import { createNetNs } from '../../harness/netns.js';
import { uniqueSuffix } from '../../harness/exec.js';
import {
  NetnsError,
  createNamedNetns,
  currentNetns,
  deleteNamedNetns,
  listNamedNetns,
  openNetns,
  openNetnsOfPid,
  withNetns,
} from '../../../native/netns/index.js';
import { NetlinkSocket } from '../../../native/rtnetlink/socket.js';
import { RtNetlinkClient } from '../../../native/rtnetlink/client.js';

const here = (): string => readlinkSync('/proc/thread-self/ns/net');

test('createNamedNetns makes a namespace `ip netns` sees; deleteNamedNetns removes it', async (t) => {
  const name = `kt-${uniqueSuffix()}`;
  const path = createNamedNetns(name);
  try {
    t.is(path, `/run/netns/${name}`);
    t.true(listNamedNetns().includes(name));
    t.regex((await execa('ip', ['netns', 'list'])).stdout, new RegExp(`^${name}\\b`, 'm'));
    const links = (await execa('ip', ['-n', name, '-o', 'link'])).stdout.trim().split('\n');
    t.is(links.length, 1, 'a fresh namespace has only lo');
    const ns = openNetns(name);
    t.not(ns.id, currentNetns().id);
    ns.close();
    t.throws(() => createNamedNetns(name), { instanceOf: NetnsError, message: new RegExp(`create /run/netns/${name}: EEXIST`) });
  } finally {
    deleteNamedNetns(name);
  }
  t.false(listNamedNetns().includes(name));
  t.throws(() => deleteNamedNetns(name), { instanceOf: NetnsError, message: /ENOENT/ });
  t.throws(() => createNamedNetns('../x'), { instanceOf: NetnsError, message: /EINVAL/ });
});

test('withNetns runs inside and returns to the original namespace, also on throw', async (t) => {
  const ns = await createNetNs();
  try {
    const before = here();
    const target = openNetns(ns.name);
    const inside = withNetns(target, () => here());
    t.is(here(), before);
    t.not(inside, before);
    t.is(withNetns(ns.path, () => here()), inside, 'by path');
    t.is(withNetns(ns.name, () => here()), inside, 'by name');
    t.throws(() => withNetns(target, () => {
      throw new Error('boom');
    }), { message: 'boom' });
    t.is(here(), before);
    t.throws(() => withNetns(target, () => Promise.resolve(1)), { instanceOf: TypeError, message: /must be synchronous/ });
    t.is(here(), before);
    t.throws(() => withNetns('/run/netns/kt-does-not-exist', () => 1), { instanceOf: NetnsError, message: /ENOENT/ });
    target.close();
  } finally {
    await ns.destroy();
  }
});

test('a netlink socket opened inside keeps working on that namespace after returning', async (t) => {
  const ns = await createNetNs();
  try {
    const sock = withNetns(ns.name, () => NetlinkSocket.open());
    const nl = RtNetlinkClient.open({ netns: ns.name });
    sock.close();
    await nl.addLink({ kind: 'bridge', name: 'kt-inside' });
    t.regex((await execa('ip', ['-n', ns.name, 'link', 'show', 'kt-inside'])).stdout, /kt-inside/);
    const rootHas = (await execa('ip', ['link', 'show', 'kt-inside'], { reject: false })).exitCode === 0;
    t.false(rootHas, 'the root namespace is untouched');
    nl.close();
  } finally {
    await ns.destroy();
  }
});

test('openNetnsOfPid names the namespace of a process', async (t) => {
  const ns = await createNetNs();
  const child = execa('ip', ['netns', 'exec', ns.name, 'sleep', '30']);
  try {
    const target = openNetns(ns.name);
    let seen = '';
    for (let i = 0; i < 100 && seen !== target.id; i++) {
      await new Promise((r) => setTimeout(r, 20));
      try {
        const h = openNetnsOfPid(child.pid ?? 0);
        seen = h.id;
        h.close();
      } catch {
        // not exec'd yet
      }
    }
    t.is(seen, target.id);
    target.close();
  } finally {
    child.kill();
    await child.catch(() => undefined);
    await ns.destroy();
  }
});
