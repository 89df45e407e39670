/**
 * Probe failure messages worded like Go's net errors, because that is what
 * upstream's events say (`dial tcp 10.1.0.5:8080: connect: connection
 * refused`) and what users search for.
 */

/** host:port, with an IPv6 literal in brackets (net.JoinHostPort). */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The part after `dial tcp host:port: ` for a socket error. */
export function describeSocketError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connect: connection refused';
    case 'EHOSTUNREACH':
      return 'connect: no route to host';
    case 'ENETUNREACH':
      return 'connect: network is unreachable';
    case 'ECONNRESET':
      return 'read: connection reset by peer';
    case 'ETIMEDOUT':
      return 'i/o timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `lookup: no such host`;
    default:
      return (e as Error)?.message ?? String(e);
  }
}
