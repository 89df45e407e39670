/**
 * ContainerRuntime over the Docker engine (dockerode 5, API 1.41), the
 * kubelet's only door to Docker. Everything it lists is filtered by the
 * `io.kubets.node` label, so kubelets sharing one engine never touch each
 * other's containers.
 *
 * Facts measured here (LIBS.md §1): the pause container needs IpcMode
 * 'shareable'; `stats` is slow (not used); exec output is multiplexed
 * unless tty; `logs({follow:false})` answers a multiplexed Buffer.
 */
import { PassThrough, type Writable } from 'node:stream';
import Docker from 'dockerode';
import type { Container, Pod } from '../../../../controlplane/api/core/v1/types.js';
import { tokenBucket, unlimited, type RateLimiter } from '../../../../controlplane/client/ratelimit.js';
import type { Logger } from '../../../../controlplane/machinery/log/index.js';
import type { ContainerId, ContainerRuntime, PullPolicy, RegistryAuth, RunOptions, RuntimeContainer, RuntimeEvent, RuntimeEventType, SandboxId, SandboxOptions, Streams } from '../../types.js';
import { RuntimeError } from '../errors.js';
import { LABEL } from '../labels.js';
import { containerCreateOptions, sandboxCreateOptions, type EngineLimits } from './config.js';
import { fromInspect, fromListEntry } from './convert.js';
import { pickAuth } from './images.js';
import { readableOf } from './streams.js';

export interface DockerRuntimeOptions {
  /** --docker-endpoint: unix:///var/run/docker.sock or tcp://host:port. */
  endpoint: string;
  /** This kubelet's node name (the io.kubets.node label). */
  node: string;
  /** --pod-infra-container-image. */
  podInfraImage: string;
  serializeImagePulls: boolean;
  registryQps: number;
  registryBurst: number;
  /** --image-pull-progress-deadline. */
  pullProgressDeadlineMs: number;
  /** The lowest oom_score_adj this node lets containers have (0 without CAP_SYS_RESOURCE). Default -1000. */
  oomScoreAdjFloor?: number;
  /** Creates and starts in flight at once (LIBS.md §1: about 4 is fastest on 2 cores). Default 4. */
  createConcurrency?: number;
  log: Logger;
}

/** The HTTP status of a dockerode error, if it has one. */
export function dockerStatus(e: unknown): number | undefined {
  const c = (e as { statusCode?: unknown })?.statusCode;
  return typeof c === 'number' ? c : undefined;
}

function dockerMessage(e: unknown): string {
  const j = (e as { json?: { message?: string } })?.json;
  if (j?.message) return j.message;
  return e instanceof Error ? e.message : String(e);
}

export function dockerClient(endpoint: string): Docker {
  if (endpoint.startsWith('unix://')) return new Docker({ socketPath: endpoint.slice('unix://'.length) });
  if (endpoint.startsWith('/')) return new Docker({ socketPath: endpoint });
  const u = new URL(endpoint.replace(/^tcp:/, 'http:'));
  return new Docker({ host: u.hostname, port: Number(u.port || 2375), protocol: 'http' });
}

/** How many OOM-killed container ids the runtime remembers (they are forgotten on destroy). */
const OOM_MEMORY = 4096;
const EVENT_TYPES: Record<string, RuntimeEventType> = { create: 'create', start: 'start', die: 'die', destroy: 'destroy', oom: 'oom' };

export class DockerRuntime implements ContainerRuntime {
  readonly docker: Docker;
  // Immutable after construction.
  private readonly limiter: RateLimiter;
  private readonly nodeFilter: string;
  private readonly limits: EngineLimits;
  /** Bounds creates and starts: Docker on a small node slows down for everyone past a few at once. */
  private readonly gate: Semaphore;
  // Guarded by nothing (single-threaded): the tail of the serialized pull chain.
  private pullChain: Promise<void> = Promise.resolve();
  /** Containers Docker reported an "oom" event for (bounded: oldest forgotten first). */
  private readonly oomSeen = new Set<string>();

  constructor(private readonly o: DockerRuntimeOptions) {
    this.docker = dockerClient(o.endpoint);
    this.limiter = o.registryQps > 0 ? tokenBucket(o.registryQps, Math.max(1, o.registryBurst)) : unlimited;
    this.nodeFilter = `${LABEL.node}=${o.node}`;
    this.limits = { oomScoreAdjFloor: o.oomScoreAdjFloor ?? -1000 };
    this.gate = new Semaphore(o.createConcurrency ?? 4);
  }

  async version(): Promise<{ name: string; version: string; apiVersion: string }> {
    const v = await this.docker.version();
    return { name: 'docker', version: v.Version, apiVersion: v.ApiVersion };
  }

  async inspectImage(ref: string): Promise<{ id: string; user: string } | undefined> {
    try {
      const i = await this.docker.getImage(ref).inspect();
      return { id: i.Id, user: i.Config?.User ?? '' };
    } catch (e) {
      if (dockerStatus(e) === 404) return undefined;
      throw e;
    }
  }

