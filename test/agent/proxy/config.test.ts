/** The informer adapter: typed fan-out, tombstones, wrong objects, synced once. */
import test from 'ava';
import type { AddHandler, DeleteHandler, Lister, UpdateHandler } from '../../../controlplane/client/types.js';
import { EndpointsConfig, ServiceConfig, type SyncedInformer } from '../../../agent/proxy/config.js';
import type { EndpointsObj, ServiceHandler, ServiceObj } from '../../../agent/proxy/types.js';
import { eps, quietLogger, subset, svc } from './fixtures.js';

class FakeInformer<T> implements SyncedInformer<T> {
  adds: AddHandler<T>[] = [];
  updates: UpdateHandler<T>[] = [];
  deletes: DeleteHandler<T>[] = [];
  private synced = false;
  private waiters: (() => void)[] = [];
  readonly lister = { get: () => undefined, list: () => [], byIndex: () => [] } as Lister<T>;
  onAdd(h: AddHandler<T>) {
    this.adds.push(h);
  }
  onUpdate(h: UpdateHandler<T>) {
    this.updates.push(h);
  }
  onDelete(h: DeleteHandler<T>) {
    this.deletes.push(h);
  }
  hasSynced() {
    return this.synced;
  }
  async run() {}
  markSynced() {
    this.synced = true;
    for (const w of this.waiters.splice(0)) w();
  }
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    return new Promise((r) => {
      signal?.addEventListener('abort', () => r(false), { once: true });
      this.waiters.push(() => r(true));
    });
  }
}

class Recorder implements ServiceHandler {
  events: string[] = [];
  onServiceAdd(s: ServiceObj) {
    this.events.push(`add ${s.metadata.name}`);
  }
  onServiceUpdate(o: ServiceObj, s: ServiceObj) {
    this.events.push(`update ${o.metadata.name}->${s.metadata.resourceVersion}`);
  }
  onServiceDelete(s: ServiceObj) {
    this.events.push(`delete ${s.metadata.name}`);
  }
  onServicesSynced() {
    this.events.push('synced');
  }
}

test('events fan out to every registered handler; synced once after the informer synced', async (t) => {
  const inf = new FakeInformer<ServiceObj>();
  const cfg = new ServiceConfig(inf, quietLogger());
  const a = new Recorder();
  const b = new Recorder();
  cfg.register(a);
  cfg.register(b);
  const s = svc('ns', 'a', { clusterIP: '10.0.0.1', ports: [{ port: 80 }] });
  inf.adds[0](s);
  inf.updates[0](s, { ...s, metadata: { ...s.metadata, resourceVersion: '2' } });
  const ac = new AbortController();
  const running = cfg.run(ac.signal);
  inf.markSynced();
  await running;
  await cfg.run(ac.signal);
  inf.deletes[0](s);
  t.deepEqual(a.events, ['add a', 'update a->2', 'synced', 'delete a']);
  t.deepEqual(b.events, a.events);
});

test('a tombstone is unwrapped; objects of the wrong kind are ignored', (t) => {
  const inf = new FakeInformer<ServiceObj>();
  const cfg = new ServiceConfig(inf, quietLogger());
  const r = new Recorder();
  cfg.register(r);
  const s = svc('ns', 'gone', { clusterIP: '10.0.0.1', ports: [{ port: 80 }] });
  // What client-go hands out when the watch missed the delete: the key and the last state.
  (inf.deletes[0] as (o: unknown) => void)({ key: 'ns/gone', obj: s });
  (inf.adds[0] as (o: unknown) => void)(eps('ns', 'x', [subset(['10.1.0.1'], [{ port: 80 }])]));
  (inf.adds[0] as (o: unknown) => void)('not an object');
  t.deepEqual(r.events, ['delete gone']);
});

test('no synced call when aborted before the informer synced', async (t) => {
  const inf = new FakeInformer<EndpointsObj>();
  const cfg = new EndpointsConfig(inf, quietLogger());
  let synced = 0;
  cfg.register({ onEndpointsAdd() {}, onEndpointsUpdate() {}, onEndpointsDelete() {}, onEndpointsSynced: () => synced++ });
  const ac = new AbortController();
  const running = cfg.run(ac.signal);
  ac.abort();
  await running;
  t.is(synced, 0);
});

