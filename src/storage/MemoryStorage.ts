import type { Storage, StoreItems } from 'botbuilder';
import { StorageConflictError } from './errors';
import { MONGODB_MAX_DOCUMENT_BYTES, assertKeys, decodeItem, encodeChanges } from './storeItems';

/** Options of {@link MemoryStorage}. */
export interface MemoryStorageOptions {
  /**
   * Largest item accepted, as for MongoDB, so an oversized state fails in development too.
   * Defaults to 16 MiB.
   */
  maxDocumentBytes?: number;
}

interface StoredItem {
  json: string;
  eTag: string;
}

/**
 * In-process Storage with the same strict eTag semantics as {@link MongoStorage}.
 *
 * botbuilder's MemoryStorage accepts a specific eTag for a key that does not exist and reports a
 * conflict only after writing the earlier items of the batch; this twin matches MongoStorage
 * instead, so tests against it predict production. State is kept as JSON, so reads return
 * copies and callers' objects are never shared or mutated.
 */
export class MemoryStorage implements Storage {
  private readonly items = new Map<string, StoredItem>();
  private readonly maxDocumentBytes: number;

  constructor(options: MemoryStorageOptions = {}) {
    this.maxDocumentBytes = options.maxDocumentBytes ?? MONGODB_MAX_DOCUMENT_BYTES;
  }

  /** Reads the items that exist; missing keys are absent from the result. */
  async read(keys: string[]): Promise<StoreItems> {
    assertKeys(keys, 'read');
    const result: StoreItems = {};
    for (const key of keys) {
      const stored = this.items.get(key);
      if (stored) result[key] = decodeItem(stored.json, stored.eTag);
    }
    return result;
  }

  /**
   * Writes items; `eTag` `*` or none overwrites, any other eTag must match the stored one.
   * Each item is written or not as a whole; on conflict the others are still written and a
   * StorageConflictError names the conflicting keys.
   */
  async write(changes: StoreItems): Promise<void> {
    const encoded = encodeChanges(changes, this.maxDocumentBytes);
    const conflicts: string[] = [];
    for (const item of encoded) {
      const stored = this.items.get(item.key);
      if (item.condition.kind === 'ifMatch' && stored?.eTag !== item.condition.eTag) {
        conflicts.push(item.key);
        continue;
      }
      this.items.set(item.key, { json: item.json, eTag: item.newETag });
    }
    if (conflicts.length > 0) throw new StorageConflictError(conflicts);
  }

  /** Deletes the keys; missing keys are ignored. */
  async delete(keys: string[]): Promise<void> {
    assertKeys(keys, 'delete');
    for (const key of keys) this.items.delete(key);
  }
}
