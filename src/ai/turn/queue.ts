/**
 * Runs tasks one at a time per key (a document id), in arrival order. The common case of two turns on one
 * document then both succeed, the second editing the first's result; appendVersion's baseVersion check still
 * catches writers this process does not see (another process, a restore). Keys are dropped once idle.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  get size(): number {
    return this.#tails.size;
  }
}
