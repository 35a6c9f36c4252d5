import type { Storage, StoreItem, StoreItems } from 'botbuilder';
import { isRecord } from '../../util/json';
import { invalidArgument } from '../storeItems';
import { FieldCipher } from './FieldCipher';

/** How an encrypted item is stored: the item (without eTag) as an envelope. */
export interface SealedItem {
  $enc: string;
  eTag?: string;
}

function isSealed(item: unknown): item is SealedItem {
  return typeof item === 'object' && item !== null && FieldCipher.isEnvelope((item as { $enc?: unknown }).$enc);
}

/** Decrypts one stored state item (any shape); plain items are returned as they are. */
export function openStateItem(cipher: FieldCipher | undefined, key: string, item: unknown): unknown {
  if (!isSealed(item)) return item;
  if (!cipher) throw new Error(`state item "${key}" is encrypted but DATA_ENCRYPTION_KEYS is not set`);
  const opened = JSON.parse(cipher.open(item.$enc, `state:${key}`)) as StoreItem;
  return item.eTag === undefined ? opened : { ...opened, eTag: item.eTag };
}

/** Encrypts one state item for storage (its eTag stays outside, for the inner store's checks). */
export function sealStateItem(cipher: FieldCipher, key: string, item: StoreItem): StoreItem {
  const { eTag, ...rest } = item;
  let json: string;
  try {
    json = JSON.stringify(rest);
  } catch (error) {
    // The same answer the inner storages give for an item that is not JSON.
    invalidArgument(`item "${key}" cannot be serialised: ${(error as Error).message}`);
  }
  const sealed: SealedItem = { $enc: cipher.seal(json, `state:${key}`) };
  if (eTag !== undefined) sealed.eTag = eTag;
  return sealed;
}

/**
 * A botbuilder `Storage` that encrypts every item (UserState profiles with the customer's
 * name, ConversationState with the dialog's order IDs and answers) before the inner storage
 * sees it, and decrypts on read. The item is bound to its storage key, so swapping two stored
 * items fails authentication. eTags stay in clear, so the inner storage's optimistic
 * concurrency works unchanged.
 *
 * Rotation is lazy: any listed key decrypts, every write uses the current key, and state is
 * written on every turn; `npm run user-data -- reencrypt` rewrites what is not touched.
 * Items stored before encryption was turned on are read as they are and encrypted on their
 * next write.
 */
export class EncryptedStorage implements Storage {
  constructor(
    private readonly inner: Storage,
    private readonly cipher: FieldCipher,
  ) {}

  async read(keys: string[]): Promise<StoreItems> {
    const items = await this.inner.read(keys);
    const result: StoreItems = {};
    for (const [key, item] of Object.entries(items)) result[key] = openStateItem(this.cipher, key, item);
    return result;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!this.cipher.encrypt || changes === null || typeof changes !== 'object' || Array.isArray(changes)) {
      return this.inner.write(changes);
    }
    const sealed: StoreItems = {};
    for (const [key, item] of Object.entries(changes)) {
      // Leave malformed items to the inner storage, which rejects them with its own error.
      sealed[key] = isRecord(item) ? sealStateItem(this.cipher, key, item as StoreItem) : item;
    }
    return this.inner.write(sealed);
  }

  delete(keys: string[]): Promise<void> {
    return this.inner.delete(keys);
  }
}
