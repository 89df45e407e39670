/**
 * The client layer's vocabulary (ARCHITECTURE.md "Core interfaces"): every
 * daemon sees cluster state through informers and listers and changes it
 * through typed REST clients; controllers are informers → a queue of keys →
 * sync(key).
 *
 * Cached objects are shared by every handler and lister of a process, so they
 * are typed DeepReadonly: a controller that wants to change one must
 * structuredClone it first (STYLE.md rule 1). Nothing enforces this at run
 * time (freezing 10k objects costs more than it saves); the types do.
 */

/** Recursively read-only: what informers hand out. */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends ReadonlyArray<infer E>
    ? ReadonlyArray<DeepReadonly<E>>
    : T extends ReadonlyMap<infer K, infer V>
      ? ReadonlyMap<DeepReadonly<K>, DeepReadonly<V>>
      : T extends object
        ? { readonly [P in keyof T]: DeepReadonly<T[P]> }
        : T;

/** A read-only cache view; listers never call the server. Keys are `namespace/name`, or `name` when cluster-scoped. */
export interface Lister<T> {
  get(key: string): T | undefined;
  list(): readonly T[];
  /** Objects whose value under the named index equals value (e.g. 'namespace' → 'default'). */
  byIndex(index: string, value: string): readonly T[];
}

export type AddHandler<T> = (obj: T) => void;
export type UpdateHandler<T> = (oldObj: T, newObj: T) => void;
/** A delete may arrive as the last state known, when the watch missed the final update. */
export type DeleteHandler<T> = (obj: T) => void;

export interface Informer<T> {
  readonly lister: Lister<T>;
  /** Handlers added after the initial sync first receive an add for every cached object, as client-go does. */
  onAdd(h: AddHandler<T>): void;
  /** Also called with (obj, obj) on every periodic resync. */
  onUpdate(h: UpdateHandler<T>): void;
  onDelete(h: DeleteHandler<T>): void;
  hasSynced(): boolean;
  run(signal: AbortSignal): Promise<void>;
}

/**
 * A de-duplicating queue of keys: a key added while queued is not added twice;
 * a key added while being processed is processed again after done(), never by
 * two workers at once.
 */
export interface WorkQueue {
  add(key: string): void;
  addAfter(key: string, delayMs: number): void;
  /** Re-adds with this key's exponential back-off (combined with the queue's overall token bucket). */
  addRateLimited(key: string): void;
  /** Clears this key's back-off history (after a successful sync). */
  forget(key: string): void;
  /** How many times this key was re-added with addRateLimited since its last forget. */
  numRequeues(key: string): number;
  /** The next key, or undefined once the queue is shut down and drained. */
  get(): Promise<string | undefined>;
  done(key: string): void;
  shutDown(): void;
  readonly length: number;
}
