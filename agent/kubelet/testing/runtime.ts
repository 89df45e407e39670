/**
 * FakeRuntime: an in-memory ContainerRuntime for unit tests of the PLEG and
 * the pod workers. Containers are plain RuntimeContainers the test puts in
 * and changes; calls are recorded; events() yields what emit() pushes.
 */
import type { Container, Pod } from '../../../controlplane/api/core/v1/types.js';
import type { ContainerId, ContainerRuntime, PullPolicy, RunOptions, RuntimeContainer, RuntimeEvent, SandboxId, SandboxOptions } from '../types.js';

export class FakeRuntime implements ContainerRuntime {
  readonly containers = new Map<string, RuntimeContainer>();
  readonly calls: string[] = [];
  listCalls = 0;
  inspectCalls = 0;
  private seq = 0;
  private readonly pending: RuntimeEvent[] = [];
  private wake?: () => void;

  put(c: RuntimeContainer): void {
    this.containers.set(c.id, c);
  }

  emit(e: RuntimeEvent): void {
    this.pending.push(e);
    this.wake?.();
  }

  async version() {
    return { name: 'fake', version: '0.0.0', apiVersion: '1.41' };
  }
  async inspectImage() {
    return { id: 'sha256:fake', user: '' };
  }
  async ensureImage(ref: string, policy: PullPolicy): Promise<void> {
    this.calls.push(`ensureImage ${ref} ${policy}`);
  }
  async runSandbox(pod: Pod, o: SandboxOptions): Promise<SandboxId> {
    const id = `sb${++this.seq}`;
    this.calls.push(`runSandbox ${pod.metadata.name} ${o.attempt}`);
    this.put({ id, podUID: pod.metadata.uid ?? '', podName: pod.metadata.name ?? '', podNamespace: pod.metadata.namespace ?? '', containerName: 'POD', isSandbox: true, attempt: o.attempt, image: 'pause', imageID: 'pause', state: 'running', labels: {}, inspected: true, createdAt: new Date() });
    return id;
  }
  async sandboxNetns(id: SandboxId): Promise<string> {
    return `/proc/fake-${id}/ns/net`;
  }
  async createContainer(sandbox: SandboxId, pod: Pod, c: Container, o: RunOptions): Promise<ContainerId> {
    const id = `c${++this.seq}`;
    this.calls.push(`create ${c.name} ${o.attempt}`);
    this.put({ id, podUID: pod.metadata.uid ?? '', podName: pod.metadata.name ?? '', podNamespace: pod.metadata.namespace ?? '', containerName: c.name, isSandbox: false, attempt: o.attempt, image: c.image ?? '', imageID: 'img', state: 'created', labels: o.labels ?? {}, sandboxId: sandbox, specHash: o.labels?.['annotation.io.kubernetes.container.hash'], inspected: true, createdAt: new Date() });
    return id;
  }
  async start(id: ContainerId): Promise<void> {
    this.calls.push(`start ${id}`);
    const c = this.containers.get(id);
    if (c) {
      c.state = 'running';
      c.startedAt = new Date();
    }
  }
  async stop(id: ContainerId, grace: number): Promise<void> {
    this.calls.push(`stop ${id} ${grace}`);
    const c = this.containers.get(id);
    if (c) {
      c.state = 'exited';
      c.exitCode = 137;
      c.finishedAt = new Date();
    }
  }
  async remove(id: ContainerId): Promise<void> {
    this.calls.push(`remove ${id}`);
    this.containers.delete(id);
  }
  async list(): Promise<RuntimeContainer[]> {
    this.listCalls++;
    return [...this.containers.values()].map((c) => ({ ...c, inspected: false }));
  }
  async inspect(id: ContainerId): Promise<RuntimeContainer | undefined> {
    this.inspectCalls++;
    const c = this.containers.get(id);
    return c ? { ...c } : undefined;
  }
  async *events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    while (!signal.aborted) {
      const e = this.pending.shift();
      if (e) {
        yield e;
        continue;
      }
      await new Promise<void>((r) => {
        this.wake = r;
        signal.addEventListener('abort', () => r(), { once: true });
      });
    }
  }
  async exec(): Promise<number> {
    return 0;
  }
  async logs(): Promise<NodeJS.ReadableStream> {
    const { PassThrough } = await import('node:stream');
    const p = new PassThrough();
    p.end();
    return p;
  }
}
