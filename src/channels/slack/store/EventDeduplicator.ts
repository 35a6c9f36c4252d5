/**
 * Remembers which Slack deliveries were already taken, so that retries (X-Slack-Retry-Num),
 * duplicate deliveries and the same event reaching two bot instances produce one turn.
 */
export interface EventDeduplicator {
  /**
   * Takes `eventKey` for `ttlMs`. Resolves true for exactly one caller per key (across every
   * instance sharing the store) until the claim expires; false for every other caller. The claim
   * remembers its `holder` (the Slack delivery); with `reclaim`, a caller naming the same holder
   * (that delivery processed again after a crash) gets true again.
   */
  claim(eventKey: string, ttlMs: number, holder?: string, reclaim?: boolean): Promise<boolean>;
}

/**
 * Remembers the channel threads the bot was asked in, per person, so that their follow-ups in the
 * thread reach the bot without another @mention.
 */
export interface ThreadRegistry {
  /** Marks `threadKey` active for `ttlMs` from now (extending an earlier mark). */
  remember(threadKey: string, ttlMs: number): Promise<void>;
  /** True while a mark on `threadKey` has not expired. */
  isActive(threadKey: string): Promise<boolean>;
}

/** Current time in ms; injectable so tests control expiry. */
export type Clock = () => number;

/**
 * The in-process twin of the MongoDB store: right for one instance (and tests). Expired keys
 * are swept every `sweepEvery` writes so the map cannot grow without bound.
 */
export class MemoryKeyStore implements EventDeduplicator, ThreadRegistry {
  private readonly expiries = new Map<string, number>();
  private readonly holders = new Map<string, string>();
  private writes = 0;

  constructor(
    private readonly now: Clock = Date.now,
    private readonly sweepEvery = 1000,
  ) {}

  async claim(eventKey: string, ttlMs: number, holder?: string, reclaim = false): Promise<boolean> {
    // Check and set happen in one synchronous step, so concurrent claims cannot both win.
    if (this.live(eventKey)) return reclaim && holder !== undefined && this.holders.get(eventKey) === holder;
    this.write(eventKey, ttlMs);
    if (holder !== undefined) this.holders.set(eventKey, holder);
    else this.holders.delete(eventKey);
    return true;
  }

  async remember(threadKey: string, ttlMs: number): Promise<void> {
    this.write(threadKey, ttlMs);
  }

  async isActive(threadKey: string): Promise<boolean> {
    return this.live(threadKey);
  }

  /** Keys currently held (expired ones may linger until the next sweep). */
  get size(): number {
    return this.expiries.size;
  }

  private live(key: string): boolean {
    const expiresAt = this.expiries.get(key);
    return expiresAt !== undefined && expiresAt > this.now();
  }

  private write(key: string, ttlMs: number): void {
    this.expiries.set(key, this.now() + ttlMs);
    this.writes += 1;
    if (this.writes % this.sweepEvery === 0) this.sweep();
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, expiresAt] of this.expiries) {
      if (expiresAt > now) continue;
      this.expiries.delete(key);
      this.holders.delete(key);
    }
  }
}
