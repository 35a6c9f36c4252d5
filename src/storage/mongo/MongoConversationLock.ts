import type { Collection } from 'mongodb';
import type { Clock, ConversationLock } from '../ConversationLock';
import { MongoBatcher, toStorageError } from './MongoBatcher';
import { type BotStateRecord, type LeaseDocument, leaseDocumentId } from './mongoDocuments';

const DUPLICATE_KEY = 11000;

/**
 * Conversation leases in MongoDB: one document per conversation, `{ owner, expiresAt }`.
 *
 * `acquire` is a single conditional upsert: it matches a lease that is free, lapsed or already
 * ours; when another instance holds it the filter misses, the upsert collides on `_id`, and the
 * duplicate-key error means "held". So racing instances need no read-then-write.
 *
 * Expiry uses this process's clock; instances must keep clocks in step (NTP) to well within
 * the lease TTL. A TTL index on `expiresAt` (see indexes.ts) removes lapsed leases.
 *
 * Pass the {@link MongoBatcher} that {@link MongoStorage} uses: `release` then rides in the same
 * `update` command as the turn's state writes, ordered after them.
 */
export class MongoConversationLock implements ConversationLock {
  private readonly batcher: MongoBatcher;

  constructor(
    target: Collection<BotStateRecord> | MongoBatcher,
    private readonly now: Clock = Date.now,
  ) {
    this.batcher = target instanceof MongoBatcher ? target : new MongoBatcher(target);
  }

  async acquire(conversationKey: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const lease: Omit<LeaseDocument, '_id'> = { owner, expiresAt: new Date(now + ttlMs) };
    try {
      await this.batcher.collection.updateOne(
        {
          _id: leaseDocumentId(conversationKey),
          $or: [{ owner: null }, { owner }, { expiresAt: { $lte: new Date(now) } }],
        },
        { $set: lease },
        { upsert: true },
      );
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === DUPLICATE_KEY) return false;
      throw toStorageError(error);
    }
  }

  async renew(conversationKey: string, owner: string, ttlMs: number): Promise<boolean> {
    try {
      const result = await this.batcher.collection.updateOne(
        { _id: leaseDocumentId(conversationKey), owner },
        { $set: { expiresAt: new Date(this.now() + ttlMs) } },
      );
      return result.matchedCount === 1;
    } catch (error) {
      throw toStorageError(error);
    }
  }

  async release(conversationKey: string, owner: string): Promise<void> {
    // Released leases keep their document (owner null, lapsed) until the TTL index removes it.
    const released: Omit<LeaseDocument, '_id'> = { owner: null, expiresAt: new Date(0) };
    const [outcome] = await this.batcher.write([
      {
        kind: 'release',
        key: conversationKey,
        model: { updateOne: { filter: { _id: leaseDocumentId(conversationKey), owner }, update: { $set: released } } },
      },
    ]);
    if (outcome instanceof Error) throw outcome;
  }
}
