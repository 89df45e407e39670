/** Shared fixtures for the field manager tests. */
import type { Obj } from '../../../../controlplane/apiserver/registry/types.js';
import { StatusError } from '../../../../controlplane/machinery/errors.js';

export const T0 = new Date('2026-03-01T10:00:00.123Z');
export const T1 = new Date('2026-03-01T10:05:00.999Z');
export const T2 = new Date('2026-03-01T11:00:00Z');

/** Freezes a JSON value all the way down, so any mutation by the code under test throws. */
export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

/** The StatusError thrown by `fn`, or undefined when it didn't throw one. */
export function statusErrorOf(fn: () => unknown): StatusError | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  return undefined;
}

export const configMap = (data: Record<string, string>, extra: Record<string, unknown> = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cm', namespace: 'default', ...extra },
  data,
});

/** What the registry adds to a created object: the fields stripped from ownership. */
export function stored(o: Obj, rv = '1'): Obj {
  return { ...o, metadata: { ...o.metadata, uid: 'u-1', resourceVersion: rv, creationTimestamp: '2026-03-01T09:00:00Z' } };
}

export const deployment = (containers: unknown[], extra: Record<string, unknown> = {}): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
    ...extra,
  },
});
