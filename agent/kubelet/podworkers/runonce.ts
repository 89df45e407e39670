/**
 * --runonce (upstream kubelet runonce.go): read the static sources once,
 * start their pods, wait until each is running (or has finished), report,
 * and exit — 0 when every pod ran, 1 otherwise. The pods keep running after
 * the kubelet exits. Retries double from 1 s, at most 10 times per pod.
 */
import type { Logger } from '../../../controlplane/machinery/log/index.js';
import type { Kubelet } from '../kubelet.js';
import type { PodLifecycleEventGenerator } from '../pleg/types.js';
import type { FileSource } from '../sources/file.js';
import type { HttpSource } from '../sources/http.js';
import type { PodManager } from '../sources/podmanager.js';

export const RUNONCE_MAX_RETRIES = 10;
export const RUNONCE_RETRY_DELAY_MS = 1000;

export interface RunOnceOptions {
  kubelet: Kubelet;
  podManager: PodManager;
  pleg: PodLifecycleEventGenerator;
  fileSource?: FileSource;
  httpSource?: HttpSource;
  log: Logger;
  signal: AbortSignal;
}

export async function runOnce(o: RunOnceOptions): Promise<number> {
  if (o.fileSource) o.podManager.setSource('file', await o.fileSource.read());
  if (o.httpSource) o.podManager.setSource('http', (await o.httpSource.read(o.signal)) ?? []);
  const pods = o.podManager.all();
  o.log.info('runonce: starting pods', { count: pods.length });
  // The PLEG runs only while pods are being started.
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  const plegRun = o.pleg.run(ac.signal);
  try {
    return await startAll(o, pods.map((d) => d.pod));
  } finally {
    ac.abort();
    o.signal.removeEventListener('abort', onAbort);
    await plegRun;
  }
}

async function startAll(o: RunOnceOptions, pods: ReturnType<PodManager['all']>[number]['pod'][]): Promise<number> {
  let failed = 0;
  for (const pod of pods) {
    const uid = pod.metadata.uid ?? '';
    let delay = RUNONCE_RETRY_DELAY_MS;
    let ok = false;
    for (let i = 0; i < RUNONCE_MAX_RETRIES && !o.signal.aborted; i++) {
      await o.kubelet.syncPod(uid, o.signal).catch((e: unknown) => o.log.warn('runonce: sync failed', { pod: pod.metadata.name, err: (e as Error).message }));
      const rs = await o.pleg.statusNewerThan(uid, Date.now(), o.signal);
      const specs = pod.spec?.containers ?? [];
      if (rs && specs.every((c) => rs.containers.some((x) => x.containerName === c.name && (x.state === 'running' || (x.state === 'exited' && x.exitCode === 0))))) {
        ok = true;
        break;
      }
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
    if (ok) o.log.info('runonce: pod is running', { pod: pod.metadata.name });
    else {
      failed++;
      o.log.error('runonce: pod did not start', { pod: pod.metadata.name });
    }
  }
  return failed === 0 ? 0 : 1;
}
