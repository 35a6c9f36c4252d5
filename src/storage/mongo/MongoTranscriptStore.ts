import type { Activity, PagedResult, TranscriptInfo, TranscriptStore } from 'botbuilder';
import { type Collection, type Filter, ObjectId } from 'mongodb';
import type { Clock } from '../ConversationLock';
import { FieldCipher } from '../encryption/FieldCipher';
import { toStorageError } from './MongoBatcher';
import { type TranscriptRedactionOptions, redactActivity, storedUserId } from '../redaction';

/** One logged activity. */
export interface TranscriptDocument {
  _id: ObjectId;
  channelId: string;
  conversationId: string;
  /** The human in the exchange (hashed if configured), for per-user export and deletion. */
  userId: string | null;
  timestamp: Date;
  /**
   * The (redacted) activity as JSON: channel data may hold `$` and `.` in field names. With
   * field encryption, an envelope of that JSON bound to the conversation (see FieldCipher).
   */
  activity: string;
  /** When the TTL index removes this entry; absent when transcripts are kept forever. */
  expiresAt?: Date;
}

/** Options of {@link MongoTranscriptStore}. */
export interface MongoTranscriptStoreOptions {
  /** Days to keep each activity; 0 or undefined keeps them (TRANSCRIPT_RETENTION_DAYS). */
  retentionDays?: number;
  /** Personal-data redaction applied before anything is stored. */
  redaction?: TranscriptRedactionOptions;
  /** Items per page of `getTranscriptActivities` and `listTranscripts` (botbuilder uses 20). */
  pageSize?: number;
  now?: Clock;
  /** Field encryption of the stored activity (DATA_ENCRYPTION); undefined stores plain JSON. */
  cipher?: FieldCipher;
}

const DAY_MS = 86_400_000;

interface ActivityCursor {
  t: number;
  i: string;
}

function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decodeToken<T>(token: string | undefined): T | undefined {
  if (!token) return undefined;
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as T;
  } catch {
    throw new Error(`Transcript: invalid continuation token ${JSON.stringify(token)}.`);
  }
}

function toDate(value: unknown, fallback: number): Date {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : new Date(fallback);
}

/** The human participant: the recipient of the bot's messages, else the sender. */
function humanIdOf(activity: Partial<Activity>): string | null {
  if (activity.from?.role === 'bot' || activity.recipient?.role === 'user') return activity.recipient?.id ?? null;
  return activity.from?.id ?? null;
}

/**
 * botbuilder `TranscriptStore` on MongoDB: every activity of a conversation, in order, with
 * optional redaction and a retention period enforced by a TTL index on `expiresAt`.
 *
 * Activities logged in the same tick (botbuilder's TranscriptLoggerMiddleware logs a whole
 * turn at once) are inserted with one `insert` command.
 */
export class MongoTranscriptStore implements TranscriptStore {
  private readonly retentionDays: number;
  private readonly redaction: TranscriptRedactionOptions;
  private readonly pageSize: number;
  private readonly now: Clock;
  private readonly cipher: FieldCipher | undefined;
  private pending: { doc: TranscriptDocument; done: (error?: unknown) => void }[] = [];

  constructor(
    private readonly collection: Collection<TranscriptDocument>,
    options: MongoTranscriptStoreOptions = {},
  ) {
    this.retentionDays = options.retentionDays ?? 0;
    this.redaction = options.redaction ?? {};
    this.pageSize = options.pageSize ?? 20;
    this.now = options.now ?? Date.now;
    this.cipher = options.cipher;
  }

  /** The form a user id takes in stored transcripts (hashed when redaction says so). */
  storedUserId(userId: string): string {
    return storedUserId(userId, this.redaction);
  }

