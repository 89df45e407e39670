/**
 * The default ContainerLocator: finds a pod's containers among the runtime's
 * by the labels the kubelet put on them (runtime/labels.ts), newest attempt
 * first, so it needs no state of its own and works across kubelet restarts.
 */
import type { ContainerRuntime, RuntimeContainer } from '../types.js';
import type { ContainerLocator, LocatedContainer, PodsSource } from './types.js';

function newestFirst(a: RuntimeContainer, b: RuntimeContainer): number {
  if (a.attempt !== b.attempt) return b.attempt - a.attempt;
  return (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0);
}

export class RuntimeLocator implements ContainerLocator {
  constructor(
    private readonly runtime: Pick<ContainerRuntime, 'list' | 'sandboxNetns'>,
    private readonly pods: PodsSource,
  ) {}

  private uidOf(namespace: string, podName: string): string | undefined {
    return this.pods().find((p) => p.metadata.namespace === namespace && p.metadata.name === podName)?.metadata.uid;
  }

  async find(namespace: string, podName: string, container: string, opts: { previous?: boolean }): Promise<LocatedContainer | undefined> {
    const uid = this.uidOf(namespace, podName);
    const all = (await this.runtime.list())
      .filter((c) => !c.isSandbox && c.podNamespace === namespace && c.podName === podName && c.containerName === container && (!uid || c.podUID === uid))
      .sort(newestFirst);
    // The current instance is the newest; "previous" is the one before it (upstream's lastState.terminated).
    const c = opts.previous ? all[1] : all[0];
    return c ? { id: c.id, podUID: c.podUID } : undefined;
  }

  async sandboxNetns(namespace: string, podName: string): Promise<string | undefined> {
    const uid = this.uidOf(namespace, podName);
    const sandbox = (await this.runtime.list())
      .filter((c) => c.isSandbox && c.state === 'running' && c.podNamespace === namespace && c.podName === podName && (!uid || c.podUID === uid))
      .sort(newestFirst)[0];
    return sandbox ? this.runtime.sandboxNetns(sandbox.id) : undefined;
  }
}
