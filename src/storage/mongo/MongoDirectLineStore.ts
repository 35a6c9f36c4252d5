import type { Activity } from 'botbuilder';
import type { Collection, Db } from 'mongodb';
import {
  activityId,
  DirectLineConversationMissingError,
  type ActivityPage,
  type DirectLineConversation,
  type DirectLineStore,
  type DirectLineStoreLimits,
  type StoredActivity,
} from '../../channels/directline/store';

interface ConversationDoc {
  _id: string;
  userId: string;
  /** Last watermark handed out; `$inc`-ed atomically by every append. */
  seq: number;
  /** Activities up to this watermark were trimmed on purpose: a hole there is not a late writer. */
  trimmedThrough?: number;
  createdAt: Date;
  /** TTL index: MongoDB forgets the conversation this long after its last activity. */
  expiresAt: Date;
}

interface ActivityDoc {
  _id: string;
  conv: string;
  seq: number;
  /** The activity as JSON text: `$kind` and dotted keys in `value` are not valid field names. */
  json: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface MongoDirectLineStoreOptions extends DirectLineStoreLimits {
  /** Collection name prefix; default `directline_`. */
  prefix?: string;
  /**
   * How long a hole in the watermarks may be waited on before readers skip it. Appends take
   * their watermark first and insert second, so two concurrent appends can land out of order
   * for a moment; a reader that skipped the hole would lose the late one forever. A hole older
   * than this is a crashed writer (or trimmed history) and is skipped.
   */
  gapGraceMs?: number;
  now?: () => number;
}

/** Trim history every this many appends (per conversation), not on every one. */
const TRIM_EVERY = 20;

/**
 * The shared activity log on MongoDB: several bot instances serve the same conversations.
 * Growth is capped per conversation and a TTL index expires idle conversations (MongoDB does
 * the expiry; the Java test server accepts the index but never expires anything).
 */
export class MongoDirectLineStore implements DirectLineStore {
  readonly shared = true;
  private readonly conversations: Collection<ConversationDoc>;
  private readonly activities: Collection<ActivityDoc>;
  private readonly gapGraceMs: number;
  private readonly now: () => number;
  private indexes: Promise<void> | undefined;

  constructor(
    db: Db,
    private readonly options: MongoDirectLineStoreOptions,
  ) {
    const prefix = options.prefix ?? 'directline_';
    this.conversations = db.collection<ConversationDoc>(`${prefix}conversations`);
    this.activities = db.collection<ActivityDoc>(`${prefix}activities`);
    this.gapGraceMs = options.gapGraceMs ?? 2000;
    this.now = options.now ?? Date.now;
  }

  /** Creates the indexes (idempotent); called lazily by the first write. */
  ensureIndexes(): Promise<void> {
    this.indexes ??= (async () => {
      await this.activities.createIndex({ conv: 1, seq: 1 }, { unique: true, name: 'conv_seq' });
      await this.activities.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'ttl' });
      await this.conversations.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'ttl' });
    })().catch((error: unknown) => {
      this.indexes = undefined;
      throw error;
    });
    return this.indexes;
  }

  async createConversation(id: string, userId: string): Promise<boolean> {
    await this.ensureIndexes();
    const now = new Date(this.now());
    const result = await this.conversations.updateOne(
      { _id: id },
      { $setOnInsert: { userId, seq: 0, createdAt: now, expiresAt: this.expiry() } },
      { upsert: true },
    );
    return result.upsertedCount === 1;
  }

  async getConversation(id: string): Promise<DirectLineConversation | undefined> {
    const doc = await this.conversations.findOne({ _id: id });
    if (!doc || doc.expiresAt.getTime() <= this.now()) return undefined;
    return { id: doc._id, userId: doc.userId, watermark: doc.seq, createdAt: doc.createdAt };
  }

  async append(conversationId: string, activity: Partial<Activity>): Promise<StoredActivity> {
    await this.ensureIndexes();
    const expiresAt = this.expiry();
    const updated = await this.conversations.findOneAndUpdate(
      { _id: conversationId, expiresAt: { $gt: new Date(this.now()) } },
      { $inc: { seq: 1 }, $set: { expiresAt } },
      { returnDocument: 'after', projection: { seq: 1 } },
    );
    if (!updated) throw new DirectLineConversationMissingError(conversationId);
    const seq = updated.seq;
    const stored = { ...activity, id: activityId(conversationId, seq) } as StoredActivity;
    const json = JSON.stringify(stored);
    await this.activities.insertOne({ _id: stored.id, conv: conversationId, seq, json, createdAt: new Date(this.now()), expiresAt });
    if (seq % TRIM_EVERY === 0 && seq > this.options.maxActivitiesPerConversation) {
      const through = seq - this.options.maxActivitiesPerConversation;
      // Marked before deleting, so a reader that sees the hole also sees why.
      await this.conversations.updateOne({ _id: conversationId }, { $max: { trimmedThrough: through } });
      await this.activities.deleteMany({ conv: conversationId, seq: { $lte: through } });
    }
    return JSON.parse(json) as StoredActivity;
  }

  async list(conversationId: string, after: number, limit: number): Promise<ActivityPage> {
    const docs = await this.activities
      .find({ conv: conversationId, seq: { $gt: after } })
      .sort({ seq: 1 })
      .limit(limit)
      .toArray();
    const activities: Activity[] = [];
    let watermark = after;
    let trimmedThrough: number | undefined;
    for (const doc of docs) {
      if (doc.seq !== watermark + 1) {
        // Rare: read why there is a hole only when there is one.
        trimmedThrough ??= (await this.conversations.findOne({ _id: conversationId }, { projection: { trimmedThrough: 1 } }))?.trimmedThrough ?? 0;
        const trimmed = doc.seq - 1 <= trimmedThrough;
        if (!trimmed && this.now() - doc.createdAt.getTime() < this.gapGraceMs) break;
      }
      activities.push(JSON.parse(doc.json) as Activity);
      watermark = doc.seq;
    }
    return { activities, watermark };
  }

  async latestWatermarks(conversationIds: readonly string[]): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    if (conversationIds.length === 0) return result;
    const docs = await this.conversations.find({ _id: { $in: [...conversationIds] } }, { projection: { seq: 1 } }).toArray();
    for (const doc of docs) result.set(doc._id, doc.seq);
    return result;
  }

  async close(): Promise<void> {
    // The composition root owns the MongoClient.
  }

  private expiry(): Date {
    return new Date(this.now() + this.options.historyTtlSeconds * 1000);
  }
}
