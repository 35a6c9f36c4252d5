/**
 * Waiting in tests without fixed sleeps: wait for a condition (polled, so it also sees state
 * that changes in another process or a database) or for a gate the test opens itself.
 * test/unit/noFixedSleeps.test.ts keeps new fixed sleeps out of test/.
 */

export interface WaitForOptions {
  /** Longest wait before failing; default 10 s (mocha's per-test timeout is 20 s). */
  timeoutMs?: number;
  /** How often to check; default 5 ms. This is a polling period, not a sleep the test relies on. */
  intervalMs?: number;
  /** What is being waited for, for the failure message. */
  what?: string;
}

/**
 * Resolves with the first truthy value `check` returns (it may be async), checking at once and
 * then every `intervalMs`; rejects with `what` when `timeoutMs` passes first.
 */
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 5, what = check.toString() } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() >= deadline) throw new Error(`waitFor: not true within ${timeoutMs} ms: ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Like {@link waitFor}, but resolves false instead of failing when the time is up. */
export async function becomes(check: () => boolean | Promise<boolean>, options: WaitForOptions = {}): Promise<boolean> {
  try {
    await waitFor(check, options);
    return true;
  } catch {
    return false;
  }
}

/** A promise the test settles by hand: holds a task, a stub response or a turn until `open`. */
export interface Gate<T = void> {
  readonly promise: Promise<T>;
  readonly opened: boolean;
  open(value: T): void;
  fail(error: Error): void;
}

export function gate<T = void>(): Gate<T> {
  let open!: (value: T) => void;
  let fail!: (error: Error) => void;
  let opened = false;
  const promise = new Promise<T>((resolve, reject) => {
    open = (value) => {
      opened = true;
      resolve(value);
    };
    fail = (error) => {
      opened = true;
      reject(error);
    };
  });
  return {
    promise,
    get opened() {
      return opened;
    },
    open,
    fail,
  };
}

/** Lets every callback already queued run (one macrotask turn); not a wait for time to pass. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
