/**
 * The scheduler's picture of the cluster (upstream internal/cache): nodes,
 * the pods bound to them, and pods *assumed* onto a node the moment the
 * scheduler decided, before the apiserver confirmed the binding. Counting
 * assumed pods at once is what lets the next decision, milliseconds later,
 * see the room this one took.
 *
 * Life of an assumed pod:
 *   assumePod → (bind POST in flight) → finishBinding → the informer delivers
 *   the bound pod → addPod confirms it (assumption cleared).
 *   A failed bind → forgetPod. A bind that succeeded but whose pod never
 *   showed up (missed event) expires ttlMs after finishBinding.
 *
 * Single-threaded owner: the scheduler's informer handlers and its loop call
 * these methods; a scheduling cycle reads NodeInfos synchronously in between.
 */
import { realClock, type Clock } from '../../client/clock.js';
import { NodeInfo, podEntry, type PodEntry } from '../framework/nodeinfo.js';
import { podKey, type RNode, type RPod } from '../types.js';

interface PodState {
  entry: PodEntry;
  nodeName: string;
  assumed: boolean;
  bindingFinished: boolean;
  deadline: number;
}

export interface CacheOptions {
  /** How long a bound-but-unconfirmed assumption lives (upstream 30 s in 1.8). */
  ttlMs?: number;
  clock?: Clock;
}

export class SchedulerCache {
  private readonly clock: Clock;
  private readonly ttlMs: number;
  /** Every NodeInfo, including ones for pods whose Node object is gone or not yet seen. */
  private readonly infos = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, PodState>();
  private readonly imageCounts = new Map<string, number>();
  private list: NodeInfo[] | undefined;

  constructor(opts: CacheOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.ttlMs = opts.ttlMs ?? 30_000;
  }

  // ---- nodes --------------------------------------------------------------

  /** NodeInfos with a Node object, in insertion order (stable across cycles, so sampling rotates fairly). */
  get nodes(): readonly NodeInfo[] {
    if (!this.list) this.list = [...this.infos.values()].filter((n) => n.node !== undefined);
    return this.list;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    const n = this.infos.get(name);
    return n?.node ? n : undefined;
  }

  imageNodeCount(image: string): number {
    return this.imageCounts.get(image) ?? 0;
  }

  addNode(node: RNode): void {
    const name = node.metadata.name ?? '';
    let info = this.infos.get(name);
    if (!info) {
      info = new NodeInfo(name);
      this.infos.set(name, info);
    }
    if (info.node === undefined) this.list = undefined;
    this.countImages(info, -1);
    info.setNode(node);
    this.countImages(info, 1);
  }

  updateNode(node: RNode): void {
    this.addNode(node);
  }

  removeNode(node: RNode): void {
    const name = node.metadata.name ?? '';
    const info = this.infos.get(name);
    if (!info) return;
    this.countImages(info, -1);
    // Pods may still point at the node (they are deleted after it); keep their accounting until then.
    if (info.pods.size === 0) this.infos.delete(name);
    else info.node = undefined;
    this.list = undefined;
  }

  private countImages(info: NodeInfo, delta: number): void {
    if (!info.node) return;
    for (const img of info.images.keys()) {
      const n = (this.imageCounts.get(img) ?? 0) + delta;
      if (n <= 0) this.imageCounts.delete(img);
      else this.imageCounts.set(img, n);
    }
  }

  // ---- pods -----------------------------------------------------------------

  get podCount(): number {
    return this.pods.size;
  }

  isAssumed(key: string): boolean {
    return this.pods.get(key)?.assumed ?? false;
  }

  /** True when the cache has the pod (bound or assumed). */
  hasPod(key: string): boolean {
    return this.pods.has(key);
  }

  /** Counts pod (a copy with spec.nodeName set) on its node now. Throws if the pod is already in the cache. */
  assumePod(pod: RPod): void {
    const key = podKey(pod);
    if (this.pods.has(key)) throw new Error(`pod ${key} is in the cache, so can't be assumed`);
    const nodeName = pod.spec?.nodeName ?? '';
    const entry = podEntry(pod);
    this.nodeFor(nodeName).addPod(entry);
    this.pods.set(key, { entry, nodeName, assumed: true, bindingFinished: false, deadline: 0 });
  }

  /** The bind call returned: start the assumption's expiry clock. */
  finishBinding(pod: RPod): void {
    const s = this.pods.get(podKey(pod));
    if (!s || !s.assumed) return;
    s.bindingFinished = true;
    s.deadline = this.clock.now() + this.ttlMs;
  }

  /** The bind failed: undo the assumption. */
  forgetPod(pod: RPod): void {
    const key = podKey(pod);
    const s = this.pods.get(key);
    if (!s || !s.assumed) return;
    this.removeState(key, s);
  }

  /** An assigned pod from the informer: confirms an assumption, or adds it. */
  addPod(pod: RPod): void {
    const key = podKey(pod);
    const s = this.pods.get(key);
    if (s) this.removeState(key, s);
    const nodeName = pod.spec?.nodeName ?? '';
    const entry = podEntry(pod);
    this.nodeFor(nodeName).addPod(entry);
    this.pods.set(key, { entry, nodeName, assumed: false, bindingFinished: false, deadline: 0 });
  }

  updatePod(pod: RPod): void {
    this.addPod(pod);
  }

  removePod(pod: RPod): void {
    const key = podKey(pod);
    const s = this.pods.get(key);
    if (s) this.removeState(key, s);
  }

  /** Drops assumptions whose binding finished ttlMs ago without the informer confirming them. Returns their keys. */
  cleanupExpired(): string[] {
    const now = this.clock.now();
    const out: string[] = [];
    for (const [key, s] of this.pods) {
      if (s.assumed && s.bindingFinished && s.deadline <= now) {
        this.removeState(key, s);
        out.push(key);
      }
    }
    return out;
  }

  private removeState(key: string, s: PodState): void {
    this.pods.delete(key);
    const info = this.infos.get(s.nodeName);
    if (!info) return;
    info.removePod(key);
    if (!info.node && info.pods.size === 0) this.infos.delete(s.nodeName);
  }

  private nodeFor(name: string): NodeInfo {
    let info = this.infos.get(name);
    if (!info) {
      info = new NodeInfo(name);
      this.infos.set(name, info);
    }
    return info;
  }

  /** Expires assumptions every second until signal aborts. */
  async run(signal: AbortSignal, onExpired?: (keys: string[]) => void): Promise<void> {
    while (!signal.aborted) {
      await this.clock.sleep(1000, signal);
      const keys = this.cleanupExpired();
      if (keys.length) onExpired?.(keys);
    }
  }
}
