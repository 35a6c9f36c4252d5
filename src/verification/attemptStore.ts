import type { Collection, Db } from 'mongodb';

/**
 * Counts failed verification checks per key in a window that starts at the key's first failure
 * and lasts `windowMs`; after it the count starts again. Keys are already hashed by the caller
 * (no personal data is stored). Two implementations, one conformance suite
 * (test/verification/attemptStoreConformance.ts): memory (one instance) and MongoDB (shared by
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

interface AttemptDocument {
  _id: string;
  count: number;
  expiresAt: Date;
}

/** The collection failed checks are counted in. */
export const VERIFICATION_ATTEMPTS_COLLECTION = 'verificationAttempts';

export class MongoAttemptStore implements AttemptStore {
  private readonly collection: Collection<AttemptDocument>;

  constructor(db: Db) {
    this.collection = db.collection<AttemptDocument>(VERIFICATION_ATTEMPTS_COLLECTION);
  }

  /** A TTL index removes lapsed windows (MongoDB's sweeper runs about once a minute). */
  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expiresAt_ttl' });
  }

  async hit(keys: readonly string[], now: number, windowMs: number): Promise<number[]> {
    return Promise.all(keys.map((key) => this.hitOne(key, now, windowMs)));
  }

  async counts(keys: readonly string[], now: number): Promise<number[]> {
    const docs = await this.collection.find({ _id: { $in: [...keys] }, expiresAt: { $gt: new Date(now) } }).toArray();
    const byKey = new Map(docs.map((d) => [d._id, d.count]));
    return keys.map((key) => byKey.get(key) ?? 0);
  }

  async release(keys: readonly string[], now: number): Promise<void> {
    await this.collection.updateMany({ _id: { $in: [...keys] }, expiresAt: { $gt: new Date(now) }, count: { $gt: 0 } }, { $inc: { count: -1 } });
  }

  /** Atomic on one document: increment inside the window, or start a new one. */
  private async hitOne(key: string, now: number, windowMs: number): Promise<number> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const inWindow = await this.collection.findOneAndUpdate(
        { _id: key, expiresAt: { $gt: new Date(now) } },
        { $inc: { count: 1 } },
        { returnDocument: 'after' },
      );
      if (inWindow) return inWindow.count;
      try {
        // Replaces a lapsed window, or inserts the first one. If another instance started a
        // window meanwhile, the insert collides on _id and the loop increments that one instead.
        await this.collection.replaceOne({ _id: key, expiresAt: { $lte: new Date(now) } }, { count: 1, expiresAt: new Date(now + windowMs) }, { upsert: true });
        return 1;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
      }
    }
    throw new Error('verification attempt counter kept changing; giving up');
  }
}
