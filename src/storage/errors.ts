import { SupportBotError } from '../errors';

/**
 * Errors raised by the storage layer. Each carries a stable `code` that callers, logs and the
 * README's error catalogue use; messages say what happened and what to do.
 */

/** Stable codes of every storage error. */
export const StorageErrorCode = {
  /** A write carried an eTag that is no longer the stored one. */
  EtagConflict: 'STORAGE_ETAG_CONFLICT',
  /** An item is too big for one MongoDB document. */
  DocumentTooLarge: 'STORAGE_DOCUMENT_TOO_LARGE',
  /** The database could not be reached or answered with a transient error. */
  Unavailable: 'STORAGE_UNAVAILABLE',
  /** Another instance held a conversation's lease for longer than the wait allows. */
  LockTimeout: 'CONVERSATION_LOCK_TIMEOUT',
  /** A lease this process held was taken over (it expired) while the turn still ran. */
  LockLost: 'CONVERSATION_LOCK_LOST',
  /** The storage was used with invalid arguments (for example `read(null)`). */
  InvalidArgument: 'STORAGE_INVALID_ARGUMENT',
} as const;

/** Union of the codes above. */
export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

/** Base class of all storage errors; part of the product's coded errors (SupportBotError). */
export class StorageError extends SupportBotError {
  /** Stable machine-readable code. */
  declare readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A write with a stale eTag. Nothing was written for the listed keys. */
export class StorageConflictError extends StorageError {
  /** Keys whose eTag did not match. */
  readonly keys: readonly string[];

  constructor(keys: readonly string[]) {
    super(
      StorageErrorCode.EtagConflict,
      `Storage: eTag conflict writing ${keys.map((k) => JSON.stringify(k)).join(', ')}: ` +
        'the item changed (or was deleted) since it was read. Read it again and retry.',
    );
    this.keys = keys;
  }
}

/** An item that cannot fit in one document. Nothing was written for that key. */
export class StorageDocumentTooLargeError extends StorageError {
  readonly key: string;
  readonly sizeBytes: number;
  readonly limitBytes: number;

  constructor(key: string, sizeBytes: number, limitBytes: number, cause?: unknown) {
    super(
      StorageErrorCode.DocumentTooLarge,
      `Storage: item ${JSON.stringify(key)} is ${sizeBytes} bytes, over the ${limitBytes}-byte ` +
        'document limit. Keep less in conversation/user state (for example trim history).',
      { cause },
    );
    this.key = key;
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/** The database is unreachable or failed transiently; the caller may retry later. */
export class StorageUnavailableError extends StorageError {
  constructor(message: string, cause?: unknown) {
    super(StorageErrorCode.Unavailable, message, { cause });
  }
}

/** True for errors that mean "the store is down", as opposed to a bug or a conflict. */
export function isStorageUnavailable(error: unknown): boolean {
  if (error instanceof StorageError) return error.code === StorageErrorCode.Unavailable;
  if (!(error instanceof Error)) return false;
  // The driver's network, selection and pool errors all derive from these names.
  return /^Mongo(ServerSelection|Network|NetworkTimeout|PoolCleared|NotConnected|Topology|ServerClosed)/.test(error.name);
}

/** Waited too long for another instance to finish a turn of the same conversation. */
export class ConversationLockTimeoutError extends StorageError {
  constructor(
    readonly conversationKey: string,
    readonly waitedMs: number,
  ) {
    super(
      StorageErrorCode.LockTimeout,
      `Conversation ${JSON.stringify(conversationKey)} stayed busy for ${waitedMs} ms ` +
        '(another turn held its lease). The message was not processed; the user can send it again.',
    );
  }
}

/** The lease lapsed while the turn ran, so its state was not saved (another turn may own it). */
export class ConversationLockLostError extends StorageError {
  constructor(readonly conversationKey: string) {
    super(
      StorageErrorCode.LockLost,
      `Lost the lease of conversation ${JSON.stringify(conversationKey)} during a turn; its state ` +
        'changes were dropped to avoid overwriting a newer turn. Raise the lease TTL if turns run long.',
    );
  }
}
