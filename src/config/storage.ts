import { ConfigError } from '../errors';
import { readEncryption, type EncryptionConfig } from './encryption';
import { type Env, readBool, readInt, readOptional, readString } from './env';

/** Where conversation state, user state, leases and transcripts live. */
export interface StorageConfig {
  kind: 'memory' | 'mongodb';
  /** Present when kind is mongodb. */
  mongodb?: MongoConfig;
  transcripts: TranscriptConfig;
  /** Conversation leases (one turn at a time per conversation, across instances). */
  lock: { leaseTtlMs: number; maxWaitMs: number };
  /** Field encryption of personal data at rest (DATA_ENCRYPTION, DATA_ENCRYPTION_KEYS). */
  encryption: EncryptionConfig;
}

export interface MongoConfig {
  /** Never logged: it may hold a password. */
  uri: string;
  dbName: string;
  /** Bounded wait for the first connection and for each operation's server selection. */
  connectTimeoutMs: number;
  /** 16 MiB for MongoDB; 2 MiB for Azure Cosmos DB for MongoDB. */
  maxDocumentBytes: number;
  /** MONGODB_REQUIRE_TLS: connect only over TLS with certificate checks, whatever the URI says. */
  requireTls: boolean;
}

export interface TranscriptConfig {
  enabled: boolean;
  /** 0 keeps transcripts forever. */
  retentionDays: number;
  redactText: boolean;
  maskPersonalData: boolean;
  /** HMAC key for hashing user ids in transcripts; undefined leaves ids as they are. */
  hashUserIdsSecret?: string;
}

const MIB = 1024 * 1024;

/**
 * Reads the storage settings. `MONGODB_URI` switches every kind of state to MongoDB; in
 * production it is required, because memory state is lost on every restart and is not shared
 * between instances.
 */
export function readStorage(env: Env): StorageConfig {
  const production = readOptional(env, 'NODE_ENV')?.toLowerCase() === 'production';
  const uri = readOptional(env, 'MONGODB_URI');
  if (!uri && production) {
    throw new ConfigError(
      'MONGODB_URI',
      'is required when NODE_ENV=production: without it conversations would live in memory, be lost on ' +
        'every restart and not be shared between instances. Set MONGODB_URI (and MONGODB_DB), or run ' +
        'with NODE_ENV=development to use memory on purpose.',
    );
  }
  if (uri && !/^mongodb(\+srv)?:\/\//.test(uri)) {
    throw new ConfigError('MONGODB_URI', 'must start with mongodb:// or mongodb+srv://.');
  }
  const dbName = readString(env, 'MONGODB_DB', 'support_bot');
  if (!/^[^/\\. "$*<>:|?]{1,63}$/.test(dbName)) {
    throw new ConfigError('MONGODB_DB', `"${dbName}" is not a valid MongoDB database name.`);
  }
  const retentionDays = readInt(env, 'TRANSCRIPT_RETENTION_DAYS', 30, 0, 36_500);
  const requireTls = readBool(env, 'MONGODB_REQUIRE_TLS', false);
  if (uri && requireTls) assertTlsUri(uri);
  return {
    kind: uri ? 'mongodb' : 'memory',
    mongodb: uri
      ? {
          uri,
          dbName,
          connectTimeoutMs: readInt(env, 'MONGODB_CONNECT_TIMEOUT_MS', 5000, 100, 120_000),
          maxDocumentBytes: readInt(env, 'MONGODB_MAX_DOCUMENT_BYTES', 16 * MIB, 64 * 1024, 16 * MIB),
          requireTls,
        }
      : undefined,
    transcripts: {
      // Memory transcripts would grow without bound, so the default follows the storage kind.
      enabled: readBool(env, 'TRANSCRIPTS_ENABLED', Boolean(uri)),
      retentionDays,
      redactText: readBool(env, 'TRANSCRIPT_REDACT_TEXT', false),
      maskPersonalData: readBool(env, 'TRANSCRIPT_MASK_PII', true),
      hashUserIdsSecret: readOptional(env, 'TRANSCRIPT_USER_ID_HASH_SECRET'),
    },
    lock: {
      leaseTtlMs: readInt(env, 'CONVERSATION_LEASE_TTL_MS', 30_000, 1000, 600_000),
      maxWaitMs: readInt(env, 'CONVERSATION_LOCK_WAIT_MS', 20_000, 100, 600_000),
    },
    encryption: readEncryption(env),
  };
}

/**
 * With MONGODB_REQUIRE_TLS the client always uses TLS; a URI that turns TLS or its certificate
 * checks off contradicts the setting and is refused rather than silently overridden.
 */
function assertTlsUri(uri: string): void {
  const query = uri.split('?')[1] ?? '';
  const options = new URLSearchParams(query);
  for (const [name, value] of options) {
    const lower = name.toLowerCase();
    if ((lower === 'tls' || lower === 'ssl') && value.toLowerCase() === 'false') {
      throw new ConfigError(
        'MONGODB_URI',
        `has ${name}=false but MONGODB_REQUIRE_TLS=true: remove it (the database must accept TLS), or set MONGODB_REQUIRE_TLS=false for a database on a private network.`,
      );
    }
    if (
      ['tlsinsecure', 'tlsallowinvalidcertificates', 'tlsallowinvalidhostnames', 'tlsdisableocspendpointcheck'].includes(lower) &&
      value.toLowerCase() === 'true'
    ) {
      throw new ConfigError('MONGODB_URI', `has ${name}=true, which turns certificate checks off; remove it while MONGODB_REQUIRE_TLS=true.`);
    }
  }
}
