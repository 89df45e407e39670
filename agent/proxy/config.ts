/**
 * The informer adapter (upstream pkg/proxy/config): keeps informers out of
 * the proxiers. It registers on a Services (or Endpoints) informer, checks
 * that what arrives is the object it should be, unwraps a tombstone (the
 * last known state of an object whose delete the watch missed, client-go's
 * DeletedFinalStateUnknown), fans out to typed handlers, and calls
 * on*Synced() exactly once, after the informer's first list was delivered —
 * a proxier must not write rules from a half-filled cache (an empty cache
 * would mean "delete every service").
 *
 * run(signal) waits for the sync; the informers themselves are run by their
 * factory.
 */
import type { Informer } from '../../controlplane/client/types.js';
import type { Logger } from '../../controlplane/machinery/log/index.js';
import type { EndpointsHandler, EndpointsObj, ServiceHandler, ServiceObj } from './types.js';

/** client-go's DeletedFinalStateUnknown: a key plus the last state seen. */
export interface Tombstone<T> {
  readonly key: string;
  readonly obj: T;
}

function hasMeta(x: unknown): x is { metadata: { name?: string } } {
  return typeof x === 'object' && x !== null && typeof (x as { metadata?: unknown }).metadata === 'object' && (x as { metadata: unknown }).metadata !== null;
}

function isTombstone(x: unknown): x is Tombstone<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { key?: unknown }).key === 'string' && 'obj' in x;
}

/** The object itself, the object inside a tombstone, or undefined for anything else. */
export function unwrap<T>(x: unknown, isKind: (o: { metadata: { name?: string } }) => boolean): T | undefined {
  const o = isTombstone(x) ? x.obj : x;
  if (!hasMeta(o)) return undefined;
  if (!isKind(o)) return undefined;
  return o as unknown as T;
}

function looksLikeService(o: { metadata: object }): boolean {
  const k = (o as { kind?: string }).kind;
  return k === undefined || k === 'Service';
}

function looksLikeEndpoints(o: { metadata: object }): boolean {
  const k = (o as { kind?: string }).kind;
  return k === undefined || k === 'Endpoints';
}

/** An informer that can be awaited until its first list was delivered (SharedInformer is one). */
export type SyncedInformer<T> = Informer<T> & { waitForSync(signal?: AbortSignal): Promise<boolean> };

abstract class ConfigAdapter<T> {
  private synced = false;

  constructor(
    protected readonly informer: SyncedInformer<T>,
    protected readonly log: Logger | undefined,
    private readonly what: string,
  ) {}

  protected checked<U>(x: unknown, isKind: (o: { metadata: object }) => boolean): U | undefined {
    const o = unwrap<U>(x, isKind);
    if (o === undefined) this.log?.error(`${this.what} config: unexpected object in an event; ignored`, { type: typeof x });
    return o;
  }

  protected abstract notifySynced(): void;

  /** Resolves once the informer has synced and the handlers were told; returns early on abort. */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.informer.waitForSync(signal))) return;
    if (this.synced) return;
    this.synced = true;
    this.log?.v(2).info(`${this.what} config: caches synced`);
    this.notifySynced();
  }
}

/** Services → ServiceHandler[]. Register handlers before the informer runs. */
export class ServiceConfig extends ConfigAdapter<ServiceObj> {
  private readonly handlers: ServiceHandler[] = [];

  constructor(informer: SyncedInformer<ServiceObj>, log?: Logger) {
    super(informer, log, 'service');
    informer.onAdd((o) => {
      const s = this.checked<ServiceObj>(o, looksLikeService);
      if (s) for (const h of this.handlers) h.onServiceAdd(s);
    });
    informer.onUpdate((a, b) => {
      const o = this.checked<ServiceObj>(a, looksLikeService);
      const s = this.checked<ServiceObj>(b, looksLikeService);
      if (o && s) for (const h of this.handlers) h.onServiceUpdate(o, s);
    });
    informer.onDelete((o) => {
      const s = this.checked<ServiceObj>(o, looksLikeService);
      if (s) for (const h of this.handlers) h.onServiceDelete(s);
    });
  }

  register(h: ServiceHandler): void {
    this.handlers.push(h);
  }

  protected notifySynced(): void {
    for (const h of this.handlers) h.onServicesSynced();
  }
}

/** Endpoints → EndpointsHandler[]. */
export class EndpointsConfig extends ConfigAdapter<EndpointsObj> {
  private readonly handlers: EndpointsHandler[] = [];

  constructor(informer: SyncedInformer<EndpointsObj>, log?: Logger) {
    super(informer, log, 'endpoints');
    informer.onAdd((o) => {
      const e = this.checked<EndpointsObj>(o, looksLikeEndpoints);
      if (e) for (const h of this.handlers) h.onEndpointsAdd(e);
    });
    informer.onUpdate((a, b) => {
      const o = this.checked<EndpointsObj>(a, looksLikeEndpoints);
      const e = this.checked<EndpointsObj>(b, looksLikeEndpoints);
      if (o && e) for (const h of this.handlers) h.onEndpointsUpdate(o, e);
    });
    informer.onDelete((o) => {
      const e = this.checked<EndpointsObj>(o, looksLikeEndpoints);
      if (e) for (const h of this.handlers) h.onEndpointsDelete(e);
    });
  }

  register(h: EndpointsHandler): void {
    this.handlers.push(h);
  }

  protected notifySynced(): void {
    for (const h of this.handlers) h.onEndpointsSynced();
  }
}