  /** Stores one activity (redacted). Resolves once it is written. */
  logActivity(activity: Activity): Promise<void> {
    const channelId = activity?.channelId;
    const conversationId = activity?.conversation?.id;
    if (!channelId || !conversationId) {
      return Promise.reject(new Error('Transcript: activity needs channelId and conversation.id.'));
    }
    const now = this.now();
    const redacted = redactActivity(activity, this.redaction);
    const doc: TranscriptDocument = {
      _id: new ObjectId(),
      channelId,
      conversationId,
      userId: humanIdOf(redacted),
      timestamp: toDate(activity.timestamp, now),
      activity: this.cipher ? this.cipher.protect(JSON.stringify(redacted), transcriptContext(channelId, conversationId)) : JSON.stringify(redacted),
    };
    if (this.retentionDays > 0) doc.expiresAt = new Date(now + this.retentionDays * DAY_MS);
    return new Promise((resolve, reject) => {
      this.pending.push({ doc, done: (error) => (error ? reject(error) : resolve()) });
      if (this.pending.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      await this.collection.insertMany(
        batch.map((entry) => entry.doc),
        { ordered: false },
      );
      for (const entry of batch) entry.done();
    } catch (error) {
      const mapped = toStorageError(error);
      for (const entry of batch) entry.done(mapped);
    }
  }

  /** Activities of one conversation, oldest first, from `startDate` on, one page at a time. */
  async getTranscriptActivities(channelId: string, conversationId: string, continuationToken?: string, startDate?: Date): Promise<PagedResult<Activity>> {
    const filter: Filter<TranscriptDocument> = { channelId, conversationId };
    if (startDate) filter.timestamp = { $gte: startDate };
    const after = decodeToken<ActivityCursor>(continuationToken);
    if (after) {
      const t = new Date(after.t);
      filter.$and = [{ $or: [{ timestamp: { $gt: t } }, { timestamp: t, _id: { $gt: new ObjectId(after.i) } }] }];
    }
    const docs = await this.collection
      .find(filter)
      .sort({ timestamp: 1, _id: 1 })
      .limit(this.pageSize + 1)
      .toArray()
      .catch((error: unknown) => Promise.reject(toStorageError(error)));
    const page = docs.slice(0, this.pageSize);
    const last = page[page.length - 1];
    return {
      items: page.map((doc) => reviveActivity(storedActivityJson(doc, this.cipher))),
      continuationToken: docs.length > this.pageSize && last ? encodeToken({ t: last.timestamp.getTime(), i: last._id.toHexString() }) : '',
    };
  }

  /** Conversations with a transcript on `channelId`, by conversation id, one page at a time. */
  async listTranscripts(channelId: string, continuationToken?: string): Promise<PagedResult<TranscriptInfo>> {
    const after = decodeToken<string>(continuationToken);
    const match: Filter<TranscriptDocument> = { channelId };
    if (after !== undefined) match.conversationId = { $gt: after };
    const groups = await this.collection
      .aggregate<{ _id: string; created: Date }>([
        { $match: match },
        { $group: { _id: '$conversationId', created: { $min: '$timestamp' } } },
        { $sort: { _id: 1 } },
        { $limit: this.pageSize + 1 },
      ])
      .toArray()
      .catch((error: unknown) => Promise.reject(toStorageError(error)));
    const page = groups.slice(0, this.pageSize);
    const last = page[page.length - 1];
    return {
      items: page.map((group) => ({ channelId, id: group._id, created: group.created })),
      continuationToken: groups.length > this.pageSize && last ? encodeToken(last._id) : '',
    };
  }

  /** Removes every stored activity of one conversation. */
  async deleteTranscript(channelId: string, conversationId: string): Promise<void> {
    await this.collection.deleteMany({ channelId, conversationId }).catch((error: unknown) => {
      throw toStorageError(error);
    });
  }
}

/** What the activity of a stored transcript entry is bound to when encrypted. */
export function transcriptContext(channelId: string, conversationId: string): string {
  return `transcript:${channelId}/${conversationId}`;
}

/** The activity JSON of a stored entry, decrypted when it is an envelope. */
export function storedActivityJson(doc: Pick<TranscriptDocument, 'activity' | 'channelId' | 'conversationId'>, cipher: FieldCipher | undefined): string {
  if (!FieldCipher.isEnvelope(doc.activity)) return doc.activity;
  if (!cipher) throw new Error(`transcript of ${doc.channelId}/${doc.conversationId} is encrypted but DATA_ENCRYPTION_KEYS is not set`);
  return cipher.open(doc.activity, transcriptContext(doc.channelId, doc.conversationId));
}

function reviveActivity(json: string): Activity {
  const activity = JSON.parse(json) as Activity & { localTimestamp?: unknown };
  if (typeof activity.timestamp === 'string') activity.timestamp = new Date(activity.timestamp);
  if (typeof activity.localTimestamp === 'string') activity.localTimestamp = new Date(activity.localTimestamp);
  return activity;
}
