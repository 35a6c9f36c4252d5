import type { BotState, Middleware, Storage, TranscriptLogger, TurnContext } from 'botbuilder';
import { MemoryTranscriptStore, TranscriptLoggerMiddleware } from 'botbuilder';
import type { Db, MongoClient, MongoClientOptions } from 'mongodb';
import type { StorageConfig } from '../config/storage';
import { type ConversationLock, MemoryConversationLock } from './ConversationLock';
import { EncryptedStorage } from './encryption/EncryptedStorage';
import { FieldCipher } from './encryption/FieldCipher';
import { StorageErrorCode, StorageUnavailableError, isStorageUnavailable } from './errors';
import { MemoryStorage } from './MemoryStorage';
import type { BotStateRecord } from './mongo/mongoDocuments';
import type { TranscriptDocument } from './mongo/MongoTranscriptStore';
import type { TranscriptRedactionOptions } from './redaction';
import { TurnSerializer } from './TurnSerializer';
import type { UserDataStores } from './userData';

/** What the composition root gets: every storage part, already connected and indexed. */
export interface StorageLayer {
  kind: StorageConfig['kind'];
  storage: Storage;
  /**
   * The middleware to register first, in order: the outage guard (polite reply instead of a
   * turn error), the turn serializer (which also loads `states` before the turn and saves them
   * after it, with the lease release) and, if enabled, the transcript logger.
   */
  middleware(states: BotState[]): Middleware[];
  /** The serializer built by the last `middleware` call (for tests and metrics). */
  serializer?: TurnSerializer;
  /** For the user-data CLI; undefined on memory storage. */
  userData?: UserDataStores;
  /** Readiness: true when the database answers a ping quickly. */
  isReady(): Promise<boolean>;
  /**
   * Field encryption of personal data (DATA_ENCRYPTION, DATA_ENCRYPTION_KEYS); undefined when no
   * key is configured. Other stores of personal data (handoff tickets) use it too.
   */
  cipher?: FieldCipher;
  /** The driver client, for command monitoring in benchmarks; undefined on memory storage. */
  client?: MongoClient;
  db?: Db;
  /** Closes the connection pool. Safe to call twice. */
  close(): Promise<void>;
}

/** Parts that are not configuration. */
export interface StorageLayerDeps {
  /** Called with errors that must not fail a turn (transcript writes, lease renewals). */
  onBackgroundError?: (error: unknown, what: string) => void;
  /** Extra driver options (tests and benchmarks turn on `monitorCommands`). */
  clientOptions?: MongoClientOptions;
}

const READINESS_TIMEOUT_MS = 1500;

/** Hides credentials before a URI reaches a log or an error message. */
export function redactMongoUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}

function redactionOf(config: StorageConfig['transcripts']): TranscriptRedactionOptions {
  return {
    dropText: config.redactText,
    maskEmails: config.maskPersonalData,
    maskPhoneNumbers: config.maskPersonalData,
    hashUserIds: config.hashUserIdsSecret ? { secret: config.hashUserIdsSecret } : undefined,
  };
}

function transcriptMiddleware(logger: TranscriptLogger, onError: StorageLayerDeps['onBackgroundError']): TranscriptLoggerMiddleware {
  // botbuilder's middleware does not await the logger and prints failures with console.error;
  // route them to our error sink instead, so an outage is logged once, in our format.
  const guarded: TranscriptLogger = {
    logActivity: (activity) => Promise.resolve(logger.logActivity(activity)).catch((error: unknown) => onError?.(error, 'transcript')),
  };
  return new TranscriptLoggerMiddleware(guarded);
}

/**
 * Builds the storage of the bot from configuration: MongoDB (one client and pool per process,
 * connected with a bounded wait, indexes ensured) or memory. Never falls back from one to the
 * other: a MongoDB that cannot be reached at start-up is an error.
 */
