/**
 * The service account controller (upstream pkg/controller/serviceaccount):
 * every namespace has a `default` ServiceAccount. Namespaces are the keys; a
 * deleted default account enqueues its namespace, so it comes back. Token
 * secrets are the token controller's job (not here).
 */
import type { Namespace, ServiceAccount } from '../../api/core/v1/types.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import type { SharedInformer } from '../../client/informer.js';
import { resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/types.js';
import { isNamespaceTerminating } from '../common/errors.js';
import { runLoop } from '../common/loop.js';
import type { Controller, ControllerContext, RO } from '../common/types.js';

export interface ServiceAccountsControllerOptions {
  workers?: number;
  /** The accounts every namespace gets. Default ['default']. */
  names?: readonly string[];
}

export class ServiceAccountsController implements Controller {
  readonly name = 'serviceaccount';
  // Immutable after construction.
  readonly queue: WorkQueue;
  private readonly namespaces: SharedInformer<Namespace>;
  private readonly accounts: SharedInformer<ServiceAccount>;
  private readonly names: readonly string[];

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: ServiceAccountsControllerOptions = {},
  ) {
    this.names = opts.names ?? ['default'];
    this.queue = ctx.newQueue('serviceaccount');
    this.namespaces = ctx.informers.informerFor(resources.namespaces);
    this.accounts = ctx.informers.informerFor(resources.serviceaccounts);
    this.namespaces.onAdd((ns) => this.queue.add(ns.metadata.name ?? ''));
    this.namespaces.onUpdate((_o, ns) => this.queue.add(ns.metadata.name ?? ''));
    this.accounts.onDelete((sa: RO<ServiceAccount>) => {
      if (this.names.includes(sa.metadata.name ?? '')) this.queue.add(sa.metadata.namespace ?? '');
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop(
      { name: 'serviceaccount', informers: [this.namespaces, this.accounts], queue: this.queue, workers: this.opts.workers ?? 1, sync: (k) => this.sync(k), log: this.ctx.log },
      signal,
    );
  }

  async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.lister.get(namespace);
    // A namespace on its way out gets nothing new.
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    const client = this.ctx.client.resource(resources.serviceaccounts, namespace);
    for (const name of this.names) {
      if (this.accounts.lister.get(`${namespace}/${name}`)) continue;
      try {
        await client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
      } catch (e) {
        // Made meanwhile (a stale cache), or the namespace vanished or is terminating: nothing to do.
        if (isAlreadyExists(e) || isNotFound(e) || isNamespaceTerminating(e)) continue;
        throw e;
      }
    }
  }
}
