import type { Db, IndexDescription } from 'mongodb';
import { toStorageError } from './MongoBatcher';

/** Collection names of everything the bot stores in MongoDB. */
export interface StorageCollectionNames {
  /** botbuilder state (conversation, user, private) and conversation leases. */
  state: string;
  /** Transcript activities. */
  transcripts: string;
}

/** Default collection names. */
export const DEFAULT_COLLECTIONS: Readonly<StorageCollectionNames> = Object.freeze({
  state: 'botState',
  transcripts: 'transcripts',
});

/** Lapsed leases linger this long so an operator can still see who held a stuck conversation. */
const LEASE_GRACE_SECONDS = 3600;

const STATE_INDEXES: IndexDescription[] = [
  // Only lease documents have `expiresAt`; state documents are never expired.
  { key: { expiresAt: 1 }, name: 'lease_ttl', expireAfterSeconds: LEASE_GRACE_SECONDS },
];

const TRANSCRIPT_INDEXES: IndexDescription[] = [
  { key: { channelId: 1, conversationId: 1, timestamp: 1, _id: 1 }, name: 'conversation_timeline' },
  { key: { userId: 1 }, name: 'user' },
  // `expiresAt` is the deletion time itself (now + TRANSCRIPT_RETENTION_DAYS at logging time),
  // so changing the retention needs no index change.
  { key: { expiresAt: 1 }, name: 'retention_ttl', expireAfterSeconds: 0 },
];

/**
 * Creates the storage indexes. Idempotent: run at every start-up; existing identical indexes
 * are left alone. Throws a coded storage error when the database is unreachable.
 */
export async function ensureStorageIndexes(db: Db, names: StorageCollectionNames = DEFAULT_COLLECTIONS): Promise<void> {
  try {
    await db.collection(names.state).createIndexes(STATE_INDEXES);
    await db.collection(names.transcripts).createIndexes(TRANSCRIPT_INDEXES);
  } catch (error) {
    throw toStorageError(error);
  }
}
