import type { ConversationReference } from 'botbuilder';
import type { Collection, Db } from 'mongodb';
import type { FieldCipher } from '../encryption/FieldCipher';
import type { ConversationReferenceStore } from '../../channels/references/ConversationReferenceStore';

interface ReferenceDoc {
  _id: string;
  channelId: string;
  /** JSON text: references carry free-form channel data whose keys need not be valid field names. */
  json: string;
  updatedAt: Date;
  expiresAt: Date;
}

export interface MongoConversationReferenceStoreOptions {
  /** Collection name; default `conversation_references`. */
  collection?: string;
  /** Forget a conversation's reference this many days after it was last saved; default 90. */
  retentionDays?: number;
  /** Field encryption of the reference (it names the customer; DATA_ENCRYPTION). */
  cipher?: FieldCipher;
}

/** ConversationReferenceStore on MongoDB, shared by every instance; a TTL index drops stale ones. */
export class MongoConversationReferenceStore implements ConversationReferenceStore {
  private readonly collection: Collection<ReferenceDoc>;
  private readonly retentionMs: number;
  private readonly cipher: FieldCipher | undefined;
  private indexes: Promise<unknown> | undefined;

  constructor(db: Db, options: MongoConversationReferenceStoreOptions = {}) {
    this.collection = db.collection<ReferenceDoc>(options.collection ?? 'conversation_references');
    this.retentionMs = (options.retentionDays ?? 90) * 86_400_000;
    this.cipher = options.cipher;
  }

  async save(reference: Partial<ConversationReference>): Promise<void> {
    const id = reference.conversation?.id;
    if (!id) throw new Error('ConversationReferenceStore.save: the reference has no conversation id.');
    this.indexes ??= this.collection.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'ttl' }).catch((error: unknown) => {
      this.indexes = undefined;
      throw error;
    });
    await this.indexes;
    const now = Date.now();
    await this.collection.replaceOne(
      { _id: id },
      {
        channelId: reference.channelId ?? '',
        json: this.cipher ? this.cipher.protect(JSON.stringify(reference), `reference:${id}`) : JSON.stringify(reference),
        updatedAt: new Date(now),
        expiresAt: new Date(now + this.retentionMs),
      },
      { upsert: true },
    );
  }

  async get(conversationId: string): Promise<Partial<ConversationReference> | undefined> {
    const doc = await this.collection.findOne({ _id: conversationId });
    if (!doc) return undefined;
    const json = this.cipher ? this.cipher.reveal(doc.json, `reference:${conversationId}`) : doc.json;
    return JSON.parse(json) as Partial<ConversationReference>;
  }

  async delete(conversationId: string): Promise<void> {
    await this.collection.deleteOne({ _id: conversationId });
  }
}
