import { type AnyBulkWriteOperation, type BulkWriteResult, type Collection, MongoBulkWriteError, type WriteError } from 'mongodb';
import { StorageDocumentTooLargeError, StorageUnavailableError, isStorageUnavailable } from '../errors';
import { type BotStateRecord, type StateDocument, type StateDocumentId, keyOfStateDocument, stateDocumentId } from './mongoDocuments';

/**
 * Coalesces the state reads and writes issued during one event-loop tick into one `find` and
 * one ordered `bulkWrite` on the bot-state collection.
 *
 * Why: at the end of a turn botbuilder saves ConversationState and UserState concurrently and
 * the turn serializer releases the conversation lease at the same moment. Sent one by one that
 * is three round trips; batched it is one `update` command, with the lease release ordered
 * after the state it protects. Reads of both states at the start of a turn likewise become one
 * `find`. Callers see ordinary per-call promises.
 */

/** How one queued write ended. */
export type WriteOutcome = 'ok' | 'conflict' | 'notMatched' | Error;

/** A write queued by MongoStorage or the lease lock. */
export interface QueuedWrite {
  model: AnyBulkWriteOperation<BotStateRecord>;
  /**
   * `overwrite` always applies (upsert); `ifMatch` applies only if the stored eTag matches;
   * `release` is a conditional lease update that is sent after all state writes.
   */
  kind: 'overwrite' | 'ifMatch' | 'release';
  /** For `ifMatch`: the document and the eTag it gets when the write applies. */
  check?: { id: StateDocumentId; newETag: string };
  /** Key reported in errors. */
  key: string;
}

interface PendingWrite extends QueuedWrite {
  settle(outcome: WriteOutcome): void;
}

interface PendingRead {
  keys: string[];
  resolve(docs: Map<string, StateDocument>): void;
  reject(error: unknown): void;
}

const DUPLICATE_KEY = 11000;
// BSONObjectTooLarge and the "document too large" codes of update/insert paths.
const TOO_LARGE_CODES = new Set([10334, 17419, 17420, 13134]);
const MAX_UPSERT_RETRIES = 2;

/** Maps a driver error to a storage error with a stable code where one applies. */
export function toStorageError(error: unknown, key?: string): Error {
  if (isStorageUnavailable(error)) {
    return new StorageUnavailableError(`Storage: MongoDB is unavailable (${(error as Error).message}). Try again in a moment.`, error);
  }
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if ((typeof code === 'number' && TOO_LARGE_CODES.has(code)) || /larger than the maximum|too large/i.test(message)) {
    return new StorageDocumentTooLargeError(key ?? '(unknown)', Number.NaN, Number.NaN, error);
  }
  return error instanceof Error ? error : new Error(message);
}

/** See the module comment. One instance per state collection, shared by storage and lock. */
export class MongoBatcher {
  private reads: PendingRead[] = [];
  private writes: PendingWrite[] = [];
  private scheduled = false;

  constructor(readonly collection: Collection<BotStateRecord>) {}

  /** Reads the state documents of `keys`, in the same `find` as other reads of this tick. */
  readStates(keys: readonly string[]): Promise<Map<string, StateDocument>> {
    return new Promise((resolve, reject) => {
      this.reads.push({ keys: [...keys], resolve, reject });
      this.schedule();
    });
  }

  /** Queues writes; they are sent with the other writes of this tick. */
  write(ops: readonly QueuedWrite[]): Promise<WriteOutcome[]> {
    return Promise.all(
      ops.map(
        (op) =>
          new Promise<WriteOutcome>((settle) => {
            this.writes.push({ ...op, settle });
            this.schedule();
          }),
      ),
    );
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after the promise jobs of this tick, so both BotStates' saves are in.
    setImmediate(() => {
      this.scheduled = false;
      const reads = this.reads;
      const writes = this.writes;
      this.reads = [];
      this.writes = [];
      if (reads.length > 0) void this.flushReads(reads);
      if (writes.length > 0) void this.flushWrites(writes);
    });
  }

