import type { Db } from 'mongodb';
import { RateLimiterMemory, RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';

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

/**
 * Fixed-window counters in MongoDB (rate-limiter-flexible's RateLimiterMongo: one atomic
 * findOneAndUpdate per point, TTL-indexed documents in `rate_limits`), shared by every instance.
 * While MongoDB is unreachable each instance falls back to its own memory counters.
 */
export class MongoRateLimitStore implements RateLimitStore {
  private readonly limiters = new Map<string, RateLimiterMongo>();

  constructor(
    private readonly db: Db,
    private readonly collection = 'rate_limits',
  ) {}

  async take(key: string, limit: number, windowSeconds: number): Promise<RateTake> {
    const limiter = this.limiter(limit, windowSeconds);
    try {
      await limiter.consume(key);
      return { allowed: true, firstRefusal: false, retryAfterMs: 0 };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      return { allowed: false, firstRefusal: rejection.consumedPoints === limit + 1, retryAfterMs: Math.max(1, rejection.msBeforeNext) };
    }
  }

  get trackedKeys(): number {
    return 0;
  }

  private limiter(limit: number, windowSeconds: number): RateLimiterMongo {
    const id = `${limit}/${windowSeconds}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterMongo({
        storeClient: this.db,
        tableName: this.collection,
        keyPrefix: `rl${id}`,
        points: limit,
        duration: windowSeconds,
        insuranceLimiter: new RateLimiterMemory({ points: limit, duration: windowSeconds }),
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

/** The store for this deployment: MongoDB when the bot has one, else memory. */
export function createRateLimitStore(db: Db | undefined): RateLimitStore {
  return db ? new MongoRateLimitStore(db) : new MemoryRateLimitStore();
}
