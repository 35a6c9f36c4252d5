/**
 * Runs tasks one at a time per key, in the order they were queued; tasks of different keys run
 * concurrently. A task's failure is returned to its caller only: the next task of the key still
 * runs. Keys with nothing queued or running are forgotten before the last task's result reaches
 * its caller, so the map only ever holds busy keys.
 *
 * The one per-key FIFO of the code base: the turn serializer (src/storage), the Direct Line
 * adapter and the Slack bridge and pacer use it.
 */
export class KeyedSerialQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Queues `task` behind every earlier task of `key`; resolves or rejects with its result. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    // Tails never reject, so `task` runs whatever became of the task before it.
    const result = previous.then(task);
    // Registered on `result` before any caller can await it, so the key is forgotten first.
    const forget = (): void => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
    const tail: Promise<void> = result.then(forget, forget);
    this.tails.set(key, tail);
    return result;
  }

  /** Keys with queued or running tasks. */
  get busyKeys(): number {
    return this.tails.size;
  }
}
