/**
 * TUN devices from Node, in throwaway namespaces: a ping answered by our
 * reader/writer, readers that don't hold libuv pool threads, abort.
 */
import test from 'ava';
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { createNetNs } from '../../harness/netns.js';
import { TunDevice, TunError, encodeIfreq, IFF_NO_PI, IFF_TUN } from '../../../native/tun/index.js';
import { withNetns } from '../../../native/netns/index.js';
import { RtNetlinkClient } from '../../../native/rtnetlink/client.js';

function checksum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length % 2) sum += b[b.length - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/** An ICMP echo reply for an IPv4 echo request, or undefined for anything else. */
function echoReply(pkt: Buffer): Buffer | undefined {
  if (pkt.length < 28 || pkt[0] >> 4 !== 4 || pkt[9] !== 1) return undefined;
  const ihl = (pkt[0] & 0xf) * 4;
  if (pkt[ihl] !== 8) return undefined;
  const out = Buffer.from(pkt);
  pkt.copy(out, 12, 16, 20); // swap source and destination (the IP checksum is unchanged by a swap)
  pkt.copy(out, 16, 12, 16);
  out[ihl] = 0; // echo reply
  out.writeUInt16BE(0, ihl + 2);
  out.writeUInt16BE(checksum(out.subarray(ihl)), ihl + 2);
  return out;
}

test('ifreq layout: name in 16 bytes, then the flags', (t) => {
  const b = encodeIfreq('kt0', IFF_TUN | IFF_NO_PI);
  t.is(b.length, 40);
  t.is(b.subarray(0, 16).toString('hex'), `6b7430${'00'.repeat(13)}`);
  t.is(b.readUInt16LE(16), 0x1001);
  t.throws(() => encodeIfreq('a-name-that-is-too-long', 1), { instanceOf: TunError, message: /ENAMETOOLONG/ });
});

test('a ping to an address behind the TUN is answered by Node (read + write of whole packets)', async (t) => {
  const ns = await createNetNs();
  const dev = withNetns(ns.name, () => TunDevice.open({ name: 'kt%d' }));
  const nl = RtNetlinkClient.open({ netns: ns.name });
  const ac = new AbortController();
  let requests = 0;
  try {
    t.regex(dev.name, /^kt\d+$/);
    await nl.addAddress({ dev: dev.name, cidr: '10.250.0.1/24' });
    await nl.setLink(dev.name, { up: true, mtu: 1472 });
    const echo = (async () => {
      for await (const batch of dev.batches(ac.signal)) {
        for (const pkt of batch) {
          const reply = echoReply(pkt);
          if (!reply) continue;
          requests++;
          t.true(dev.write(reply));
        }
      }
    })();
    const r = await execa('ip', ['netns', 'exec', ns.name, 'busybox', 'ping', '-c', '3', '-W', '2', '10.250.0.2'], { reject: false });
    ac.abort();
    await echo;
    t.is(r.exitCode, 0, r.stdout + r.stderr);
    t.regex(r.stdout, /3 packets transmitted, 3 packets received/);
    t.is(requests, 3);
  } finally {
    ac.abort();
    dev.close();
    nl.close();
    await ns.destroy();
  }
});

test('idle TUN readers hold no libuv pool thread; abort ends them promptly', async (t) => {
  const ns = await createNetNs();
  const devs = withNetns(ns.name, () => Array.from({ length: 5 }, (_, i) => TunDevice.open({ name: `kt-idle${i}` })));
  const ac = new AbortController();
  try {
    const readers = devs.map((d) =>
      (async () => {
        for await (const _ of d.packets(ac.signal)) {
          // nothing arrives: the links are down
        }
      })(),
    );
    await new Promise((r) => setTimeout(r, 100));
    // 5 blocked fs.read calls would occupy all 4 default pool threads and this would never finish.
    const status = await Promise.race([
      Promise.all(Array.from({ length: 8 }, () => readFile('/proc/self/status', 'utf8'))).then(() => 'done'),
      new Promise((r) => setTimeout(() => r('starved'), 3000)),
    ]);
    t.is(status, 'done');
    ac.abort();
    // The readers end on abort (otherwise this waits until the test times out).
    await Promise.all(readers);
  } finally {
    ac.abort();
    for (const d of devs) d.close();
    await ns.destroy();
  }
});

test('opening a name that is taken by another kind of device fails with a TunError', async (t) => {
  const ns = await createNetNs();
  const nl = RtNetlinkClient.open({ netns: ns.name });
  try {
    await nl.addLink({ kind: 'bridge', name: 'kt-br' });
    const e = t.throws(() => withNetns(ns.name, () => TunDevice.open({ name: 'kt-br' })));
    t.true(e instanceof TunError);
    t.regex(e!.message, /^TUNSETIFF kt-br: E/);
  } finally {
    nl.close();
    await ns.destroy();
  }
});

test('close() under an active reader stops it, then closes the fd; later use fails with EBADF', async (t) => {
  const ns = await createNetNs();
  const dev = withNetns(ns.name, () => TunDevice.open({ name: 'kt-close0' }));
  try {
    const never = new AbortController();
    const reader = (async () => {
      let n = 0;
      for await (const _ of dev.packets(never.signal)) n++;
      return n;
    })();
    await new Promise((r) => setTimeout(r, 50));
    dev.close();
    t.is(await reader, 0);
    t.throws(() => dev.write(Buffer.alloc(20)), { instanceOf: TunError, message: /^write kt-close0: EBADF/ });
    const it = dev.batches(never.signal);
    await t.throwsAsync(it.next(), { instanceOf: TunError, message: /EBADF/ });
  } finally {
    dev.close();
    await ns.destroy();
  }
});
