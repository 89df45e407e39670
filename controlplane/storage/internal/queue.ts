/**
 * An unbounded-until-limit async queue that turns pushes from a synchronous
 * producer (a commit hook, a gRPC 'data' handler) into an AsyncIterable for one
 * consumer. Shared by every backend's watch.
 *
 * Contract: push/fail/end may be called at any time from the producer side;
 * iteration ends when end() is called, the signal aborts (normal end, no throw)
 * or fail(err) is called (the pending or next next() rejects with err). When
 * more than `limit` items are waiting, the queue fails with the error returned
 * by `overflow()` — a watcher that cannot keep up must re-watch rather than
 * grow memory without bound (kine's broadcaster drops slow subscribers too).
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  // guarded by: single JS thread; only the methods below touch these.
  private items: T[] = [];
  private head = 0;
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private error: unknown;
  private done = false;
  private readonly onAbort = (): void => {
    // An aborted consumer wants nothing more, not even what is queued.
    this.items = [];
    this.head = 0;
    this.end();
  };

  constructor(
    private readonly signal: AbortSignal,
    private readonly limit: number,
    private readonly overflow: () => Error,
    /** Called once when the queue finishes for any reason (unsubscribe hooks). */
    private readonly onClose: () => void = () => undefined,
  ) {
    if (signal.aborted) this.done = true;
    else signal.addEventListener('abort', this.onAbort, { once: true });
  }

  get closed(): boolean {
    return this.done || this.error !== undefined;
  }

  push(item: T): void {
    if (this.closed) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: item, done: false });
      return;
    }
    if (this.items.length - this.head >= this.limit) {
      this.fail(this.overflow());
      return;
    }
    this.items.push(item);
  }

  fail(err: unknown): void {
    if (this.closed) return;
    this.error = err;
    this.items = [];
    this.head = 0;
    this.finish();
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.reject(err);
    }
  }

  end(): void {
    if (this.closed) return;
    this.done = true;
    this.finish();
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: undefined, done: true });
    }
  }

  private finish(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.onClose();
  }

  private next(): Promise<IteratorResult<T>> {
    // Items already queued are delivered even after end(); an error drops them.
    if (this.head < this.items.length) {
      const value = this.items[this.head++];
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.error !== undefined) return Promise.reject(this.error);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.next(),
      return: (): Promise<IteratorResult<T>> => {
        // The consumer stopped early (break): release producer-side resources.
        this.end();
        this.items = [];
        this.head = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
