/**
 * A KubeletServer on a fake runtime (no Docker) for the wire-level tests:
 * exec runs little scripted commands, logs replays fixed lines, inspect
 * says which container runs. Pods: `p` (container `c`, id `cid`) and `q`
 * (no container yet, ErrImagePull); container `stopped` of pod `p` has exited.
 */
import { PassThrough } from 'node:stream';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Pod } from '../../../../controlplane/api/core/v1/types.js';
import type { RuntimeContainer, Streams } from '../../../../agent/kubelet/types.js';
import { KubeletServer, type ContainerLocator, type KubeletServerOptions, type PortDialer, type ServerRuntime } from '../../../../agent/kubelet/server/index.js';
import type { TerminalSize } from '../../../../agent/kubelet/server/remotecommand/protocol.js';
import { testLogger } from './env.js';

export const POD_UID = 'uid-p';

export const PODS: Pod[] = [
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: POD_UID }, spec: { containers: [{ name: 'c', image: 'busybox' }, { name: 'stopped', image: 'busybox' }] } },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'q', namespace: 'default', uid: 'uid-q' },
    spec: { containers: [{ name: 'c', image: 'nope' }] },
    status: { phase: 'Pending', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: 'nope', imageID: '', state: { waiting: { reason: 'ErrImagePull' } } }] },
  },
] as Pod[];

export class FakeRuntime implements ServerRuntime {
  readonly logCalls: { id: string; opts: Record<string, unknown> }[] = [];
  readonly resizes: TerminalSize[] = [];
  /** The stream handed out by the last followed logs call, to end it or see it destroyed. */
  follow: PassThrough | undefined;

  async exec(_id: string, cmd: string[], s: Streams): Promise<number> {
    switch (cmd[0]) {
      case 'echo':
        s.stdout?.write(cmd.slice(1).join(' ') + '\n');
        return 0;
      case 'cat':
        if (!s.stdin) return 1;
        // Copy stdin to stdout until stdin ends (as `cat` does); the transport's EOF matters here.
        for await (const chunk of s.stdin) s.stdout?.write(chunk);
        return 0;
      case 'fail':
        s.stdout?.write('partial\n');
        s.stderr?.write('bad\n');
        return Number(cmd[1]);
      case 'big':
        for (let i = 0; i < 64; i++) s.stdout?.write(Buffer.alloc(16 * 1024, 0x61 + (i % 26)));
        return 0;
      case 'resize':
        for await (const size of s.resize ?? []) {
          this.resizes.push(size);
          if (this.resizes.length >= Number(cmd[1])) break;
        }
        s.stdout?.write(`resized ${this.resizes.length}\n`);
        return 0;
      default:
        throw new Error(`exec: "${cmd[0]}": executable file not found in $PATH`);
    }
  }

  async logs(id: string, opts: { follow?: boolean; tailLines?: number; sinceSeconds?: number; timestamps?: boolean }): Promise<NodeJS.ReadableStream> {
    this.logCalls.push({ id, opts });
    const lines = ['one', 'two', 'three'].slice(opts.tailLines === undefined ? 0 : Math.max(0, 3 - opts.tailLines)).map((l) => (opts.timestamps ? `2026-01-01T00:00:00.000000000Z ${l}\n` : `${l}\n`));
    const out = new PassThrough();
    out.write(lines.join(''));
    if (opts.follow) this.follow = out;
    else out.end();
    return out;
  }

  async inspect(id: string): Promise<RuntimeContainer | undefined> {
    if (id !== 'cid' && id !== 'stopped-id') return undefined;
    return { id, podUID: POD_UID, podNamespace: 'default', podName: 'p', containerName: id === 'cid' ? 'c' : 'stopped', isSandbox: false, attempt: 0, image: 'busybox', imageID: '', state: id === 'cid' ? 'running' : 'exited', labels: {}, inspected: true };
  }
}

export const locator: ContainerLocator = {
  async find(ns, pod, container, opts) {
    if (ns !== 'default' || pod !== 'p') return undefined;
    if (container === 'c') return opts.previous ? { id: 'prev-cid', podUID: POD_UID } : { id: 'cid', podUID: POD_UID };
    if (container === 'stopped') return { id: 'stopped-id', podUID: POD_UID };
    return undefined;
  },
  async sandboxNetns(ns, pod) {
    return ns === 'default' && pod === 'p' ? '/fake/netns' : undefined;
  },
};

/** Dials the given local port on the host whatever the namespace (the real dialer is covered by the kubectl test). */
export function hostDialer(ports: Record<number, number>): PortDialer & { calls: { netns: string; port: number }[] } {
  const calls: { netns: string; port: number }[] = [];
  return {
    calls,
    dial(netns, port): Promise<Duplex> {
      calls.push({ netns, port });
      const target = ports[port];
      if (!target) return Promise.reject(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`));
      return new Promise((resolve, reject) => {
        const s = net.connect({ port: target, host: '127.0.0.1', allowHalfOpen: true }, () => resolve(s));
        s.once('error', reject);
      });
    },
  };
}

export async function startFakeServer(extra: Partial<KubeletServerOptions> = {}): Promise<{ server: KubeletServer; runtime: FakeRuntime; port: number; readOnlyPort?: number; url: string }> {
  const runtime = new FakeRuntime();
  const server = new KubeletServer({ address: '127.0.0.1', port: 0, readOnlyPort: 0, enableDebuggingHandlers: true, runtime, locator, pods: () => PODS, log: testLogger('fake-kubelet-server'), ...extra });
  const l = await server.start();
  return { server, runtime, port: l.port, readOnlyPort: l.readOnlyPort, url: `http://127.0.0.1:${l.port}` };
}
