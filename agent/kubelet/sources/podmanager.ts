/**
 * The desired pods of this node, merged from every source (upstream
 * config.PodConfig + pod.Manager): API pods by UID, static pods (file, http)
 * by UID, and the mirror pods that stand for static pods in the API.
 *
 * - Sources write: file/http hand over complete sets (setSource), the API
 *   informer adds/updates/deletes one pod at a time.
 * - onChange(uid) fires when a pod appears, goes, or changes in anything but
 *   its status (our own status writes must not re-trigger syncs); a mirror
 *   pod's change fires for the static pod it mirrors.
 * - Mirror pods (annotation kubernetes.io/config.mirror) are never run;
 *   they are kept by namespace/name for the static pod of that name.
 * Objects handed out are shared: DeepReadonly.
 */
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';
import { ANNOTATION, isStaticSource, type PodSource } from './types.js';

export interface DesiredPod {
  pod: DeepReadonly<Pod>;
  source: PodSource;
}

export function fullName(p: { metadata: { namespace?: string; name?: string } }): string {
  return `${p.metadata.namespace ?? 'default'}/${p.metadata.name ?? ''}`;
}

export function isMirrorPod(p: DeepReadonly<Pod>): boolean {
  return p.metadata.annotations?.[ANNOTATION.mirror] !== undefined;
}

/** What a sync depends on: everything but status and bookkeeping metadata. */
function syncKey(p: DeepReadonly<Pod>): string {
  const m = p.metadata;
  return JSON.stringify([p.spec, m.labels, m.annotations, m.deletionTimestamp, m.deletionGracePeriodSeconds]);
}

export class PodManager {
  // Guarded by nothing (single-threaded).
  private readonly bySource = new Map<PodSource, Map<string, DeepReadonly<Pod>>>();
  private readonly mirrors = new Map<string, DeepReadonly<Pod>>();
  private readonly reported = new Set<PodSource>();
  private readonly handlers: ((uid: string) => void)[] = [];

  onChange(h: (uid: string) => void): void {
    this.handlers.push(h);
  }

  private emit(uid: string): void {
    for (const h of this.handlers) h(uid);
  }

  private sourceMap(s: PodSource): Map<string, DeepReadonly<Pod>> {
    let m = this.bySource.get(s);
    if (!m) this.bySource.set(s, (m = new Map()));
    return m;
  }

  /** A source's complete set (file, http). */
  setSource(source: PodSource, pods: readonly DeepReadonly<Pod>[]): void {
    this.reported.add(source);
    const m = this.sourceMap(source);
    const next = new Map(pods.map((p) => [p.metadata.uid ?? '', p] as const));
    const changed: string[] = [];
    for (const uid of m.keys()) if (!next.has(uid)) changed.push(uid);
    for (const [uid, p] of next) {
      const old = m.get(uid);
      if (!old || syncKey(old) !== syncKey(p)) changed.push(uid);
    }
    m.clear();
    for (const [uid, p] of next) m.set(uid, p);
    for (const uid of changed) this.emit(uid);
  }

  markReported(source: PodSource): void {
    this.reported.add(source);
  }

  /** Whether every expected source has reported once (before that, nothing is cleaned up as orphaned). */
  sourcesReady(expected: readonly PodSource[]): boolean {
    return expected.every((s) => this.reported.has(s));
  }

  /** An API pod added or updated (status-only updates are stored but do not fire). */
  apiUpsert(pod: DeepReadonly<Pod>): void {
    if (isMirrorPod(pod)) {
      const key = fullName(pod);
      const old = this.mirrors.get(key);
      this.mirrors.set(key, pod);
      if (!old || old.metadata.uid !== pod.metadata.uid || syncKey(old) !== syncKey(pod)) {
        const st = this.staticByFullName(key);
        if (st) this.emit(st.metadata.uid ?? '');
      }
      return;
    }
    const m = this.sourceMap('api');
    const uid = pod.metadata.uid ?? '';
    const old = m.get(uid);
    m.set(uid, pod);
    if (!old || syncKey(old) !== syncKey(pod)) this.emit(uid);
  }

  apiDelete(pod: DeepReadonly<Pod>): void {
    if (isMirrorPod(pod)) {
      const key = fullName(pod);
      if (this.mirrors.get(key)?.metadata.uid === pod.metadata.uid) this.mirrors.delete(key);
      const st = this.staticByFullName(key);
      if (st) this.emit(st.metadata.uid ?? '');
      return;
    }
    const uid = pod.metadata.uid ?? '';
    if (this.sourceMap('api').delete(uid)) this.emit(uid);
  }

  get(uid: string): DesiredPod | undefined {
    for (const [source, m] of this.bySource) {
      const pod = m.get(uid);
      if (pod) return { pod, source };
    }
    return undefined;
  }

  all(): DesiredPod[] {
    const out: DesiredPod[] = [];
    for (const [source, m] of this.bySource) for (const pod of m.values()) out.push({ pod, source });
    return out;
  }

  uids(): Set<string> {
    const s = new Set<string>();
    for (const m of this.bySource.values()) for (const uid of m.keys()) s.add(uid);
    return s;
  }

  mirrorOf(pod: DeepReadonly<Pod>): DeepReadonly<Pod> | undefined {
    return this.mirrors.get(fullName(pod));
  }

  mirrorPods(): DeepReadonly<Pod>[] {
    return [...this.mirrors.values()];
  }

  staticByFullName(key: string): DeepReadonly<Pod> | undefined {
    for (const [source, m] of this.bySource) {
      if (!isStaticSource(source)) continue;
      for (const p of m.values()) if (fullName(p) === key) return p;
    }
    return undefined;
  }
}
