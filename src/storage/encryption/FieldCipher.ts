import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { type DataKey, KEY_ID_PATTERN } from '../../config/encryption';
import { SupportBotError } from '../../errors';

// The key's shape and id rule belong to the configuration that reads them (config imports nothing above it).
export { type DataKey, KEY_ID_PATTERN } from '../../config/encryption';

/** A stored value could not be decrypted: wrong or missing key, or it was changed. */
export class DataDecryptionError extends SupportBotError {
  constructor(message: string) {
    super('DATA_DECRYPTION_FAILED', message);
  }
}

const PREFIX = 'enc1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ENVELOPE = /^enc1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]*)$/;

/**
 * Field-level authenticated encryption (AES-256-GCM) of personal data before it is stored.
 *
 * An envelope is one string, `enc1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts), so it
 * fits wherever the plain string was. The additional authenticated data binds the envelope to
 * its format, its key id and a caller-given context (the storage key, the conversation, the
 * ticket and field): a value copied into another record or field fails authentication just as
 * a changed byte does.
 *
 * Keys: the first is current and encrypts; every listed key decrypts, so a rotation is "put the
 * new key first, keep the old one until everything was rewritten".
 */
export class FieldCipher {
  private readonly keys: ReadonlyMap<string, KeyObject>;
  readonly currentKeyId: string;

  /**
   * @param keys current key first; older keys after it (decrypt only).
   * @param encrypt false: decrypt what is stored but write plain text (turning encryption off).
   */
  constructor(
    keys: readonly DataKey[],
    readonly encrypt = true,
  ) {
    const first = keys[0];
    if (!first) throw new Error('FieldCipher needs at least one key');
    const secrets = keys.map(({ id, key }): [string, KeyObject] => {
      if (!KEY_ID_PATTERN.test(id)) throw new Error(`FieldCipher: key id "${id}" must match ${KEY_ID_PATTERN}`);
      const secret = Buffer.isBuffer(key) ? createSecretKey(key) : key;
      if (secret.symmetricKeySize !== 32) throw new Error(`FieldCipher: key "${id}" must be 32 bytes, got ${secret.symmetricKeySize}`);
      return [id, secret];
    });
    this.keys = new Map(secrets);
    if (this.keys.size !== keys.length) throw new Error('FieldCipher: key ids must be unique');
    this.currentKeyId = first.id;
  }

  /** True for a string in the envelope format (whatever its key). */
  static isEnvelope(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(`${PREFIX}.`) && ENVELOPE.test(value);
  }

  /** The key id of an envelope, or undefined for anything else. */
  static keyIdOf(value: unknown): string | undefined {
    return typeof value === 'string' ? ENVELOPE.exec(value)?.[1] : undefined;
  }

  /** Encrypts `plaintext` with the current key, bound to `context`. */
  seal(plaintext: string, context: string): string {
    const key = this.keys.get(this.currentKeyId) as KeyObject;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(this.currentKeyId, context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [PREFIX, this.currentKeyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  /** Decrypts an envelope made for `context`; throws {@link DataDecryptionError} otherwise. */
  open(envelope: string, context: string): string {
    const parts = ENVELOPE.exec(envelope);
    if (!parts) throw new DataDecryptionError(`stored value for ${describe(context)} is not an encryption envelope`);
    const [, keyId, iv, tag, ciphertext] = parts as unknown as [string, string, string, string, string];
    const key = this.keys.get(keyId);
    if (!key) {
      throw new DataDecryptionError(
        `stored value for ${describe(context)} was encrypted with key "${keyId}", which is not in DATA_ENCRYPTION_KEYS (listed: ${[...this.keys.keys()].join(', ')}); add it back until the data is re-encrypted`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(keyId, context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new DataDecryptionError(
        `stored value for ${describe(context)} failed authentication: it was changed, moved from another record, or the key "${keyId}" is wrong`,
      );
    }
  }

  /** `seal` when encryption is on, the plain text when it is off. */
  protect(plaintext: string, context: string): string {
    return this.encrypt ? this.seal(plaintext, context) : plaintext;
  }

  /** `open` for an envelope; any other string is legacy plain text and returned as it is. */
  reveal(stored: string, context: string): string {
    return FieldCipher.isEnvelope(stored) ? this.open(stored, context) : stored;
  }

  /** True when a stored value should be rewritten: another key, or plain text while encryption is on. */
  isStale(stored: unknown): boolean {
    const keyId = FieldCipher.keyIdOf(stored);
    if (keyId === undefined) return this.encrypt && typeof stored === 'string';
    return this.encrypt ? keyId !== this.currentKeyId : true;
  }
}

function aad(keyId: string, context: string): Buffer {
  return Buffer.from(`${PREFIX}\u0000${keyId}\u0000${context}`, 'utf8');
}

/** Contexts hold storage keys and ids, never personal data, so they may appear in errors. */
function describe(context: string): string {
  return JSON.stringify(context.length > 120 ? `${context.slice(0, 117)}...` : context);
}
