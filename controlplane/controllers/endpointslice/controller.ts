/**
 * The EndpointSlice controller (upstream pkg/controller/endpointslice): for
 * every Service with a selector, discovery.k8s.io/v1 EndpointSlices
 * (`kubectl describe service` reads its endpoints from them). Slices are
 * named `<service>-<random>`, labelled kubernetes.io/service-name and
 * endpointslice.kubernetes.io/managed-by, and owned by their Service, so the
 * garbage collector removes them with it (and this controller too, when it
 * sees the Service gone). Services without a selector are left alone.
 *
 * Slices are created under generated names, so a sync working from a cache
 * that has not yet shown this controller's own creates would create them
 * again: expectations (creates and deletes per Service) hold the next sync
 * back until the informer has caught up, as upstream's slice tracker does.
 */
import type { Pod, Service } from '../../api/core/v1/types.js';
import type { EndpointSlice } from '../../api/discovery/v1/types.js';
import { isNotFound } from '../../client/errors.js';
import { LABEL_INDEX, NAMESPACE_INDEX } from '../../client/indexer.js';
import type { SharedInformer } from '../../client/informer.js';
import { resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/types.js';
import { selectorFromSet } from '../../machinery/labels.js';
import { splitKey } from '../../machinery/meta/helpers.js';
import { sameStringMap, semanticEqual } from '../common/equal.js';
import { isNamespaceTerminating } from '../common/errors.js';
import { ControllerExpectations } from '../common/expectations.js';
import { runLoop } from '../common/loop.js';
import { newControllerRef } from '../common/owners.js';
import { keyOfMeta } from '../common/pods.js';
import { mutableCopy, type Controller, type ControllerContext, type RO } from '../common/types.js';
import { desiredSlices, portsKey, type DesiredSlice } from './slices.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';

const hasSelector = (svc: RO<Service>) => Object.keys(svc.spec?.selector ?? {}).length > 0;

export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice';
  readonly queue: WorkQueue;
  private readonly services: SharedInformer<Service>;
  private readonly pods: SharedInformer<Pod>;
  private readonly slices: SharedInformer<EndpointSlice>;
  readonly expectations: ControllerExpectations;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly workers = 5,
  ) {
    this.queue = ctx.newQueue('endpoint_slice');
    this.expectations = new ControllerExpectations(ctx.clock);
    this.services = ctx.informers.informerFor(resources.services);
    this.pods = ctx.informers.informerFor(resources.pods);
    this.slices = ctx.informers.informerFor(resources.endpointslices);
    const svcKey = (s: RO<Service>) => this.queue.add(keyOfMeta(s.metadata));
    this.services.onAdd(svcKey);
    this.services.onUpdate((_o, s) => svcKey(s));
    this.services.onDelete(svcKey);
    this.pods.onAdd((p) => this.enqueueServicesOf(p));
    this.pods.onUpdate((o, p) => {
      if (o.metadata.resourceVersion === p.metadata.resourceVersion) return;
      this.enqueueServicesOf(p);
      if (!sameStringMap(o.metadata.labels, p.metadata.labels)) this.enqueueServicesOf(o);
    });
    this.pods.onDelete((p) => this.enqueueServicesOf(p));
    // Our slices arriving or leaving settle expectations; a managed slice
    // changed or deleted by someone else is put back.
    const serviceOf = (s: RO<EndpointSlice>) => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      return svc && s.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY ? `${s.metadata.namespace}/${svc}` : undefined;
    };
    this.slices.onAdd((s) => {
      const k = serviceOf(s);
      if (!k) return;
      this.expectations.creationObserved(k);
      this.queue.add(k);
    });
    this.slices.onUpdate((o, s) => {
      const k = serviceOf(s);
      if (k && o.metadata.resourceVersion !== s.metadata.resourceVersion) this.queue.add(k);
    });
    this.slices.onDelete((s) => {
      const k = serviceOf(s);
      if (!k) return;
      this.expectations.deletionObserved(k, keyOfMeta(s.metadata));
      this.queue.add(k);
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop({ name: 'endpointslice', informers: [this.services, this.pods, this.slices], queue: this.queue, workers: this.workers, sync: (k) => this.sync(k), log: this.ctx.log }, signal);
  }

  private enqueueServicesOf(pod: RO<Pod>): void {
    for (const svc of this.services.lister.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? '')) {
      if (hasSelector(svc) && selectorFromSet(svc.spec!.selector).matches(pod.metadata.labels)) this.queue.add(keyOfMeta(svc.metadata));
    }
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    if (!this.expectations.satisfied(key)) {
      // Our last creates/deletes are not in the cache yet; their events requeue us (this is the safety net).
      this.queue.addAfter(key, 1000);
      return;
    }
    const client = this.ctx.client.resource(resources.endpointslices, namespace);
    const existing = this.slices.lister
      .byIndex(LABEL_INDEX, `${SERVICE_NAME_LABEL}=${name}`)
      .filter((s) => s.metadata.namespace === namespace && s.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY);
    const svc = this.services.lister.get(key);
    if (!svc || !hasSelector(svc)) {
      // Gone, or no longer selecting: the slices we made go (hand-made ones stay).
      for (const s of existing) await ignoreNotFound(client.delete(s.metadata.name ?? ''));
      this.expectations.delete(key);
      return;
    }
    const selector = selectorFromSet(svc.spec!.selector);
    const pods = this.pods.lister.byIndex(NAMESPACE_INDEX, namespace).filter((p) => selector.matches(p.metadata.labels));
    const desired = desiredSlices(svc, pods);
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: MANAGED_BY };
    const plan = planSlices(existing, desired, labels);
    const newSlice = (endpoints: EndpointSlice['endpoints'], ports: EndpointSlice['ports']): EndpointSlice => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { generateName: `${name}-`, namespace, labels, ownerReferences: [newControllerRef(svc, 'v1', 'Service')] },
      addressType: 'IPv4',
      endpoints,
      ports,
    });
    this.expectations.expect(key, plan.create.length, plan.remove.map((s) => keyOfMeta(s.metadata)));
    try {
      for (const u of plan.update) await client.update(u);
      for (let i = 0; i < plan.create.length; i++) {
        try {
          await client.create(newSlice(plan.create[i].endpoints, plan.create[i].ports));
        } catch (e) {
          // This one and the ones not attempted will never be observed.
          for (let j = i; j < plan.create.length; j++) this.expectations.creationObserved(key);
          throw e;
        }
      }
      for (const r of plan.remove) {
        try {
          await client.delete(r.metadata.name ?? '');
        } catch (e) {
          this.expectations.deletionObserved(key, keyOfMeta(r.metadata));
          if (!isNotFound(e)) throw e;
        }
      }
    } catch (e) {
      if (isNamespaceTerminating(e)) return;
      throw e;
    }
  }
}

