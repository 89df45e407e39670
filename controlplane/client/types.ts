/**
 * The client layer's vocabulary (ARCHITECTURE.md "Core interfaces"): every
 * daemon sees cluster state through informers and listers and changes it
 * through typed REST clients; controllers are informers → a queue of keys →
 * sync(key). Implementations arrive with the client-library issue.
 */

/** A read-only cache view; listers never call the server. */
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
  onAdd(h: AddHandler<T>): void;
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
  /** Re-adds with this key's exponential back-off. */
  addRateLimited(key: string): void;
  /** Clears this key's back-off history (after a successful sync). */
  forget(key: string): void;
  /** The next key, or undefined once the queue is shut down and drained. */
  get(): Promise<string | undefined>;
  done(key: string): void;
  shutDown(): void;
  readonly length: number;
}
