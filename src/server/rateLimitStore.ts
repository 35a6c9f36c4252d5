/** What one attempt to spend a point decided. */
export interface RateTake {
  allowed: boolean;
  /** True for the first refusal of a key in its window (the one moment a warning is sent). */
  firstRefusal: boolean;
  /** When the key has budget again (for Retry-After); 0 when allowed. */
  retryAfterMs: number;
}

/**
 * Where rate-limit counters live. Every limit of the bot (per user, conversation and client
 * address in the bot; tokens and conversations per address and globally at the HTTP edge) goes
 * through one store: this process's memory, or MongoDB when it is configured, so a limit holds
 * across instances instead of multiplying by their number.
 */
export interface RateLimitStore {
  /** Spends one point of `key`'s budget of `limit` per `windowSeconds`. */
  take(key: string, limit: number, windowSeconds: number): Promise<RateTake>;
  /** Keys currently tracked in this process (memory only; for tests and memory bounds). */
  readonly trackedKeys: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  warnedAt: number;
}

/**
 * Token buckets in this process, with a bounded key count (least recently seen forgotten first).
 * A bucket holds `limit` points and refills continuously at `limit` per window.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  async take(key: string, limit: number, windowSeconds: number): Promise<RateTake> {
    return this.takeNow(key, limit, windowSeconds);
  }

  /** The synchronous core of `take`. */
  takeNow(key: string, limit: number, windowSeconds: number): RateTake {
    const now = this.now();
    const windowMs = windowSeconds * 1000;
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key); // re-inserted below: Map order doubles as LRU order
      bucket.tokens = Math.min(limit, bucket.tokens + ((now - bucket.updatedAt) / windowMs) * limit);
      bucket.updatedAt = now;
    } else {
      bucket = { tokens: limit, updatedAt: now, warnedAt: Number.NEGATIVE_INFINITY };
    }
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, firstRefusal: false, retryAfterMs: 0 };
    }
    const refillMs = windowMs / limit;
    const retryAfterMs = Math.ceil((1 - bucket.tokens) * refillMs);
    if (now - bucket.warnedAt >= Math.max(refillMs, 5_000)) {
      bucket.warnedAt = now;
      return { allowed: false, firstRefusal: true, retryAfterMs };
    }
    return { allowed: false, firstRefusal: false, retryAfterMs };
  }

  get trackedKeys(): number {
    return this.buckets.size;
  }
}
