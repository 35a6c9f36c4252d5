import { MongoServerError, type Collection, type Db } from 'mongodb';
import type { Clock } from './EventDeduplicator';

export type RecordResult = 'new' | 'taken_over' | 'duplicate';

/** A Slack delivery whose processing an instance took over (its first instance died). */
export interface StaleDelivery {
  key: string;
  /** The payload as Slack sent it (JSON). */
  body: string;
}

/**
 * Slack deliveries recorded before they are acknowledged: the durable half of "claim before
 * ack". A delivery is `pending` from its record until its turn is done; the instance that holds
 * its lease processes it. If that instance dies, the lease lapses and either Slack's retry (when
 * the ack never went out) or any instance's sweep (when it did) takes it over, so a crash loses
 * no delivery, and a retry of a delivery already taken runs nothing.
 */
export interface DeliveryInbox {
  /**
   * Records `key` as pending and leased to `owner`. @returns 'new' for a first delivery,
   * 'taken_over' for a retry of one whose instance died before finishing it (the caller processes
   * it again), 'duplicate' otherwise (nothing to do).
   */
  record(key: string, body: string, owner: string, leaseMs: number): Promise<RecordResult>;
  /** Marks a delivery processed (its payload is dropped; the key is kept to refuse retries). */
  complete(key: string): Promise<void>;
  /** Leases one pending delivery whose lease lapsed, for `owner` to process again. */
  claimStale(owner: string, leaseMs: number): Promise<StaleDelivery | undefined>;
}

/** How long a processed delivery's key is kept to refuse Slack's retries (they stop within an hour). */
export const DELIVERY_KEEP_MS = 24 * 60 * 60 * 1000;

interface Delivery {
  state: 'pending' | 'done';
  body?: string;
  owner: string;
  leaseUntil: number;
  expiresAt: number;
}

/** The in-process twin: right for one instance (a crash loses it with the process anyway). */
export class MemoryDeliveryInbox implements DeliveryInbox {
  private readonly deliveries = new Map<string, Delivery>();

  constructor(private readonly now: Clock = Date.now) {}

  async record(key: string, body: string, owner: string, leaseMs: number): Promise<RecordResult> {
    const now = this.now();
    const existing = this.deliveries.get(key);
    const live = existing !== undefined && existing.expiresAt > now;
    if (live && (existing.state === 'done' || existing.leaseUntil > now)) return 'duplicate';
    this.deliveries.set(key, { state: 'pending', body, owner, leaseUntil: now + leaseMs, expiresAt: now + DELIVERY_KEEP_MS });
    if (this.deliveries.size % 1000 === 0) this.sweep(now);
    return live ? 'taken_over' : 'new';
  }

  async complete(key: string): Promise<void> {
    const delivery = this.deliveries.get(key);
    if (!delivery) return;
    delivery.state = 'done';
    delete delivery.body;
  }

  async claimStale(owner: string, leaseMs: number): Promise<StaleDelivery | undefined> {
    const now = this.now();
    for (const [key, delivery] of this.deliveries) {
      if (delivery.state !== 'pending' || delivery.leaseUntil > now || delivery.body === undefined) continue;
      delivery.owner = owner;
      delivery.leaseUntil = now + leaseMs;
      return { key, body: delivery.body };
    }
    return undefined;
  }

  private sweep(now: number): void {
    for (const [key, delivery] of this.deliveries) if (delivery.expiresAt <= now) this.deliveries.delete(key);
  }
}

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
