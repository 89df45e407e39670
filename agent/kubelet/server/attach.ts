/**
 * kubectl attach on Docker: the engine's attach endpoint, hijacked, gives
 * the main process's stdio (multiplexed unless the container has a tty).
 * ContainerRuntime has no attach, so the kubelet passes its dockerode client.
 */
import type { Duplex, Writable } from 'node:stream';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { Streams } from '../types.js';
import type { ContainerAttacher } from './types.js';

export class DockerAttacher implements ContainerAttacher {
  constructor(private readonly docker: Docker) {}

  async attach(id: string, streams: Streams): Promise<number> {
    const c = this.docker.getContainer(id);
    const info = await c.inspect();
    const tty = info.Config?.Tty === true;
    const stream = (await c.attach({ stream: true, stdin: streams.stdin !== undefined, stdout: streams.stdout !== undefined, stderr: streams.stderr !== undefined, hijack: true })) as unknown as Duplex;
    const out = (streams.stdout as Writable | undefined) ?? new PassThrough().resume();
    const err = (streams.stderr as Writable | undefined) ?? new PassThrough().resume();
    if (tty) stream.pipe(out, { end: false });
    else this.docker.modem.demuxStream(stream, out, err);
    if (streams.stdin) streams.stdin.pipe(stream);
    if (streams.resize) {
      void (async () => {
        for await (const s of streams.resize ?? []) await c.resize({ h: s.height, w: s.width }).catch(() => undefined);
      })();
    }
    await new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', reject);
    });
    const after = await c.inspect().catch(() => undefined);
    return after && !after.State.Running ? after.State.ExitCode : 0;
  }
}