  async ensureImage(ref: string, policy: PullPolicy, auth?: RegistryAuth[]): Promise<void> {
    if (policy !== 'Always') {
      const have = await this.inspectImage(ref);
      if (have) return;
      if (policy === 'Never') throw new RuntimeError('ErrImageNeverPull', `Container image "${ref}" is not present with pull policy of Never`);
    }
    const run = () => this.pull(ref, pickAuth(ref, auth));
    if (!this.o.serializeImagePulls) return run();
    const p = this.pullChain.then(run);
    // The chain must survive a failed pull, so later pulls still run.
    this.pullChain = p.catch(() => undefined);
    return p;
  }

  private async pull(ref: string, auth: RegistryAuth | undefined): Promise<void> {
    await this.limiter.wait();
    const started = Date.now();
    this.o.log.info('pulling image', { image: ref });
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await this.docker.pull(ref, auth ? { authconfig: auth } : {})) as NodeJS.ReadableStream;
    } catch (e) {
      throw new RuntimeError('ErrImagePull', `failed to pull image "${ref}": ${dockerMessage(e)}`);
    }
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          (stream as unknown as { destroy?: () => void }).destroy?.();
          reject(new RuntimeError('ErrImagePull', `failed to pull image "${ref}": no progress for ${this.o.pullProgressDeadlineMs / 1000}s (--image-pull-progress-deadline)`));
        }, this.o.pullProgressDeadlineMs);
      };
      arm();
      this.docker.modem.followProgress(
        stream,
        (err) => {
          if (timer) clearTimeout(timer);
          if (err) reject(new RuntimeError('ErrImagePull', `failed to pull image "${ref}": ${dockerMessage(err)}`));
          else resolve();
        },
        () => arm(),
      );
    });
    this.o.log.info('pulled image', { image: ref, ms: Date.now() - started });
  }

  /** Creates a container; a leftover of the same name (ours, from a crash between create and start) is removed first. */
  private async create(opts: Docker.ContainerCreateOptions): Promise<Docker.Container> {
    try {
      return await this.docker.createContainer(opts);
    } catch (e) {
      if (dockerStatus(e) !== 409 || !opts.name) throw e;
      this.o.log.warn('removing a stale container with the same name', { name: opts.name });
      await this.docker.getContainer(opts.name).remove({ force: true, v: true }).catch(() => undefined);
      return this.docker.createContainer(opts);
    }
  }

  async runSandbox(pod: Pod, opts: SandboxOptions): Promise<SandboxId> {
    let c: Docker.Container | undefined;
    try {
      c = await this.gate.run(() => this.create(sandboxCreateOptions(pod, opts, this.o.podInfraImage, this.o.node, this.limits)));
      await this.gate.run(() => c!.start());
    } catch (e) {
      // A sandbox that did not start is useless and would be mistaken for a dead one: remove it.
      if (c) await c.remove({ force: true, v: true }).catch(() => undefined);
      throw new RuntimeError('CreatePodSandboxError', `failed to create a sandbox for pod "${pod.metadata.name}": ${dockerMessage(e)}`);
    }
    return c.id;
  }

  async sandboxNetns(id: SandboxId): Promise<string> {
    const i = await this.docker.getContainer(id).inspect();
    if (!i.State?.Running || !i.State.Pid) throw new RuntimeError('CreatePodSandboxError', `sandbox ${id.slice(0, 12)} is not running`);
    return `/proc/${i.State.Pid}/ns/net`;
  }

  async createContainer(sandbox: SandboxId, pod: Pod, c: Container, opts: RunOptions): Promise<ContainerId> {
    try {
      const created = await this.gate.run(() => this.create(containerCreateOptions(sandbox, pod, c, opts, this.o.node, this.limits)), true);
      return created.id;
    } catch (e) {
      throw new RuntimeError('CreateContainerError', dockerMessage(e));
    }
  }

  async start(id: ContainerId): Promise<void> {
    try {
      await this.gate.run(() => this.docker.getContainer(id).start(), true);
    } catch (e) {
      // 304: already started.
      if (dockerStatus(e) === 304) return;
      throw new RuntimeError('RunContainerError', dockerMessage(e));
    }
  }

  async stop(id: ContainerId, graceSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.ceil(graceSeconds)) });
    } catch (e) {
      const s = dockerStatus(e);
      // 304: already stopped; 404: already gone.
      if (s === 304 || s === 404) return;
      throw new RuntimeError('KillContainerError', dockerMessage(e));
    }
  }

  async remove(id: ContainerId): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (e) {
      const s = dockerStatus(e);
      // 404: gone; 409: removal already in progress.
      if (s === 404 || s === 409) return;
      throw e;
    }
  }

  async list(): Promise<RuntimeContainer[]> {
    const all = await this.docker.listContainers({ all: true, filters: { label: [this.nodeFilter] } });
    const out: RuntimeContainer[] = [];
    for (const e of all) {
      const rc = fromListEntry(e);
      if (rc) out.push(rc);
    }
    return out;
  }

  async inspect(id: ContainerId): Promise<RuntimeContainer | undefined> {
    try {
      return fromInspect(await this.docker.getContainer(id).inspect(), this.oomSeen.has(id));
    } catch (e) {
      if (dockerStatus(e) === 404) return undefined;
      throw e;
    }
  }

  /** Container events of this node's containers; ends when signal aborts; throws when the stream fails (the PLEG reconnects). */
  async *events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    const stream = (await this.docker.getEvents({ filters: { type: ['container'], label: [this.nodeFilter] } })) as NodeJS.ReadableStream & { destroy(): void };
    const onAbort = () => stream.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    let buf = '';
    try {
      for await (const chunk of stream) {
        buf += chunk.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          let ev: { Action?: string; status?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> }; timeNano?: number; time?: number };
          try {
            ev = JSON.parse(line);
          } catch {
            continue;
          }
          const type = EVENT_TYPES[ev.Action ?? ev.status ?? ''];
          const id = ev.Actor?.ID ?? ev.id;
          if (!type || !id) continue;
          if (type === 'oom') this.rememberOOM(id);
          else if (type === 'destroy') this.oomSeen.delete(id);
          const at = ev.timeNano ? new Date(Math.floor(ev.timeNano / 1e6)) : new Date((ev.time ?? 0) * 1000);
          yield { type, containerId: id, podUID: ev.Actor?.Attributes?.[LABEL.podUID], at };
        }
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    } finally {
      signal.removeEventListener('abort', onAbort);
      stream.destroy();
    }
  }

  private rememberOOM(id: string): void {
    this.oomSeen.add(id);
    if (this.oomSeen.size > OOM_MEMORY) this.oomSeen.delete(this.oomSeen.values().next().value!);
  }

  async exec(id: ContainerId, cmd: string[], streams: Streams, timeoutMs?: number): Promise<number> {
    const container = this.docker.getContainer(id);
    const ex = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, AttachStdin: streams.stdin !== undefined, Tty: streams.tty === true });
    const stream = (await ex.start({ hijack: true, stdin: streams.stdin !== undefined, Tty: streams.tty === true })) as NodeJS.ReadWriteStream & { destroy(): void };
    const out = (streams.stdout as Writable | undefined) ?? new PassThrough().resume();
    const err = (streams.stderr as Writable | undefined) ?? new PassThrough().resume();
    if (streams.tty) stream.pipe(out, { end: false });
    else this.docker.modem.demuxStream(stream, out, err);
    if (streams.stdin) streams.stdin.pipe(stream);
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      if (timeoutMs !== undefined && timeoutMs > 0) {
        timer = setTimeout(() => {
          stream.destroy();
          reject(new ExecTimeoutError(`command ${JSON.stringify(cmd)} timed out after ${timeoutMs}ms`));
        }, timeoutMs);
      }
      const done = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', (e: Error) => {
        if (timer) clearTimeout(timer);
        reject(e);
      });
    });
    const info = await ex.inspect();
    return info.ExitCode ?? -1;
  }

  async logs(id: ContainerId, opts: { follow?: boolean; tailLines?: number; sinceSeconds?: number; timestamps?: boolean }): Promise<NodeJS.ReadableStream> {
    const c = this.docker.getContainer(id);
    const base = { stdout: true, stderr: true, timestamps: opts.timestamps === true, tail: opts.tailLines ?? ('all' as unknown as number), since: opts.sinceSeconds ? Math.floor(Date.now() / 1000) - opts.sinceSeconds : 0 };
    const info = await c.inspect();
    const tty = info.Config?.Tty === true;
    if (opts.follow) {
      const stream = await c.logs({ ...base, follow: true });
      if (tty) return stream;
      const out = new PassThrough();
      this.docker.modem.demuxStream(stream, out, out);
      stream.on('end', () => out.end());
      return out;
    }
    const buf = (await c.logs({ ...base, follow: false })) as unknown as Buffer;
    if (tty) {
      const p = new PassThrough();
      p.end(buf);
      return p;
    }
    return readableOf(buf);
  }
}

/**
 * At most `n` tasks at once; waiting tasks run urgent ones first, then in
 * arrival order. App containers are urgent and new sandboxes are not, so
 * when many pods start at once they finish one after another instead of
 * all together at the end.
 */
export class Semaphore {
  private active = 0;
  private readonly urgent: (() => void)[] = [];
  private readonly normal: (() => void)[] = [];

  constructor(private readonly n: number) {}

  async run<T>(f: () => Promise<T>, urgent = false): Promise<T> {
    if (this.active >= this.n) await new Promise<void>((r) => (urgent ? this.urgent : this.normal).push(r));
    else this.active++;
    try {
      return await f();
    } finally {
      const next = this.urgent.shift() ?? this.normal.shift();
      if (next) next();
      else this.active--;
    }
  }
}

export class ExecTimeoutError extends Error {
  override readonly name = 'ExecTimeoutError';
  readonly code = 'ExecTimeout';
}
