/**
 * Connecting to a port inside a pod's network namespace. The socket is
 * created on the JavaScript thread while it sits in the namespace
 * (native/netns withNetns), then connected and used from the host as any
 * other socket: a socket belongs to the namespace it was created in. No
 * helper process (nsenter + socat) per connection, unlike dockershim.
 *
 * libuv creates a TCP socket lazily at connect time, i.e. after withNetns
 * has switched back; so the descriptor is made here with socket(2) and
 * handed to net.Socket, which connects on it.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { NetnsError, withNetns } from '../../../../native/netns/index.js';
// libc is native's internal FFI table; socket(2) is all that is needed from it.
import { lastErrno, libc } from '../../../../native/rtnetlink/sys/libc.js';

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0x80000;

/** Opens a TCP connection to a port of a pod. */
export interface PortDialer {
  /** `netns` is a namespace path (/proc/<pid>/ns/net or /run/netns/<name>). */
  dial(netns: string, port: number): Promise<Duplex>;
}

function connectIn(netns: string, family: 4 | 6, port: number): Promise<net.Socket> {
  const fd = withNetns(netns, () => libc.socket(family === 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd < 0) return Promise.reject(new NetnsError(`socket() in ${netns}`, lastErrno()));
  // allowHalfOpen: the pod's side may shut down writing while still reading (and so may the client's).
  const sock = new net.Socket({ fd, readable: true, writable: true, allowHalfOpen: true });
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.connect({ port, host: family === 4 ? '127.0.0.1' : '::1' }, () => {
      sock.off('error', reject);
      resolve(sock);
    });
  });
}

/** Dials localhost:port in the namespace: IPv4 first, then IPv6 (as containerd does). */
export const netnsDialer: PortDialer = {
  async dial(netns, port) {
    try {
      return await connectIn(netns, 4, port);
    } catch (e4) {
      try {
        return await connectIn(netns, 6, port);
      } catch (e6) {
        throw new Error(`failed to connect to localhost:${port} inside namespace ${JSON.stringify(netns)}, IPv4: ${(e4 as Error).message} IPv6 ${(e6 as Error).message}`);
      }
    }
  },
};
