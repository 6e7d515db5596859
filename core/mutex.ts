/**
 * A FIFO lock: one holder at a time, the rest wait their turn.
 *
 * WASM memory never shrinks, so two heavy pipelines in one isolate would set a high-water
 * mark of both; running them one after the other keeps the peak at one.
 */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #waiting = 0;

  /** How many callers hold or wait for the lock. */
  get pending(): number {
    return this.#waiting;
  }

  async run<T>(task: () => Promise<T> | T): Promise<T> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => (release = resolve));
    this.#waiting++;
    try {
      await previous;
      return await task();
    } finally {
      this.#waiting--;
      release();
    }
  }
}