export async function createStorageLayer(config: StorageConfig, deps: StorageLayerDeps = {}): Promise<StorageLayer> {
  const cipher = createCipher(config);
  if (config.kind === 'memory' || !config.mongodb) return createMemoryLayer(config, deps, cipher);

  const { uri, dbName, connectTimeoutMs, maxDocumentBytes, requireTls } = config.mongodb;
  // The driver and the Mongo stores load only for MongoDB state: on memory state the driver
  // would be about 16 MB of idle memory for nothing (docs/performance.md).
  const { MongoClient } = require('mongodb') as typeof import('mongodb');
  const { DEFAULT_COLLECTIONS, ensureStorageIndexes } = require('./mongo/indexes') as typeof import('./mongo/indexes.js');
  const { MongoBatcher } = require('./mongo/MongoBatcher') as typeof import('./mongo/MongoBatcher.js');
  const { MongoConversationLock } = require('./mongo/MongoConversationLock') as typeof import('./mongo/MongoConversationLock.js');
  const { MongoStorage } = require('./mongo/MongoStorage') as typeof import('./mongo/MongoStorage.js');
  const { MongoTranscriptStore } = require('./mongo/MongoTranscriptStore') as typeof import('./mongo/MongoTranscriptStore.js');
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: connectTimeoutMs,
    connectTimeoutMS: connectTimeoutMs,
    appName: 'order-support-bot',
    // MONGODB_REQUIRE_TLS: TLS whatever the URI says (the config refused URIs that weaken it).
    ...(requireTls ? { tls: true } : {}),
    ...deps.clientOptions,
  });
  const db = client.db(dbName);
  try {
    await client.connect();
    await ensureStorageIndexes(db);
  } catch (error) {
    await client.close().catch(() => undefined);
    if (isStorageUnavailable(error) || (error as { code?: unknown }).code === StorageErrorCode.Unavailable) {
      throw new StorageUnavailableError(
        `Cannot reach MongoDB at ${redactMongoUri(uri)} within ${connectTimeoutMs} ms ` +
          '(MONGODB_URI, MONGODB_CONNECT_TIMEOUT_MS). Check that the server runs, the address and ' +
          'credentials are right and this host may connect (firewall, Atlas IP access list).',
        error,
      );
    }
    throw error;
  }

  const batcher = new MongoBatcher(db.collection<BotStateRecord>(DEFAULT_COLLECTIONS.state));
  const lock = new MongoConversationLock(batcher);
  const transcripts = new MongoTranscriptStore(db.collection<TranscriptDocument>(DEFAULT_COLLECTIONS.transcripts), {
    retentionDays: config.transcripts.retentionDays,
    redaction: redactionOf(config.transcripts),
    ...(cipher ? { cipher } : {}),
  });
  let closed = false;
  const mongoStorage = new MongoStorage(batcher, { maxDocumentBytes });
  const layer: StorageLayer = {
    kind: 'mongodb',
    storage: cipher ? new EncryptedStorage(mongoStorage, cipher) : mongoStorage,
    ...(cipher ? { cipher } : {}),
    middleware: (states) => assemble(layer, config, deps, lock, states, config.transcripts.enabled ? transcripts : undefined),
    userData: {
      state: batcher.collection,
      transcripts: db.collection<TranscriptDocument>(DEFAULT_COLLECTIONS.transcripts),
      storedUserId: (id) => transcripts.storedUserId(id),
      ...(cipher ? { cipher } : {}),
    },
    isReady: () => ping(db),
    client,
    db,
    close: async () => {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
  return layer;
}

/** The cipher of DATA_ENCRYPTION_KEYS: encrypts when DATA_ENCRYPTION is on, else only decrypts. */
function createCipher(config: StorageConfig): FieldCipher | undefined {
  const { enabled, keys } = config.encryption;
  return keys.length > 0 ? new FieldCipher(keys, enabled) : undefined;
}

function createMemoryLayer(config: StorageConfig, deps: StorageLayerDeps, cipher: FieldCipher | undefined): StorageLayer {
  const lock = new MemoryConversationLock();
  // Memory state never leaves the process; it is encrypted too, so both kinds behave the same
  // (and the per-turn cost can be measured without a database).
  const layer: StorageLayer = {
    kind: 'memory',
    storage: cipher?.encrypt ? new EncryptedStorage(new MemoryStorage(), cipher) : new MemoryStorage(),
    ...(cipher ? { cipher } : {}),
    middleware: (states) => assemble(layer, config, deps, lock, states, config.transcripts.enabled ? new MemoryTranscriptStore() : undefined),
    isReady: async () => true,
    close: async () => undefined,
  };
  return layer;
}

function assemble(
  layer: StorageLayer,
  config: StorageConfig,
  deps: StorageLayerDeps,
  lock: ConversationLock,
  states: BotState[],
  transcripts: TranscriptLogger | undefined,
): Middleware[] {
  const serializer = new TurnSerializer({
    lock,
    states,
    leaseTtlMs: config.lock.leaseTtlMs,
    maxWaitMs: config.lock.maxWaitMs,
    onRenewError: (error) => deps.onBackgroundError?.(error, 'lease renewal'),
  });
  layer.serializer = serializer;
  const guard: Middleware = {
    onTurn: async (context, next) => {
      try {
        await next();
      } catch (error) {
        if (!(await replyToStorageFailure(context, error))) throw error;
        deps.onBackgroundError?.(error, 'turn');
      }
    },
  };
  return [guard, serializer, ...(transcripts ? [transcriptMiddleware(transcripts, deps.onBackgroundError)] : [])];
}

async function ping(db: Db): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), READINESS_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      db.command({ ping: 1 }).then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a customer is told when the conversation's state cannot be loaded or saved. */
export const StorageReplies = {
  unavailable: "Sorry, I can't reach my records right now. Please try again in a moment.",
  busy: "I'm still working on your previous message. Please send this one again in a moment.",
} as const;

/**
 * Turns storage outages and lease timeouts into a polite reply instead of a turn error, and
 * reports them. Returns false for other errors, which the caller should rethrow.
 */
export async function replyToStorageFailure(context: TurnContext, error: unknown): Promise<boolean> {
  const code = (error as { code?: unknown }).code;
  if (isStorageUnavailable(error) || code === StorageErrorCode.Unavailable) {
    await context.sendActivity(StorageReplies.unavailable);
    return true;
  }
  if (code === StorageErrorCode.LockTimeout) {
    await context.sendActivity(StorageReplies.busy);
    return true;
  }
  return false;
}
