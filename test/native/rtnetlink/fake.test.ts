import test from 'ava';
import { FakeRtNetlink } from '../../../native/testing/rtnetlink.js';
import { NetlinkBatchError, NetlinkError } from '../../../native/rtnetlink/errors.js';
import type { RtEvent, RtNetlink } from '../../../native/rtnetlink/types.js';

test('fake: the flannel vxlan sequence, with kernel-like errors', async (t) => {
  const nl: RtNetlink = new FakeRtNetlink();
  await nl.addLink({ kind: 'bridge', name: 'eth0', up: true });
  await nl.addAddress({ dev: 'eth0', cidr: '192.168.1.1/24' });
  await nl.addLink({ kind: 'vxlan', name: 'flannel.1', vxlan: { vni: 1, dev: 'eth0', local: '192.168.1.1', learning: false }, mtu: 1450, up: true });
  const e = await t.throwsAsync(nl.addLink({ kind: 'bridge', name: 'eth0' }));
  t.true(e instanceof NetlinkError);
  t.is(e?.message, 'RTM_NEWLINK eth0: EEXIST');
  await nl.addNeigh({ dev: 'flannel.1', ip: '10.1.2.0', mac: '0a:58:0a:01:02:00' });
  await nl.addFdb({ dev: 'flannel.1', mac: '0a:58:0a:01:02:00', dst: '192.168.1.2' });
  await nl.replaceRoutes([{ dst: '10.1.2.0/24', gateway: '10.1.2.0', dev: 'flannel.1', onlink: true }]);
  t.like((await nl.link('flannel.1'))?.vxlan, { vni: 1, learning: false, dev: 2 });
  t.like(await nl.routes({ dev: 'flannel.1' }), [{ dst: '10.1.2.0/24', gateway: '10.1.2.0', onlink: true }]);
  t.is((await nl.neighbours({ dev: 'flannel.1' })).length, 1);
  t.like(await nl.fdb(), [{ mac: '0a:58:0a:01:02:00', dst: '192.168.1.2', flags: 2 }]);
  const noOnlink = await t.throwsAsync(nl.addRoutes([{ dst: '10.1.3.0/24', gateway: '10.1.3.0', dev: 'flannel.1' }]));
  t.is((noOnlink as NetlinkBatchError).failures[0].error.code, 'ENETUNREACH');
});

test('fake: batches apply what they can and report each failure; ignore', async (t) => {
  const nl = new FakeRtNetlink();
  await nl.addLink({ kind: 'bridge', name: 'br0' });
  await nl.addRoutes([{ dst: '10.0.1.0/24', dev: 'br0' }]);
  const e = await t.throwsAsync(nl.addRoutes([{ dst: '10.0.0.0/24', dev: 'br0' }, { dst: '10.0.1.0/24', dev: 'br0' }, { dst: '10.0.2.0/24', dev: 'nope' }]));
  t.true(e instanceof NetlinkBatchError);
  const be = e as NetlinkBatchError;
  t.deepEqual(
    be.failures.map((f) => [f.index, f.error.code]),
    [
      [1, 'EEXIST'],
      [2, 'ENODEV'],
    ],
  );
  t.is((await nl.routes()).length, 2);
  await nl.addRoutes([{ dst: '10.0.1.0/24', dev: 'br0' }], { ignore: ['EEXIST'] });
  await nl.delRoutes([{ dst: '10.0.9.0/24' }], { ignore: ['ESRCH'] });
  nl.failNext('EBUSY');
  await t.throwsAsync(nl.setLink('br0', { up: true }), { message: 'RTM_NEWLINK br0: EBUSY' });
  t.is(nl.calls.filter((c) => c.method === 'addRoutes').length, 5);
});

test('fake: watch sees changes until aborted; deleting a veth removes both ends', async (t) => {
  const nl = new FakeRtNetlink();
  const ac = new AbortController();
  const seen: string[] = [];
  const done = (async () => {
    for await (const ev of nl.watch(['link'], ac.signal)) {
      seen.push(describe(ev));
      if (seen.length === 3) ac.abort();
    }
  })();
  await nl.addLink({ kind: 'veth', name: 'va', peer: { name: 'vb' } });
  await nl.delLink('vb');
  await done;
  t.deepEqual(seen, ['newlink va', 'newlink vb', 'dellink vb']);
  t.deepEqual((await nl.links()).map((l) => l.name), ['lo']);
});

function describe(e: RtEvent): string {
  return 'link' in e ? `${e.kind} ${e.link.name}` : e.kind;
}
