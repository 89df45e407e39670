/**
 * GET /containerLogs/{namespace}/{pod}/{container}: a container's stdout and
 * stderr as text/plain (upstream kubelet getContainerLogs). Query parameters
 * are PodLogOptions: follow, previous, sinceSeconds, sinceTime, timestamps,
 * tailLines, limitBytes. A followed log streams until the container exits or
 * the client goes away, whichever comes first.
 *
 * Error answers use upstream's words, e.g. `container "c" in pod "p" is
 * waiting to start: ContainerCreating` (400), so kubectl shows the same
 * message as against a real cluster.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import { HttpError } from './http.js';
import { parseBool } from './remotecommand/protocol.js';
import type { ContainerLocator, PodsSource, ServerRuntime } from './types.js';

export interface LogOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  limitBytes?: number;
}

/** Parses and validates PodLogOptions; errors carry the HTTP code upstream answers with. */
export function parseLogOptions(q: URLSearchParams, now: number = Date.now()): LogOptions {
  const bool = (name: string): boolean => {
    const raw = q.get(name);
    const b = parseBool(raw);
    if (raw !== null && b === undefined) throw new HttpError(400, 'Unable to decode query.');
    return b ?? false;
  };
  const int = (name: string): number | undefined => {
    const raw = q.get(name);
    if (raw === null || raw === '') return undefined;
    if (!/^-?\d+$/.test(raw)) throw new HttpError(400, 'Unable to decode query.');
    return Number(raw);
  };
  const opts: LogOptions = { follow: bool('follow'), previous: bool('previous'), timestamps: bool('timestamps'), tailLines: int('tailLines'), sinceSeconds: int('sinceSeconds'), limitBytes: int('limitBytes') };
  const sinceTime = q.get('sinceTime');
  const problems: string[] = [];
  if (opts.tailLines !== undefined && opts.tailLines < 0) problems.push(`tailLines: Invalid value: ${opts.tailLines}: must be greater than or equal to 0`);
  if (opts.limitBytes !== undefined && opts.limitBytes < 1) problems.push(`limitBytes: Invalid value: ${opts.limitBytes}: must be greater than 0`);
  if (opts.sinceSeconds !== undefined && opts.sinceSeconds < 1) problems.push(`sinceSeconds: Invalid value: ${opts.sinceSeconds}: must be greater than 0`);
  if (sinceTime) {
    if (opts.sinceSeconds !== undefined) problems.push('at most one of `sinceTime` or `sinceSeconds` may be specified');
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw new HttpError(400, 'Unable to decode query.');
    // The runtime takes a duration; round up so the instant itself is included.
    opts.sinceSeconds = Math.max(1, Math.ceil((now - t) / 1000));
  }
  if (problems.length) throw new HttpError(422, problems.length === 1 ? problems[0] : `[${problems.join(', ')}]`);
  return opts;
}

export function findPod(pods: PodsSource, namespace: string, name: string): Pod | undefined {
  return pods().find((p) => p.metadata.namespace === namespace && p.metadata.name === name);
}

/** Every container name of the pod's spec (app, init, ephemeral). */
export function specContainerNames(pod: Pod): string[] {
  const spec = pod.spec as { containers?: { name: string }[]; initContainers?: { name: string }[]; ephemeralContainers?: { name: string }[] } | undefined;
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? []), ...(spec?.ephemeralContainers ?? [])].map((c) => c.name);
}

/** Why there are no logs to show, from the pod's status (upstream validateContainerLogStatus). */
export function noContainerMessage(pod: Pod, container: string, previous: boolean): string {
  const name = pod.metadata.name ?? '';
  if (previous) return `previous terminated container "${container}" in pod "${name}" not found`;
  type Status = { name: string; state?: { waiting?: { reason?: string }; terminated?: unknown } };
  const st = pod.status as { containerStatuses?: Status[]; initContainerStatuses?: Status[]; ephemeralContainerStatuses?: Status[] } | undefined;
  const all = [...(st?.containerStatuses ?? []), ...(st?.initContainerStatuses ?? []), ...(st?.ephemeralContainerStatuses ?? [])];
  const cs = all.find((c) => c.name === container);
  if (cs?.state?.terminated) return `container "${container}" in pod "${name}" is terminated`;
  const reason = cs?.state?.waiting?.reason;
  switch (reason) {
    case 'ErrImagePull':
      return `container "${container}" in pod "${name}" is waiting to start: image can't be pulled`;
    case 'ImagePullBackOff':
      return `container "${container}" in pod "${name}" is waiting to start: trying and failing to pull image`;
    case undefined:
    case '':
      return `container "${container}" in pod "${name}" is waiting to start: ContainerCreating`;
    default:
      return `container "${container}" in pod "${name}" is waiting to start: ${reason}`;
  }
}

export interface LogsDeps {
  runtime: ServerRuntime;
  locator: ContainerLocator;
  pods: PodsSource;
}

export async function serveContainerLogs(req: IncomingMessage, res: ServerResponse, namespace: string, podName: string, container: string, q: URLSearchParams, deps: LogsDeps): Promise<void> {
  const opts = parseLogOptions(q);
  const pod = findPod(deps.pods, namespace, podName);
  if (!pod) throw new HttpError(404, `pod "${podName}" does not exist`);
  if (!specContainerNames(pod).includes(container)) throw new HttpError(404, `container "${container}" not found in pod "${podName}"`);
  const found = await deps.locator.find(namespace, podName, container, { previous: opts.previous });
  if (!found) throw new HttpError(400, noContainerMessage(pod, container, opts.previous));

  let source: NodeJS.ReadableStream;
  try {
    source = await deps.runtime.logs(found.id, { follow: opts.follow, tailLines: opts.tailLines, sinceSeconds: opts.sinceSeconds, timestamps: opts.timestamps });
  } catch (e) {
    throw new HttpError(400, `failed to get logs of container "${container}" in pod "${podName}": ${(e as Error).message}`);
  }
  const stop = (): void => {
    (source as Readable).destroy?.();
  };
  if (req.destroyed || res.destroyed) {
    stop();
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  // kubectl logs -f shows each line as it comes: send headers now rather than with the first byte.
  res.flushHeaders();
  let left = opts.limitBytes ?? Infinity;
  await new Promise<void>((resolve) => {
    const finish = () => {
      source.removeListener('data', onData);
      stop();
      if (!res.writableEnded) res.end();
      resolve();
    };
    const onData = (chunk: Buffer | string) => {
      let b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (b.length >= left) {
        b = b.subarray(0, left);
        left = 0;
        res.write(b);
        finish();
        return;
      }
      left -= b.length;
      if (!res.write(b)) {
        source.pause();
        res.once('drain', () => source.resume());
      }
    };
    source.on('data', onData);
    source.on('end', finish);
    source.on('error', () => {
      // Headers are out: all that can be said is to cut the response short.
      stop();
      res.destroy();
      resolve();
    });
    res.on('close', finish);
  });
}
