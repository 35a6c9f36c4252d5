import type { Storage, StoreItems } from 'botbuilder';

/** Property of the stand-in item returned for a stored state item that cannot be decoded. */
export const UNREADABLE_ITEM_KEY = 'unreadableStoredItem';

/**
 * A Storage decorator for bot state: a stored item that cannot be decoded at all (a document
 * whose JSON is corrupt) reads as a stand-in `{ unreadableStoredItem: reason, eTag: '*' }`
 * instead of failing every turn of its conversation. The state guard starts such a
 * conversation afresh, and the turn's save overwrites the corrupt item. Other items of the same
 * read, and every other error, are untouched.
 */
export class UnreadableItemStorage implements Storage {
  constructor(
    private readonly inner: Storage,
    private readonly onUnreadable: (key: string, error: Error) => void = () => undefined,
  ) {}

  async read(keys: string[]): Promise<StoreItems> {
    try {
      return await this.inner.read(keys);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
    }
    // Rare path: read item by item to find the ones that cannot be decoded.
    const result: StoreItems = {};
    for (const key of keys) {
      try {
        Object.assign(result, await this.inner.read([key]));
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        this.onUnreadable(key, error);
        result[key] = { [UNREADABLE_ITEM_KEY]: error.message.slice(0, 200), eTag: '*' };
      }
    }
    return result;
  }

  write(changes: StoreItems): Promise<void> {
    return this.inner.write(changes);
  }

  delete(keys: string[]): Promise<void> {
    return this.inner.delete(keys);
  }
}
