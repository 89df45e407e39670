/**
 * Unit-test fixtures: a ControllerContext on a FakeClient and a FakeClock,
 * informers filled by hand (never started), a recorder that keeps events,
 * and object builders.
 */
import type { Deployment, ReplicaSet } from '../../../controlplane/api/apps/v1/types.js';
import type { Pod, PodTemplateSpec } from '../../../controlplane/api/core/v1/types.js';
import type { EventRecorder } from '../../../controlplane/client/events.js';
import { SharedInformerFactory } from '../../../controlplane/client/factory.js';
import type { ResourceRef } from '../../../controlplane/client/resources.js';
import { FakeClient } from '../../../controlplane/client/testing/fake.js';
import { FakeClock } from '../../../controlplane/client/testing/clock.js';
import { RateLimitingQueue } from '../../../controlplane/client/workqueue.js';
import type { ControllerContext } from '../../../controlplane/controllers/common/types.js';
import type { KubeObject } from '../../../controlplane/machinery/meta/types.js';
import { testLogger } from './harness.js';

export interface RecordedEvent {
  type: string;
  reason: string;
  message: string;
  name?: string;
}

export interface Fixture {
  client: FakeClient;
  clock: FakeClock;
  informers: SharedInformerFactory;
  events: RecordedEvent[];
  ctx: ControllerContext;
  /** Copies the fake's objects of a resource into its informer's cache (as a list would). */
  refresh<T extends KubeObject>(r: ResourceRef<T>): Promise<void>;
}

export function fixture(): Fixture {
  const client = new FakeClient();
  const clock = new FakeClock(Date.UTC(2025, 0, 1, 12, 0, 0));
  const informers = new SharedInformerFactory(client, { clock });
  const events: RecordedEvent[] = [];
  const recorder: EventRecorder = {
    event: (obj, type, reason, message) => events.push({ type, reason, message, name: 'metadata' in obj ? (obj as KubeObject).metadata?.name : (obj as { name?: string }).name }),
  };
  const ctx: ControllerContext = {
    client,
    informers,
    clock,
    log: testLogger('unit'),
    recorder,
    newQueue: (name, o) => new RateLimitingQueue({ ...o, clock, name }),
  };
  return {
    client,
    clock,
    informers,
    events,
    ctx,
    refresh: async (r) => {
      const items = (await client.resource(r).list()).items;
      informers.informerFor(r).replace(items);
    },
  };
}

export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export function template(labels: Record<string, string>, image = 'nginx:1.25'): PodTemplateSpec {
  return { metadata: { labels }, spec: { containers: [{ name: 'c', image }] } };
}

export function replicaSet(name: string, replicas: number, labels: Record<string, string> = { app: name }, extra: Partial<ReplicaSet['metadata']> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', generation: 1, labels, ...extra },
    spec: { replicas, selector: { matchLabels: labels }, template: template(labels) },
  };
}

export function deployment(name: string, replicas: number, image = 'nginx:1.25', extra: Partial<Deployment['spec']> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: template({ app: name }, image),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...extra,
    },
  };
}

export interface PodOpts {
  labels?: Record<string, string>;
  phase?: Pod['status'] extends infer S ? (S extends { phase?: infer P } ? P : never) : never;
  ready?: boolean;
  readySince?: number;
  node?: string;
  created?: number;
  restarts?: number;
  owner?: KubeObject & { apiVersion: string; kind: string };
  ip?: string;
  deleting?: boolean;
}

export function pod(name: string, o: PodOpts = {}): Pod {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: o.labels ?? { app: 'web' }, uid: `uid-${name}` },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
    status: { phase: o.phase ?? 'Running' },
  };
  if (o.created !== undefined) p.metadata.creationTimestamp = iso(o.created);
  if (o.node) p.spec!.nodeName = o.node;
  if (o.ip) p.status!.podIP = o.ip;
  if (o.deleting) p.metadata.deletionTimestamp = iso(Date.UTC(2025, 0, 1));
  if (o.ready !== undefined) p.status!.conditions = [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: o.readySince !== undefined ? iso(o.readySince) : undefined }];
  if (o.restarts !== undefined) p.status!.containerStatuses = [{ name: 'c', ready: true, restartCount: o.restarts, image: 'nginx', imageID: '' }];
  if (o.owner) p.metadata.ownerReferences = [{ apiVersion: o.owner.apiVersion, kind: o.owner.kind, name: o.owner.metadata?.name ?? '', uid: o.owner.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }];
  return p;
}
