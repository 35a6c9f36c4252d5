import type { Collection, Db } from 'mongodb';
import type { AttemptStore } from '../../verification/attemptStore';

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
