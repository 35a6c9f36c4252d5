/** Thrown when the bulkhead's queue is full: the caller is told at once instead of piling up. */
export class BulkheadFullError extends Error {
  constructor(limit: number, queue: number) {
    super(`order backend busy: ${limit} calls running and ${queue} waiting`);
    this.name = 'BulkheadFullError';
  }
}

/**
 * Caps concurrent calls to a dependency, with a bounded FIFO queue behind the cap. It keeps a
 * slow backend from tying up every turn in the process, and sheds load once the queue is full.
 */
export class Bulkhead {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly limit: number,
    private readonly maxQueue: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      if (this.waiting.length >= this.maxQueue) throw new BulkheadFullError(this.limit, this.waiting.length);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter; only free it when nobody waits.
      if (next) next();
      else this.running -= 1;
    }
  }

  get stats(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
