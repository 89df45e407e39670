/** Free loopback TCP ports for test servers (etcd members, apiservers…). */
import net from 'node:net';

/**
 * Returns `n` distinct ports that were free on 127.0.0.1 a moment ago. All
 * listeners stay open until every port is picked, so one call never returns
 * the same port twice; another process may still take one before it is used,
 * so callers that bind should be ready to retry.
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = net.createServer();
      servers.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => resolve());
      });
      ports.push((s.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}
