import test from 'ava';
import { NetlinkBatchError, NetlinkError, SysError, errnoName, isNetlinkError } from '../../../native/rtnetlink/errors.js';
import { NetnsError } from '../../../native/netns/netns.js';
import { TunError } from '../../../native/tun/tun.js';

const cases = [
  { errno: 17, op: 'RTM_NEWLINK flannel.1', detail: undefined, message: 'RTM_NEWLINK flannel.1: EEXIST', code: 'EEXIST' },
  { errno: -3, op: 'RTM_DELROUTE 10.1.2.0/24', detail: undefined, message: 'RTM_DELROUTE 10.1.2.0/24: ESRCH', code: 'ESRCH' },
  { errno: 95, op: 'RTM_NEWLINK d0', detail: 'Unknown device type', message: 'RTM_NEWLINK d0: EOPNOTSUPP: Unknown device type', code: 'EOPNOTSUPP' },
  { errno: 9999, op: 'x', detail: undefined, message: 'x: E9999', code: 'E9999' },
];

for (const tc of cases) {
  test(`NetlinkError ${tc.message}`, (t) => {
    const e = new NetlinkError(tc.op, tc.errno, tc.detail);
    t.is(e.message, tc.message);
    t.is(e.code, tc.code);
    t.is(e.errno, Math.abs(tc.errno));
    t.is(e.op, tc.op);
    t.is(e.name, 'NetlinkError');
    t.true(e instanceof NetlinkError);
    t.true(e instanceof SysError);
    t.true(e instanceof Error);
    t.false(e instanceof NetnsError);
    t.true(isNetlinkError(e, tc.code));
  });
}

test('subsystem errors are distinct SysErrors', (t) => {
  const n = new NetnsError('setns /run/netns/x', 1);
  const u = new TunError('TUNSETIFF kt0', 16);
  t.is(n.message, 'setns /run/netns/x: EPERM');
  t.is(u.code, 'EBUSY');
  t.true(n instanceof SysError && u instanceof SysError);
  t.false(u instanceof NetlinkError);
  t.false(isNetlinkError(new Error('x')));
  t.is(errnoName(110), 'ETIMEDOUT');
});

test('NetlinkBatchError lists failures and names the first', (t) => {
  const e = new NetlinkBatchError('add 3 routes', 3, [{ index: 1, item: 'b', error: new NetlinkError('RTM_NEWROUTE 10.0.0.0/8', 17) }]);
  t.is(e.message, 'add 3 routes: 1 of 3 failed (first: RTM_NEWROUTE 10.0.0.0/8: EEXIST)');
  t.is(e.code, 'EBATCH');
  t.is(e.failures[0].error.code, 'EEXIST');
});
