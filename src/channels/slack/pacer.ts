import { KeyedSerialQueue } from '../../util/keyedSerialQueue';

export interface PacerOptions {
  /** Least time between the starts of two tasks of one key. 0 turns pacing off. */
  intervalMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Spaces Slack posts per channel. Slack allows about one message per second per channel and
 * answers bursts with 429; waiting our turn here is cheaper than being rate-limited, and the
 * FIFO keeps a turn's messages in order. Nothing is dropped: every task waits for its slot.
 */
export class ChannelPacer {
  private readonly queue = new KeyedSerialQueue();
  private readonly lastStart = new Map<string, number>();
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: PacerOptions) {
    this.intervalMs = options.intervalMs;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  run<T>(channel: string, task: () => Promise<T>): Promise<T> {
    return this.queue.run(channel, async () => {
      const last = this.lastStart.get(channel);
      if (last !== undefined) {
        const wait = last + this.intervalMs - this.now();
        if (wait > 0) await this.sleep(wait);
      }
      this.lastStart.set(channel, this.now());
      this.forgetIdleChannels();
      return task();
    });
  }

  /** Drops start times older than the interval: they can no longer delay anyone. */
  private forgetIdleChannels(): void {
    if (this.lastStart.size < 1000) return;
    const cutoff = this.now() - this.intervalMs;
    for (const [channel, at] of this.lastStart) if (at < cutoff) this.lastStart.delete(channel);
  }
}

/**
 * Starts queued tasks one per event-loop iteration (setImmediate), so I/O that is already
 * waiting, such as Slack requests to verify and ack, is handled between two turn starts. Without
 * it, a turn started right after an ack runs its CPU-heavy first stretch (recognizer, dialogs)
 * before the next request is even read, and under a burst the last ack waits for every turn.
 */
export class YieldingStarter {
  private readonly queue: Array<() => void> = [];
  private scheduled = false;

  /** Queues `task`; it starts in a later event-loop iteration, in FIFO order. */
  run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push(() => {
        task().then(resolve, reject);
      });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(this.pump);
  }

  private readonly pump = (): void => {
    this.scheduled = false;
    this.queue.shift()?.();
    this.schedule();
  };
}
