/**
 * SharedInformerFactory: one informer per (resource, namespace, selectors) in
 * a process, so a controller-manager running twenty controllers lists and
 * watches pods once (client-go informers.SharedInformerFactory).
 *
 * Lifecycle: informerFor() any time; start(signal) starts every informer not
 * yet started (call it again after adding more); waitForCacheSync(signal);
 * shutdown() awaits them all after the signal aborted. run(signal) does
 * start + wait for abort + shutdown for owners that only need that.
 */
import type { Logger } from '../machinery/log/index.js';
import type { KubeObject } from '../machinery/meta/types.js';
import type { Clock } from './clock.js';
import { indexFuncs, LABEL_INDEX, NAMESPACE_INDEX, NODE_NAME_INDEX, OWNER_UID_INDEX, type Indexers } from './indexer.js';
import { SharedInformer } from './informer.js';
import type { Client } from './interfaces.js';
import { refString, type ResourceRef } from './resources.js';

export interface FactoryOptions {
  /** Default resync (--min-resync-period); 0 = none. Each informer randomises it in [1×, 2×). */
  resyncMs?: number;
  /** Restrict every informer to one namespace. */
  namespace?: string;
  clock?: Clock;
  log?: Logger;
  rand?: () => number;
}

export interface InformerFor {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resyncMs?: number;
}

/** The indexers every informer gets: namespace, owner UID, label key=value, and node name for pods. */
export function defaultIndexers<T extends KubeObject>(r: ResourceRef<T>): Indexers<T> {
  const ix: Record<string, (o: T) => readonly string[]> = {
    [NAMESPACE_INDEX]: indexFuncs.namespace,
    [OWNER_UID_INDEX]: indexFuncs.ownerUID,
    [LABEL_INDEX]: indexFuncs.label,
  };
  if (r.group === '' && r.resource === 'pods') ix[NODE_NAME_INDEX] = indexFuncs.nodeName;
  return ix;
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformer<KubeObject>>();
  private readonly started = new Map<string, Promise<void>>();

  constructor(
    private readonly client: Client,
    private readonly opts: FactoryOptions = {},
  ) {}

  /** The shared informer for this resource and selection (created on first use). */
  informerFor<T extends KubeObject>(r: ResourceRef<T>, sel: InformerFor = {}): SharedInformer<T> {
    const ns = sel.namespace ?? this.opts.namespace;
    const key = [refString(r), ns ?? '', sel.labelSelector ?? '', sel.fieldSelector ?? ''].join('|');
    let inf = this.informers.get(key) as SharedInformer<T> | undefined;
    if (!inf) {
      inf = new SharedInformer<T>(this.client.resource(r, ns), {
        labelSelector: sel.labelSelector,
        fieldSelector: sel.fieldSelector,
        resyncMs: sel.resyncMs ?? this.opts.resyncMs,
        indexers: defaultIndexers(r),
        clock: this.opts.clock,
        log: this.opts.log?.child({ informer: r.resource }),
        rand: this.opts.rand,
        name: r.resource,
      });
      this.informers.set(key, inf as unknown as SharedInformer<KubeObject>);
    }
    return inf;
  }

  /** Starts informers not yet started. Non-blocking; shutdown() awaits them. */
  start(signal: AbortSignal): void {
    for (const [k, inf] of this.informers) {
      if (this.started.has(k)) continue;
      // run() only rejects on programming errors; keep the promise so shutdown() surfaces it.
      this.started.set(k, inf.run(signal));
    }
  }

  /** True once every started informer has synced; false if signal aborts first. */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  /** Awaits every started informer (abort their signal first). */
  async shutdown(): Promise<void> {
    await Promise.all(this.started.values());
  }

  async run(signal: AbortSignal): Promise<void> {
    this.start(signal);
    if (!signal.aborted) await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    await this.shutdown();
  }
}
