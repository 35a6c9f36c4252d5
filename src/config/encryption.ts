import { createSecretKey, type KeyObject } from 'node:crypto';
import { ConfigError } from '../errors';
import { type Env, readBool, readOptional } from './env';

/**
 * One data key: its id (stored in every envelope) and 32 bytes of key material, as a KeyObject
 * (configuration holds that form: it cannot be logged or serialised by accident) or a Buffer.
 */
export interface DataKey {
  id: string;
  key: KeyObject | Buffer;
}

/** Key ids are stored in clear in every envelope; keep them short and free of separators. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** Field encryption of personal data at rest (transcripts, handoff tickets, user and conversation state). */
export interface EncryptionConfig {
  /** Write new data encrypted (DATA_ENCRYPTION). */
  enabled: boolean;
  /** Current key first; the others only decrypt (DATA_ENCRYPTION_KEYS). Never logged. */
  keys: DataKey[];
}

const EXAMPLE = 'DATA_ENCRYPTION_KEYS=k2026a:$(openssl rand -base64 32)';

function parseKeys(raw: string): DataKey[] {
  const keys = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry, index): DataKey => {
      const colon = entry.indexOf(':');
      const id = colon > 0 ? entry.slice(0, colon).trim() : '';
      if (!KEY_ID_PATTERN.test(id)) {
        throw new ConfigError(
          'DATA_ENCRYPTION_KEYS',
          `entry ${index + 1} must be "keyId:base64key" with a key id of 1-32 letters, digits, "-" or "_" (e.g. ${EXAMPLE}).`,
        );
      }
      const material = entry.slice(colon + 1).trim();
      const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(material) ? Buffer.from(material, 'base64') : Buffer.alloc(0);
      if (key.length !== 32) {
        throw new ConfigError(
          'DATA_ENCRYPTION_KEYS',
          `key "${id}" must be 32 random bytes in base64 (44 characters), got ${key.length} bytes; create one with openssl rand -base64 32.`,
        );
      }
      return { id, key: createSecretKey(key) };
    });
  const ids = keys.map((k) => k.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new ConfigError('DATA_ENCRYPTION_KEYS', `key id "${duplicate}" is listed twice; every key needs its own id.`);
  return keys;
}

/**
 * Reads DATA_ENCRYPTION (on/off) and DATA_ENCRYPTION_KEYS. Keys without DATA_ENCRYPTION=true
 * still decrypt what is stored (so encryption can be turned off without losing data); turning it
 * on without keys is an error.
 */
export function readEncryption(env: Env): EncryptionConfig {
  const enabled = readBool(env, 'DATA_ENCRYPTION', false);
  const raw = readOptional(env, 'DATA_ENCRYPTION_KEYS');
  const keys = raw ? parseKeys(raw) : [];
  if (enabled && keys.length === 0) {
    throw new ConfigError(
      'DATA_ENCRYPTION_KEYS',
      `is required when DATA_ENCRYPTION=true: give at least one key, current first (${EXAMPLE}), or set DATA_ENCRYPTION=false.`,
    );
  }
  return { enabled, keys };
}