  private async flushReads(reads: PendingRead[]): Promise<void> {
    const unique = new Map<string, StateDocumentId>();
    for (const read of reads) for (const key of read.keys) unique.set(key, stateDocumentId(key));
    try {
      const docs = (await this.collection
        .find({ _id: { $in: [...unique.values()] } }, { projection: { eTag: 1, state: 1, key: 1 } })
        .toArray()) as unknown as StateDocument[];
      const byKey = new Map(docs.map((doc) => [keyOfStateDocument(doc), doc]));
      for (const read of reads) {
        const own = new Map<string, StateDocument>();
        for (const key of read.keys) {
          const doc = byKey.get(key);
          if (doc) own.set(key, doc);
        }
        read.resolve(own);
      }
    } catch (error) {
      const mapped = toStorageError(error);
      for (const read of reads) read.reject(mapped);
    }
  }

  private async flushWrites(writes: PendingWrite[]): Promise<void> {
    // A lease is released only after every state write before it was applied.
    const ordered = [...writes.filter((w) => w.kind !== 'release'), ...writes.filter((w) => w.kind === 'release')];
    let outcomes: WriteOutcome[];
    try {
      outcomes = await this.execute(ordered, 0);
    } catch (error) {
      outcomes = ordered.map(() => toStorageError(error));
    }
    for (const [i, write] of ordered.entries()) write.settle(outcomes[i] ?? new Error('Storage: write outcome missing.'));
  }

  private async execute(ops: PendingWrite[], upsertRetries: number): Promise<WriteOutcome[]> {
    if (ops.length === 0) return [];
    try {
      const result = await this.collection.bulkWrite(
        ops.map((op) => op.model),
        { ordered: true },
      );
      return this.attribute(ops, result);
    } catch (error) {
      const writeError = firstWriteError(error);
      if (!writeError) throw error;
      // Ordered: everything before the failed op ran, nothing after it did.
      const failedAt = writeError.index;
      const before = await this.attribute(ops.slice(0, failedAt), (error as MongoBulkWriteError).result);
      const failed = ops[failedAt]!;
      const rest = ops.slice(failedAt + 1);
      // Two instances upserting the same new key race on the unique _id; the loser retries as
      // an update of the document the winner created, which is what overwrite means.
      if (writeError.code === DUPLICATE_KEY && failed.kind === 'overwrite' && upsertRetries < MAX_UPSERT_RETRIES) {
        return [...before, ...(await this.execute([failed, ...rest], upsertRetries + 1))];
      }
      const failedOutcome =
        writeError.code === DUPLICATE_KEY && failed.kind !== 'overwrite'
          ? 'notMatched'
          : toStorageError(Object.assign(new Error(writeError.errmsg), { code: writeError.code }), failed.key);
      return [...before, failedOutcome, ...(await this.execute(rest, upsertRetries))];
    }
  }

  /** Works out which conditional ops did not apply, reading back eTags only when ambiguous. */
  private async attribute(ops: PendingWrite[], result: Pick<BulkWriteResult, 'matchedCount' | 'upsertedCount'>): Promise<WriteOutcome[]> {
    const applied = result.matchedCount + result.upsertedCount;
    const shortfall = ops.length - applied;
    if (shortfall <= 0) return ops.map(() => 'ok');
    const conditional = ops.filter((op) => op.kind !== 'overwrite');
    if (conditional.length === shortfall) {
      return ops.map((op) => (op.kind === 'overwrite' ? 'ok' : failedOutcomeOf(op)));
    }
    const checks = ops.filter((op) => op.kind === 'ifMatch' && op.check);
    const docs = (await this.collection
      .find({ _id: { $in: checks.map((op) => op.check!.id) } }, { projection: { eTag: 1, key: 1 } })
      .toArray()) as unknown as StateDocument[];
    const eTags = new Map(docs.map((doc) => [keyOfStateDocument(doc), doc.eTag]));
    return ops.map((op) => {
      if (op.kind !== 'ifMatch' || !op.check) return 'ok';
      return eTags.get(op.key) === op.check.newETag ? 'ok' : 'conflict';
    });
  }
}

function failedOutcomeOf(op: PendingWrite): WriteOutcome {
  return op.kind === 'ifMatch' ? 'conflict' : 'notMatched';
}

function firstWriteError(error: unknown): WriteError | undefined {
  if (!(error instanceof MongoBulkWriteError)) return undefined;
  const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  return errors.slice().sort((a, b) => a.index - b.index)[0];
}
