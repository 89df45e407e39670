/** tcpSocket probes: success when a TCP connection opens within the timeout (upstream pkg/probe/tcp). */
import { connect } from 'node:net';
import { describeSocketError, joinHostPort } from './neterr.js';
import type { ProbeOutcome } from './types.js';

export function tcpProbe(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  return new Promise((resolve) => {
    let done = false;
    const finish = (o: ProbeOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(o);
    };
    const onAbort = () => finish({ result: 'failure', output: `dial tcp ${addr}: operation was canceled` });
    const sock = connect({ host, port });
    // Connected is all a TCP probe asks; closing at once is what upstream does too.
    sock.once('connect', () => finish({ result: 'success', output: '' }));
    sock.once('error', (e) => finish({ result: 'failure', output: `dial tcp ${addr}: ${describeSocketError(e)}` }));
    const timer = setTimeout(() => finish({ result: 'failure', output: `dial tcp ${addr}: i/o timeout` }), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
