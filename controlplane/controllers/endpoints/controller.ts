/**
 * The endpoints controller (upstream pkg/controller/endpoint): for every
 * Service with a selector, an Endpoints object of the same name listing the
 * selected pods' IPs (ready and not ready) and the resolved target ports.
 *
 * - Services without a selector are left alone: their Endpoints are the
 *   user's (hand-made Endpoints for external backends).
 * - A Service deleted → its Endpoints deleted.
 * - Pod events enqueue the Services whose selector matches the pod (before
 *   and after a label change); Endpoints events enqueue their Service, so an
 *   Endpoints object edited or deleted by someone else is put back.
 * - The Endpoints carry the Service's labels; nothing is written when the
 *   computed subsets and labels equal what is stored.
 */
import type { Endpoints, Pod, Service } from '../../api/core/v1/types.js';
import { isNotFound } from '../../client/errors.js';
import { NAMESPACE_INDEX } from '../../client/indexer.js';
import type { SharedInformer } from '../../client/informer.js';
import { resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/types.js';
import { selectorFromSet } from '../../machinery/labels.js';
import { splitKey } from '../../machinery/meta/helpers.js';
import { sameStringMap, semanticEqual } from '../common/equal.js';
import { isNamespaceTerminating } from '../common/errors.js';
import { runLoop } from '../common/loop.js';
import { keyOfMeta } from '../common/pods.js';
import { mutableCopy, type Controller, type ControllerContext, type RO } from '../common/types.js';
import { computeSubsets } from './subsets.js';

export interface EndpointsControllerOptions {
  /** --concurrent-endpoint-syncs. */
  workers: number;
}

const HEADLESS_LABEL = 'service.kubernetes.io/headless';

function hasSelector(svc: RO<Service>): boolean {
  return Object.keys(svc.spec?.selector ?? {}).length > 0;
}

export class EndpointsController implements Controller {
  readonly name = 'endpoint';
  // Immutable after construction.
  readonly queue: WorkQueue;
  private readonly services: SharedInformer<Service>;
  private readonly pods: SharedInformer<Pod>;
  private readonly endpoints: SharedInformer<Endpoints>;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: EndpointsControllerOptions,
  ) {
    this.queue = ctx.newQueue('endpoint');
    this.services = ctx.informers.informerFor(resources.services);
    this.pods = ctx.informers.informerFor(resources.pods);
    this.endpoints = ctx.informers.informerFor(resources.endpoints);
    const enqueueSvc = (s: RO<Service>) => this.queue.add(keyOfMeta(s.metadata));
    this.services.onAdd(enqueueSvc);
    this.services.onUpdate((_o, s) => enqueueSvc(s));
    this.services.onDelete(enqueueSvc);
    this.pods.onAdd((p) => this.enqueueServicesOf(p));
    this.pods.onUpdate((o, p) => {
      if (o.metadata.resourceVersion === p.metadata.resourceVersion) return;
      this.enqueueServicesOf(p);
      if (JSON.stringify(o.metadata.labels ?? {}) !== JSON.stringify(p.metadata.labels ?? {})) this.enqueueServicesOf(o);
    });
    this.pods.onDelete((p) => this.enqueueServicesOf(p));
    // Someone else changed or removed managed Endpoints: recompute (it is a no-op when nothing differs).
    const enqueueEp = (e: RO<Endpoints>) => this.queue.add(keyOfMeta(e.metadata));
    this.endpoints.onUpdate((o, e) => o.metadata.resourceVersion !== e.metadata.resourceVersion && enqueueEp(e));
    this.endpoints.onDelete(enqueueEp);
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop({ name: 'endpoint', informers: [this.services, this.pods, this.endpoints], queue: this.queue, workers: this.opts.workers, sync: (k) => this.sync(k), log: this.ctx.log }, signal);
  }

  private enqueueServicesOf(pod: RO<Pod>): void {
    for (const svc of this.services.lister.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? '')) {
      if (hasSelector(svc) && selectorFromSet(svc.spec!.selector).matches(pod.metadata.labels)) this.queue.add(keyOfMeta(svc.metadata));
    }
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const client = this.ctx.client.resource(resources.endpoints, namespace);
    const svc = this.services.lister.get(key);
    if (!svc) {
      // The Service is gone: so are the Endpoints we kept for it (ignore ones never made).
      if (!this.endpoints.lister.get(key)) return;
      try {
        await client.delete(name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      return;
    }
    if (!hasSelector(svc)) return;
    const selector = selectorFromSet(svc.spec!.selector);
    const pods = this.pods.lister.byIndex(NAMESPACE_INDEX, namespace).filter((p) => selector.matches(p.metadata.labels));
    const subsets = computeSubsets(svc, pods);

    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
    const current = this.endpoints.lister.get(key);
    if (current && semanticEqual(current.subsets ?? [], subsets) && sameStringMap(current.metadata.labels, labels)) return;

    try {
      if (current) {
        const next = mutableCopy<Endpoints>(current);
        next.metadata.labels = labels;
        next.subsets = subsets;
        await client.update(next);
      } else {
        await client.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels }, subsets });
      }
    } catch (e) {
      // The namespace is going away: nothing to keep up to date. Anything else
      // (AlreadyExists or Conflict from a stale cache) is retried with back-off.
      if (isNamespaceTerminating(e)) return;
      throw e;
    }
  }
}
