import type { Db } from 'mongodb';
import { RateLimiterMemory, RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitStore, RateTake } from '../../server/rateLimitStore';

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
