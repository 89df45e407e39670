/**
 * Resource arithmetic on plain numbers: milli-CPU, bytes, counts. Quantities
 * are parsed once per distinct string (the same "100m" / "128Mi" appear on
 * thousands of pods), so a scheduling cycle does no bigint work.
 */
import { Quantity } from '../../machinery/quantity.js';
import type { RPod } from '../types.js';

export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended and hugepages resources by name (nvidia.com/gpu, hugepages-2Mi …). */
  scalar: Map<string, number>;
}

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const EPHEMERAL_STORAGE = 'ephemeral-storage';
export const PODS = 'pods';

/** Requests a scorer assumes for a container that requests nothing (upstream DefaultMilliCPURequest / DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: new Map() };
}

const parsed = new Map<string, number>();
const parsedMilli = new Map<string, number>();

/** The integer value of a quantity string (rounded up, as Quantity.Value does); 0 when malformed. */
export function quantityValue(s: string | undefined): number {
  if (s === undefined) return 0;
  let v = parsed.get(s);
  if (v === undefined) {
    const q = Quantity.tryParse(s);
    v = q ? Number(q.value()) : 0;
    if (parsed.size < 10_000) parsed.set(s, v);
  }
  return v;
}

/** The milli value of a quantity string (cpu). */
export function quantityMilli(s: string | undefined): number {
  if (s === undefined) return 0;
  let v = parsedMilli.get(s);
  if (v === undefined) {
    const q = Quantity.tryParse(s);
    v = q ? Number(q.milliValue()) : 0;
    if (parsedMilli.size < 10_000) parsedMilli.set(s, v);
  }
  return v;
}

/** Scalar resources are the ones PodFitsResources checks beyond cpu/memory/storage: extended (domain/name) and hugepages. */
export function isScalarResource(name: string): boolean {
  if (name.startsWith('hugepages-')) return true;
  if (name.startsWith('attachable-volumes-')) return true;
  // Extended resources are fully qualified and outside kubernetes.io (upstream IsExtendedResourceName).
  return name.includes('/') && !name.startsWith('kubernetes.io/') && !name.startsWith('requests.');
}

export function resourceFromList(list: Readonly<Record<string, string>> | undefined): Resource {
  const r = emptyResource();
  if (!list) return r;
  for (const [name, q] of Object.entries(list)) addNamed(r, name, q);
  return r;
}

function addNamed(r: Resource, name: string, q: string): void {
  switch (name) {
    case CPU:
      r.milliCPU += quantityMilli(q);
      return;
    case MEMORY:
      r.memory += quantityValue(q);
      return;
    case EPHEMERAL_STORAGE:
      r.ephemeralStorage += quantityValue(q);
      return;
    default:
      if (isScalarResource(name)) r.scalar.set(name, (r.scalar.get(name) ?? 0) + quantityValue(q));
  }
}

/** a += b (mutates a). */
export function addResource(a: Resource, b: Resource): void {
  a.milliCPU += b.milliCPU;
  a.memory += b.memory;
  a.ephemeralStorage += b.ephemeralStorage;
  for (const [k, v] of b.scalar) a.scalar.set(k, (a.scalar.get(k) ?? 0) + v);
}

/** a -= b (mutates a). */
export function subResource(a: Resource, b: Resource): void {
  a.milliCPU -= b.milliCPU;
  a.memory -= b.memory;
  a.ephemeralStorage -= b.ephemeralStorage;
  for (const [k, v] of b.scalar) a.scalar.set(k, (a.scalar.get(k) ?? 0) - v);
}

/** a = max(a, b) per resource (mutates a). */
function maxResource(a: Resource, b: Resource): void {
  a.milliCPU = Math.max(a.milliCPU, b.milliCPU);
  a.memory = Math.max(a.memory, b.memory);
  a.ephemeralStorage = Math.max(a.ephemeralStorage, b.ephemeralStorage);
  for (const [k, v] of b.scalar) a.scalar.set(k, Math.max(a.scalar.get(k) ?? 0, v));
}

function cloneResource(r: Resource): Resource {
  return { milliCPU: r.milliCPU, memory: r.memory, ephemeralStorage: r.ephemeralStorage, scalar: new Map(r.scalar) };
}

export interface PodResources {
  /** What the pod needs on a node: max(sum of containers (+ sidecars), each init container (+ sidecars started before it)) + overhead. */
  request: Resource;
  /** cpu/memory with the scorers' defaults for containers that request none. */
  nonZeroMilliCPU: number;
  nonZeroMemory: number;
}

/**
 * A pod's effective request (upstream computePodResourceRequest). Init
 * containers run one at a time before the app containers, so the pod needs
 * the larger of their maximum and the app containers' sum. Restartable init
 * containers (sidecars) keep running, so they add to everything after them.
 */
export function podResources(pod: RPod): PodResources {
  const spec = pod.spec;
  const sum = emptyResource();
  let nzCPU = 0;
  let nzMem = 0;
  for (const c of spec?.containers ?? []) {
    const req = c.resources?.requests;
    addResource(sum, resourceFromList(req));
    nzCPU += req?.[CPU] !== undefined ? quantityMilli(req[CPU]) : DEFAULT_MILLI_CPU_REQUEST;
    nzMem += req?.[MEMORY] !== undefined ? quantityValue(req[MEMORY]) : DEFAULT_MEMORY_REQUEST;
  }
  const sidecars = emptyResource();
  const initMax = emptyResource();
  let nzInitCPU = 0;
  let nzInitMem = 0;
  let nzSideCPU = 0;
  let nzSideMem = 0;
  for (const c of spec?.initContainers ?? []) {
    const req = c.resources?.requests;
    const r = resourceFromList(req);
    const cpu = req?.[CPU] !== undefined ? quantityMilli(req[CPU]) : DEFAULT_MILLI_CPU_REQUEST;
    const mem = req?.[MEMORY] !== undefined ? quantityValue(req[MEMORY]) : DEFAULT_MEMORY_REQUEST;
    if (c.restartPolicy === 'Always') {
      addResource(sidecars, r);
      nzSideCPU += cpu;
      nzSideMem += mem;
      const peak = cloneResource(sidecars);
      maxResource(initMax, peak);
      nzInitCPU = Math.max(nzInitCPU, nzSideCPU);
      nzInitMem = Math.max(nzInitMem, nzSideMem);
    } else {
      const peak = cloneResource(sidecars);
      addResource(peak, r);
      maxResource(initMax, peak);
      nzInitCPU = Math.max(nzInitCPU, nzSideCPU + cpu);
      nzInitMem = Math.max(nzInitMem, nzSideMem + mem);
    }
  }
  addResource(sum, sidecars);
  maxResource(sum, initMax);
  const overhead = resourceFromList(spec?.overhead);
  addResource(sum, overhead);
  return {
    request: sum,
    nonZeroMilliCPU: Math.max(nzCPU + nzSideCPU, nzInitCPU) + overhead.milliCPU,
    nonZeroMemory: Math.max(nzMem + nzSideMem, nzInitMem) + overhead.memory,
  };
}

/** BestEffort: no container (init or app) requests or limits cpu or memory. */
export function isBestEffort(pod: RPod): boolean {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  for (const c of all) {
    for (const list of [c.resources?.requests, c.resources?.limits]) {
      if (!list) continue;
      for (const name of [CPU, MEMORY]) {
        const q = list[name];
        if (q !== undefined && quantityValue(q) + quantityMilli(q) !== 0) return false;
      }
    }
  }
  return true;
}
