/**
 * A lease on one conversation, so that only one bot instance runs its turns at a time
 * (the idea of Rasa's lock store). Leases expire, so a crashed instance blocks a conversation
 * for at most one lease period.
 */
export interface ConversationLock {
  /**
   * Takes the lease if it is free, lapsed, or already held by `owner`; one attempt, no waiting.
   * @returns true when `owner` now holds the lease until `ttlMs` from now.
   */
  acquire(conversationKey: string, owner: string, ttlMs: number): Promise<boolean>;
  /**
   * Extends a lease `owner` holds.
   * @returns false when the lease is no longer `owner`'s (it lapsed and someone took it).
   */
  renew(conversationKey: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `owner` still holds it; otherwise does nothing. */
  release(conversationKey: string, owner: string): Promise<void>;
}

/** Current time in ms; injectable so tests control lease expiry. */
export type Clock = () => number;

interface MemoryLease {
  owner: string;
  expiresAt: number;
}

/** In-process twin of the MongoDB lease lock, for unit tests and the single-instance default. */
export class MemoryConversationLock implements ConversationLock {
  private readonly leases = new Map<string, MemoryLease>();

  constructor(private readonly now: Clock = Date.now) {}

  async acquire(conversationKey: string, owner: string, ttlMs: number): Promise<boolean> {
    const lease = this.leases.get(conversationKey);
    if (lease && lease.owner !== owner && lease.expiresAt > this.now()) return false;
    this.leases.set(conversationKey, { owner, expiresAt: this.now() + ttlMs });
    return true;
  }

  async renew(conversationKey: string, owner: string, ttlMs: number): Promise<boolean> {
    const lease = this.leases.get(conversationKey);
    if (!lease || lease.owner !== owner) return false;
    lease.expiresAt = this.now() + ttlMs;
    return true;
  }

  async release(conversationKey: string, owner: string): Promise<void> {
    if (this.leases.get(conversationKey)?.owner === owner) this.leases.delete(conversationKey);
  }
}
