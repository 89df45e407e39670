/**
 * What the kubelet's server needs from the rest of the kubelet, as small
 * interfaces injected at construction (STYLE.md rule 4): the runtime for
 * logs and exec (types.ts ContainerRuntime), a locator that maps a pod's
 * container name to a runtime container, an attacher, and a dialer into a
 * pod's network namespace.
 */
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import type { ContainerRuntime, Streams } from '../types.js';

export interface LocatedContainer {
  id: string;
  podUID: string;
}

export interface ContainerLocator {
  /**
   * The runtime container behind a pod's container: the current instance,
   * or with `previous` the last terminated one before it. Undefined when
   * there is none (the server then explains why from the pod's status). May
   * throw an HttpError (http.ts) to answer with a specific code and message.
   */
  find(namespace: string, podName: string, container: string, opts: { previous?: boolean }): Promise<LocatedContainer | undefined>;
  /** The network namespace path of the pod's sandbox (/proc/<pid>/ns/net), if it runs. */
  sandboxNetns(namespace: string, podName: string): Promise<string | undefined>;
}

/** Attaches to a container's main process (kubectl attach). Resolves with its exit code once the stream ends, or 0 if it still runs. */
export interface ContainerAttacher {
  attach(id: string, streams: Streams): Promise<number>;
}

/** The runtime calls the server uses. */
export type ServerRuntime = Pick<ContainerRuntime, 'exec' | 'logs' | 'inspect'>;

/** The pods this kubelet runs (as the pod manager has them, statuses included). */
export type PodsSource = () => readonly Pod[];
