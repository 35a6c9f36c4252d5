import { createHash } from 'node:crypto';

/**
 * Shapes of the documents in the bot-state collection. State items and conversation leases
 * share one collection on purpose: a turn's state writes and its lease release then travel in a
 * single `update` command (see MongoBatcher). String `_id`s are storage keys; leases use a
 * sub-document `_id`, so the two can never collide.
 */

/** Keys longer than this are stored under a hash (old servers and Cosmos DB cap index keys). */
export const MAX_PLAIN_KEY_BYTES = 512;

/** `_id` of a state document: the key itself, or a hash of a very long key. */
export type StateDocumentId = string | { sha256: string };

/** A stored botbuilder state item. */
export interface StateDocument {
  _id: StateDocumentId;
  /** The original key, present only when `_id` is a hash. */
  key?: string;
  eTag: string;
  /** The item minus its eTag, as JSON: keeps `$` and `.` in field names out of BSON. */
  state: string;
  updatedAt: Date;
}

/** `_id` of a conversation lease. */
export interface LeaseDocumentId {
  lease: string;
}

/** A conversation lease; `owner: null` means released. */
export interface LeaseDocument {
  _id: LeaseDocumentId;
  owner: string | null;
  /** When the lease lapses; also the TTL index field that removes stale leases. */
  expiresAt: Date;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Maps a storage key to its document `_id`. */
export function stateDocumentId(key: string): StateDocumentId {
  return Buffer.byteLength(key, 'utf8') > MAX_PLAIN_KEY_BYTES ? { sha256: sha256(key) } : key;
}

/** Maps a conversation key to its lease document `_id`. */
export function leaseDocumentId(conversationKey: string): LeaseDocumentId {
  const lease = Buffer.byteLength(conversationKey, 'utf8') > MAX_PLAIN_KEY_BYTES ? `sha256:${sha256(conversationKey)}` : conversationKey;
  return { lease };
}

/** The storage key a state document belongs to. */
export function keyOfStateDocument(doc: Pick<StateDocument, '_id' | 'key'>): string {
  return typeof doc._id === 'string' ? doc._id : (doc.key ?? '');
}

/** Any document of the bot-state collection, as the driver sees it. */
export interface BotStateRecord {
  _id: StateDocumentId | LeaseDocumentId;
  [field: string]: unknown;
}
