import { MongoServerError, type Collection, type Db } from 'mongodb';
import type { Clock, EventDeduplicator, ThreadRegistry } from '../../channels/slack/store/EventDeduplicator';

/** One remembered key. MongoDB's TTL monitor deletes the document after `expiresAt`. */
interface KeyDocument {
  _id: string;
  expiresAt: Date;
  /** The delivery that took the claim (see EventDeduplicator.claim). */
  holder?: string;
}

const DUPLICATE_KEY = 11000;

/**
 * The shared store behind {@link EventDeduplicator} and {@link ThreadRegistry}: one collection of
 * `{ _id, expiresAt }` documents, so every bot instance sees the same claims.
 *
 * `claim` is an insert with a unique `_id`: exactly one concurrent insert succeeds. The TTL
 * index removes old keys, but TTL deletion runs about once a minute (and some wire-compatible
 * servers never run it), so a claim that finds an expired document takes it over with a
 * conditional update instead of trusting the deletion.
 */
export class MongoKeyStore implements EventDeduplicator, ThreadRegistry {
  private readonly collection: Collection<KeyDocument>;
  private indexReady: Promise<void> | undefined;

  constructor(
    db: Db,
    collectionName: string,
    private readonly now: Clock = Date.now,
  ) {
    this.collection = db.collection<KeyDocument>(collectionName);
  }

  /** Creates the TTL index; called lazily by the first write, and safe to call again. */
  ensureIndexes(): Promise<void> {
    this.indexReady ??= this.collection
      .createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expiresAt_ttl' })
      .then(() => undefined)
      .catch((error: unknown) => {
        this.indexReady = undefined;
        throw error;
      });
    return this.indexReady;
  }

  async claim(eventKey: string, ttlMs: number, holder?: string, reclaim = false): Promise<boolean> {
    await this.ensureIndexes();
    const now = this.now();
    try {
      await this.collection.insertOne({ _id: eventKey, expiresAt: new Date(now + ttlMs), ...(holder !== undefined ? { holder } : {}) });
      return true;
    } catch (error) {
      if (!(error instanceof MongoServerError) || error.code !== DUPLICATE_KEY) throw error;
    }
    const mine = reclaim && holder !== undefined ? [{ holder }] : [];
    const takenOver = await this.collection.updateOne(
      { _id: eventKey, $or: [{ expiresAt: { $lte: new Date(now) } }, ...mine] },
      holder !== undefined ? { $set: { expiresAt: new Date(now + ttlMs), holder } } : { $set: { expiresAt: new Date(now + ttlMs) }, $unset: { holder: '' } },
    );
    return takenOver.matchedCount === 1;
  }

  async remember(threadKey: string, ttlMs: number): Promise<void> {
    await this.ensureIndexes();
    await this.collection.updateOne({ _id: threadKey }, { $set: { expiresAt: new Date(this.now() + ttlMs) } }, { upsert: true });
  }

  async isActive(threadKey: string): Promise<boolean> {
    const found = await this.collection.findOne({ _id: threadKey, expiresAt: { $gt: new Date(this.now()) } }, { projection: { _id: 1 } });
    return found !== null;
  }
}
