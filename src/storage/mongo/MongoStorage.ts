import type { Storage, StoreItems } from 'botbuilder';
import type { Collection } from 'mongodb';
import { StorageConflictError } from '../errors';
import { MongoBatcher, type QueuedWrite, toStorageError } from './MongoBatcher';
import { type BotStateRecord, type StateDocument, stateDocumentId } from './mongoDocuments';
import { type EncodedItem, MONGODB_MAX_DOCUMENT_BYTES, assertKeys, decodeItem, encodeChanges } from '../storeItems';

/** Options of {@link MongoStorage}. */
export interface MongoStorageOptions {
  /**
   * Largest document accepted, checked before anything is sent. 16 MiB for MongoDB; set 2 MiB
   * for Azure Cosmos DB for MongoDB.
   */
  maxDocumentBytes?: number;
}

/**
 * botbuilder `Storage` on MongoDB with strict eTags.
 *
 * - `eTag` `*` or none overwrites; any other eTag must equal the stored one, else the item is not
 *   written and a {@link StorageConflictError} (`STORAGE_ETAG_CONFLICT`) names it. A specific
 *   eTag for a missing item is a conflict too: what the caller read is gone.
 * - Every successful write stores a new random eTag. Callers' objects are never mutated.
 * - Keys of any shape round-trip: the key is the string `_id` (hashed past 512 bytes) and the
 *   state is kept as a JSON string, so `$` and `.` in field names are fine.
 * - Each item is written atomically; a multi-item write is not a transaction (MongoDB's
 *   test server has none), so on conflict the other items are still written.
 *
 * The composition root owns the MongoClient; this class only takes a collection (or a batcher
 * shared with {@link MongoConversationLock}, which lets a turn's saves and lease release share
 * one round trip).
 */
export class MongoStorage implements Storage {
  private readonly batcher: MongoBatcher;
  private readonly maxDocumentBytes: number;

  constructor(target: Collection<BotStateRecord> | MongoBatcher, options: MongoStorageOptions = {}) {
    this.batcher = target instanceof MongoBatcher ? target : new MongoBatcher(target);
    this.maxDocumentBytes = options.maxDocumentBytes ?? MONGODB_MAX_DOCUMENT_BYTES;
  }

  /** Reads the items that exist; missing keys are absent from the result. */
  async read(keys: string[]): Promise<StoreItems> {
    assertKeys(keys, 'read');
    if (keys.length === 0) return {};
    const docs = await this.batcher.readStates(keys);
    const result: StoreItems = {};
    for (const [key, doc] of docs) result[key] = decodeItem(doc.state, doc.eTag);
    return result;
  }

  /** Writes items with the eTag rules above. */
  async write(changes: StoreItems): Promise<void> {
    const encoded = encodeChanges(changes, this.maxDocumentBytes);
    if (encoded.length === 0) return;
    const outcomes = await this.batcher.write(encoded.map((item) => toQueuedWrite(item)));
    const conflicts: string[] = [];
    let failure: Error | undefined;
    outcomes.forEach((outcome, i) => {
      if (outcome === 'conflict' || outcome === 'notMatched') conflicts.push(encoded[i]!.key);
      else if (outcome instanceof Error) failure ??= outcome;
    });
    if (failure) throw failure;
    if (conflicts.length > 0) throw new StorageConflictError(conflicts);
  }

  /** Deletes the keys; missing keys are ignored. */
  async delete(keys: string[]): Promise<void> {
    assertKeys(keys, 'delete');
    if (keys.length === 0) return;
    try {
      await this.batcher.collection.deleteMany({ _id: { $in: keys.map(stateDocumentId) } });
    } catch (error) {
      throw toStorageError(error);
    }
  }
}

function toQueuedWrite(item: EncodedItem): QueuedWrite {
  const _id = stateDocumentId(item.key);
  const fields: Omit<StateDocument, '_id'> = { eTag: item.newETag, state: item.json, updatedAt: new Date() };
  if (typeof _id !== 'string') fields.key = item.key;
  if (item.condition.kind === 'overwrite') {
    return {
      kind: 'overwrite',
      key: item.key,
      model: { replaceOne: { filter: { _id }, replacement: fields, upsert: true } },
    };
  }
  return {
    kind: 'ifMatch',
    key: item.key,
    check: { id: _id, newETag: item.newETag },
    model: { updateOne: { filter: { _id, eTag: item.condition.eTag }, update: { $set: fields } } },
  };
}
