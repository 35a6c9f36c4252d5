import type { TurnContext } from 'botbuilder';

export interface RateLimitOptions {
  /** Messages one user may send per minute, across conversations. 0 disables the limit. */
  perUserPerMinute: number;
  /** Messages one conversation may receive per minute. 0 disables the limit. */
  perConversationPerMinute: number;
  /** Most keys tracked at once; the least recently seen are forgotten first. */
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  /** When the customer was last told they are going too fast (told once per refill). */
  warnedAt: number;
}

/** What the limiter decided for one message. */
export type RateDecision = 'allow' | 'reject-and-warn' | 'reject-silently';

/**
 * Token buckets per user and per conversation, in process memory with a bounded key count. A
 * flood from one customer gets one polite warning and is then dropped without touching state,
 * so it cannot slow other customers or fill the database. Limits are per instance: behind a
 * load balancer with N instances a user may get up to N times the limit, which is acceptable
 * for abuse protection and avoids a database round trip per message.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly options: RateLimitOptions) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  check(context: TurnContext): RateDecision {
    const activity = context.activity;
    const channel = activity.channelId ?? 'unknown';
    const decisions = [
      this.take(`u:${channel}:${activity.from?.id ?? 'anonymous'}`, this.options.perUserPerMinute),
      this.take(`c:${channel}:${activity.conversation?.id ?? 'none'}`, this.options.perConversationPerMinute),
    ];
    if (decisions.includes('reject-and-warn')) return 'reject-and-warn';
    return decisions.includes('reject-silently') ? 'reject-silently' : 'allow';
  }

  private take(key: string, perMinute: number): RateDecision {
    if (perMinute <= 0) return 'allow';
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key); // re-insert below: Map order doubles as LRU order
      bucket.tokens = Math.min(perMinute, bucket.tokens + ((now - bucket.updatedAt) / 60_000) * perMinute);
      bucket.updatedAt = now;
    } else {
      bucket = { tokens: perMinute, updatedAt: now, warnedAt: Number.NEGATIVE_INFINITY };
    }
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 'allow';
    }
    const refillMs = 60_000 / perMinute;
    if (now - bucket.warnedAt >= Math.max(refillMs, 5_000)) {
      bucket.warnedAt = now;
      return 'reject-and-warn';
    }
    return 'reject-silently';
  }

  get trackedKeys(): number {
    return this.buckets.size;
  }
}
