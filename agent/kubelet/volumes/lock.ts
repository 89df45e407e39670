/**
 * A per-key mutex: operations on one pod's volumes run one at a time (the
 * AtomicWriter is not safe for concurrent writers), different pods in
 * parallel.
 */
export class KeyedMutex {
  // Guarded by nothing: JS is single-threaded; each entry is the tail of that key's chain.
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      // Last one out removes the entry so the map does not grow with every pod ever seen.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
