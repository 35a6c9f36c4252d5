/**
 * Counts failed verification checks per key in a window that starts at the key's first failure
 * and lasts `windowMs`; after it the count starts again. Keys are already hashed by the caller
 * (no personal data is stored). Two implementations, one conformance suite
 * (test/storage/conformance/): memory (one instance) and MongoDB (shared by
 * every instance, so a lockout holds wherever the next message lands).
 */
export interface AttemptStore {
  /** Counts one failure for each key; resolves each key's count in its current window. */
  hit(keys: readonly string[], now: number, windowMs: number): Promise<number[]>;
  /** Each key's count in its current window (0 when none or expired). */
  counts(keys: readonly string[], now: number): Promise<number[]>;
  /** Takes back one count from each key still in its window (a check that passed or was not made). */
  release(keys: readonly string[], now: number): Promise<void>;
}

export class MemoryAttemptStore implements AttemptStore {
  private readonly entries = new Map<string, { count: number; expiresAt: number }>();

  async hit(keys: readonly string[], now: number, windowMs: number): Promise<number[]> {
    this.sweep(now);
    return keys.map((key) => {
      const entry = this.entries.get(key);
      if (entry && entry.expiresAt > now) {
        entry.count += 1;
        return entry.count;
      }
      this.entries.set(key, { count: 1, expiresAt: now + windowMs });
      return 1;
    });
  }

  async counts(keys: readonly string[], now: number): Promise<number[]> {
    return keys.map((key) => {
      const entry = this.entries.get(key);
      return entry && entry.expiresAt > now ? entry.count : 0;
    });
  }

  async release(keys: readonly string[], now: number): Promise<void> {
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry && entry.expiresAt > now && entry.count > 0) entry.count -= 1;
    }
  }

  /** Keeps memory bounded: expired windows are dropped (at most every call, cheap when few). */
  private sweep(now: number): void {
    if (this.entries.size < 10_000) return;
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
