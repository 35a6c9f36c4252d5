import { MongoServerError, type Collection, type Db } from 'mongodb';
import type { Clock } from '../../channels/slack/store/EventDeduplicator';
import { DELIVERY_KEEP_MS, type DeliveryInbox, type RecordResult, type StaleDelivery } from '../../channels/slack/store/DeliveryInbox';

interface DeliveryDocument {
  _id: string;
  state: 'pending' | 'done';
  body?: string;
  owner: string;
  leaseUntil: Date;
  /** TTL index: the document goes a day after the delivery. */
  expiresAt: Date;
}

const DUPLICATE_KEY = 11000;

/** The shared inbox: one document per delivery in `slackDeliveries`, so every instance sees it. */
export class MongoDeliveryInbox implements DeliveryInbox {
  private readonly collection: Collection<DeliveryDocument>;
  private indexReady: Promise<void> | undefined;

  constructor(
    db: Db,
    collectionName = 'slackDeliveries',
    private readonly now: Clock = Date.now,
  ) {
    this.collection = db.collection<DeliveryDocument>(collectionName);
  }

  ensureIndexes(): Promise<void> {
    this.indexReady ??= Promise.all([
      this.collection.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expiresAt_ttl' }),
      this.collection.createIndex({ state: 1, leaseUntil: 1 }, { name: 'pending' }),
    ])
      .then(() => undefined)
      .catch((error: unknown) => {
        this.indexReady = undefined;
        throw error;
      });
    return this.indexReady;
  }

  async record(key: string, body: string, owner: string, leaseMs: number): Promise<RecordResult> {
    await this.ensureIndexes();
    const now = this.now();
    try {
      await this.collection.insertOne({
        _id: key,
        state: 'pending',
        body,
        owner,
        leaseUntil: new Date(now + leaseMs),
        expiresAt: new Date(now + DELIVERY_KEEP_MS),
      });
      return 'new';
    } catch (error) {
      if (!(error instanceof MongoServerError) || error.code !== DUPLICATE_KEY) throw error;
    }
    // A retry of a delivery whose instance died before finishing it: take it over. An expired
    // key the TTL monitor has not removed yet counts as new.
    const takenOver = await this.collection.findOneAndUpdate(
      { _id: key, $or: [{ state: 'pending', leaseUntil: { $lte: new Date(now) } }, { expiresAt: { $lte: new Date(now) } }] },
      { $set: { state: 'pending', body, owner, leaseUntil: new Date(now + leaseMs), expiresAt: new Date(now + DELIVERY_KEEP_MS) } },
      { returnDocument: 'before' },
    );
    if (!takenOver) return 'duplicate';
    return takenOver.expiresAt.getTime() <= now ? 'new' : 'taken_over';
  }

  async complete(key: string): Promise<void> {
    await this.collection.updateOne({ _id: key }, { $set: { state: 'done' }, $unset: { body: '' } });
  }

  async claimStale(owner: string, leaseMs: number): Promise<StaleDelivery | undefined> {
    await this.ensureIndexes();
    const now = this.now();
    const doc = await this.collection.findOneAndUpdate(
      { state: 'pending', leaseUntil: { $lte: new Date(now) } },
      { $set: { owner, leaseUntil: new Date(now + leaseMs) } },
      { returnDocument: 'after', sort: { leaseUntil: 1 } },
    );
    return doc?.body !== undefined ? { key: doc._id, body: doc.body } : undefined;
  }
}
