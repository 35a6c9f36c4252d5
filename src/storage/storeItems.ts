import { randomUUID } from 'node:crypto';
import type { StoreItem, StoreItems } from 'botbuilder';
import { StorageDocumentTooLargeError, StorageError, StorageErrorCode } from './errors';

/**
 * Validation and (de)serialisation shared by every Storage implementation here, so the memory
 * twin and MongoDB agree byte for byte on what fits and what round-trips.
 */

/** MongoDB's BSON document limit (16 MiB). Cosmos DB for MongoDB allows only 2 MiB. */
export const MONGODB_MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/** Room kept for `_id`, `eTag`, timestamps and BSON framing next to the state string. */
const DOCUMENT_OVERHEAD_BYTES = 1024;

/** How a write is conditioned on the stored eTag. */
export type WriteCondition = { kind: 'overwrite' } | { kind: 'ifMatch'; eTag: string };

/** One validated item ready to store. */
export interface EncodedItem {
  key: string;
  /** The item without its eTag, as JSON. State is stored as a string so any field name works. */
  json: string;
  condition: WriteCondition;
  /** The eTag the item gets if the write succeeds. */
  newETag: string;
}

/**
 * A fresh eTag: random, so instances never hand out the same one. randomUUID draws from a
 * cached pool of random bytes; randomBytes(12) per write showed up in CPU profiles (a
 * synchronous CSPRNG call and a Buffer per state write, about 1% of a turn).
 */
export function newETag(): string {
  return randomUUID();
}

/** Throws a StorageError with code STORAGE_INVALID_ARGUMENT. */
export function invalidArgument(message: string): never {
  throw new StorageError(StorageErrorCode.InvalidArgument, `Storage: ${message}`);
}

/** Checks `read`/`delete` keys. */
export function assertKeys(keys: unknown, operation: 'read' | 'delete'): asserts keys is string[] {
  if (!Array.isArray(keys)) invalidArgument(`${operation} needs an array of keys.`);
  for (const key of keys) {
    if (typeof key !== 'string') invalidArgument(`${operation} keys must be strings, got ${typeof key}.`);
  }
}

/**
 * Validates `changes` and encodes each item without touching the caller's objects.
 * Size errors are raised here, before anything is sent, so no item is written.
 */
export function encodeChanges(changes: unknown, maxDocumentBytes: number): EncodedItem[] {
  if (changes === null || typeof changes !== 'object') {
    invalidArgument('write needs an object of items keyed by storage key.');
  }
  // botbuilder's own tests pass `[]` for "no items"; an array has no string keys to write.
  if (Array.isArray(changes)) {
    if (changes.length === 0) return [];
    invalidArgument('write needs an object of items keyed by storage key, not an array.');
  }
  return Object.entries(changes as StoreItems).map(([key, item]) => encodeItem(key, item, maxDocumentBytes));
}

function encodeItem(key: string, item: unknown, maxDocumentBytes: number): EncodedItem {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    invalidArgument(`item ${JSON.stringify(key)} must be an object.`);
  }
  const { eTag, ...state } = item as StoreItem;
  let json: string;
  try {
    json = JSON.stringify(state);
  } catch (error) {
    throw new StorageError(
      StorageErrorCode.InvalidArgument,
      `Storage: item ${JSON.stringify(key)} cannot be serialised to JSON (${(error as Error).message}).`,
      { cause: error },
    );
  }
  const size = Buffer.byteLength(json, 'utf8') + Buffer.byteLength(key, 'utf8') + DOCUMENT_OVERHEAD_BYTES;
  if (size > maxDocumentBytes) throw new StorageDocumentTooLargeError(key, size, maxDocumentBytes);
  const condition: WriteCondition = typeof eTag === 'string' && eTag !== '' && eTag !== '*' ? { kind: 'ifMatch', eTag } : { kind: 'overwrite' };
  return { key, json, condition, newETag: newETag() };
}

/** Rebuilds the item handed to callers: a fresh object carrying the stored eTag. */
export function decodeItem(json: string, eTag: string): StoreItem {
  return { ...(JSON.parse(json) as Record<string, unknown>), eTag };
}