export interface SlicePlan {
  update: EndpointSlice[];
  create: { endpoints: EndpointSlice['endpoints']; ports: EndpointSlice['ports'] }[];
  remove: RO<EndpointSlice>[];
}

/**
 * Existing slices → desired ones: a slice of the same port set is reused
 * (updated only if it differs), the rest created, leftovers removed. A
 * selecting Service with no endpoints keeps one empty slice, as upstream
 * keeps a placeholder.
 */
export function planSlices(existing: readonly RO<EndpointSlice>[], desired: readonly DesiredSlice[], labels: Record<string, string>): SlicePlan {
  const plan: SlicePlan = { update: [], create: [], remove: [] };
  const want = desired.length > 0 ? desired : [{ key: '', ports: [], endpoints: [] }];
  const unused = new Set(existing);
  for (const d of want) {
    const match = [...unused].find((s) => portsKey(s.ports ?? []) === d.key) ?? (desired.length === 0 ? [...unused][0] : undefined);
    if (!match) {
      plan.create.push({ endpoints: d.endpoints, ports: d.ports });
      continue;
    }
    unused.delete(match);
    if (semanticEqual(match.endpoints, d.endpoints) && semanticEqual(match.ports, d.ports) && sameStringMap(match.metadata.labels, labels)) continue;
    const next = mutableCopy<EndpointSlice>(match);
    next.metadata.labels = labels;
    next.endpoints = d.endpoints;
    next.ports = d.ports;
    plan.update.push(next);
  }
  plan.remove.push(...unused);
  return plan;
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}
