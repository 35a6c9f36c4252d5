import type { Activity } from 'botbuilder';
import type { Collection, Document, Filter } from 'mongodb';
import { openStateItem } from './encryption/EncryptedStorage';
import type { FieldCipher } from './encryption/FieldCipher';
import { toStorageError } from './mongo/MongoBatcher';
import { type BotStateRecord, type StateDocument, keyOfStateDocument, leaseDocumentId } from './mongo/mongoDocuments';
import { type TranscriptDocument, storedActivityJson } from './mongo/MongoTranscriptStore';
import { participantHash } from '../groups/scope';

/**
 * Export and deletion of everything stored about one user (GDPR-style requests).
 *
 * What counts as "about the user":
 * - UserState and PrivateConversationState items of that user id, on every channel;
 * - every transcript activity the user sent or received;
 * - the user's own part of group conversations (`…/conversations/<id>/participants/<hash>/`,
 *   src/groups: their form, flags and handoff gate), exported and deleted always;
 * - the ConversationState and lease of each conversation the user's transcripts name. Support
 *   conversations are one user with the bot; in group conversations (a Teams channel) that state
 *   is shared, so `delete` keeps it unless `includeSharedConversations` is set. Other people's
 *   parts of a group conversation are never exported or deleted with it.
 */
export interface UserDataStores {
  state: Collection<BotStateRecord>;
  transcripts: Collection<TranscriptDocument>;
  /** Maps a user id to its stored transcript form (see MongoTranscriptStore.storedUserId). */
  storedUserId(userId: string): string;
  /**
   * Other collections whose documents name the user in a field (for example handoff tickets,
   * `customer.id`); the composition point adds them, so storage does not depend on features.
   */
  extra?: { name: string; collection: Collection<Document>; userField: string; decode?: (doc: Document) => unknown }[];
  /** Decrypts field-encrypted state and transcripts for the export (DATA_ENCRYPTION_KEYS). */
  cipher?: FieldCipher;
}

/** Everything found for one user. */
export interface UserDataExport {
  userId: string;
  exportedAt: string;
  /** UserState / PrivateConversationState items and the user's parts of group conversations, by storage key. */
  userState: Record<string, unknown>;
  conversations: {
    channelId: string;
    conversationId: string;
    /** ConversationState items of the conversation, by storage key. */
    state: Record<string, unknown>;
    transcript: Activity[];
  }[];
  /** Documents of the `extra` collections that name the user, by collection name. */
  other: Record<string, unknown[]>;
}

/** What `deleteUserData` removed. */
export interface UserDataDeletion {
  stateItems: number;
  transcriptActivities: number;
  leases: number;
  /** Documents deleted from the `extra` collections, by collection name. */
  other: Record<string, number>;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `<channel>/users/<id>/<ns>` and `<channel>/conversations/<c>/users/<id>/<ns>`. */
function userKeyPattern(userId: string): RegExp {
  return new RegExp(`^[^/]+/(?:conversations/.+/)?users/${escapeRegex(userId)}/`);
}

/** `<channel>/conversations/<c>/participants/<hash of id>/`: the user's part of a group conversation. */
function participantKeyPattern(userId: string): RegExp {
  return new RegExp(`^[^/]+/conversations/.+/participants/${participantHash(userId)}/`);
}

/** A conversation's shared items: neither someone's user-scoped item nor a participant's part. */
function conversationKeyPattern(channelId: string, conversationId: string): RegExp {
  return new RegExp(`^${escapeRegex(channelId)}/conversations/${escapeRegex(conversationId)}/(?!(?:.*/)?(?:users|participants)/)`);
}

/** Long keys live under a hash `_id` with the key in `key`; match either form. */
function keyFilter(pattern: RegExp): Filter<BotStateRecord> {
  // A bare regex value rather than `$regex`: mongo-java-server mis-parses `{ $regex: /x/ }`.
  return { $or: [{ _id: pattern }, { key: pattern }] } as Filter<BotStateRecord>;
}

async function readState(stores: UserDataStores, pattern: RegExp): Promise<StateDocument[]> {
  return (await stores.state.find(keyFilter(pattern)).toArray()) as unknown as StateDocument[];
}

function toItems(docs: StateDocument[], cipher: FieldCipher | undefined): Record<string, unknown> {
  return Object.fromEntries(
    docs.map((doc) => {
      const key = keyOfStateDocument(doc);
      return [key, openStateItem(cipher, key, JSON.parse(doc.state) as unknown)];
    }),
  );
}

async function conversationsOf(stores: UserDataStores, userId: string): Promise<{ channelId: string; conversationId: string }[]> {
  const pairs = await stores.transcripts
    .aggregate<{ _id: { channelId: string; conversationId: string } }>([
      { $match: { userId: stores.storedUserId(userId) } },
      { $group: { _id: { channelId: '$channelId', conversationId: '$conversationId' } } },
      { $sort: { _id: 1 } },
    ])
    .toArray();
  return pairs.map((pair) => pair._id);
}

/** Collects everything stored about `userId` as one JSON-ready object. */
export async function exportUserData(stores: UserDataStores, userId: string): Promise<UserDataExport> {
  try {
    const userState = toItems(
      [...(await readState(stores, userKeyPattern(userId))), ...(await readState(stores, participantKeyPattern(userId)))],
      stores.cipher,
    );
    const conversations: UserDataExport['conversations'] = [];
    for (const { channelId, conversationId } of await conversationsOf(stores, userId)) {
      const transcript = await stores.transcripts
        .find({ channelId, conversationId, userId: stores.storedUserId(userId) })
        .sort({ timestamp: 1, _id: 1 })
        .toArray();
      conversations.push({
        channelId,
        conversationId,
        state: toItems(await readState(stores, conversationKeyPattern(channelId, conversationId)), stores.cipher),
        transcript: transcript.map((doc) => JSON.parse(storedActivityJson(doc, stores.cipher)) as Activity),
      });
    }
    const other: Record<string, unknown[]> = {};
    for (const { name, collection, userField, decode } of stores.extra ?? []) {
      const docs = await collection.find({ [userField]: userId }).toArray();
      other[name] = decode ? docs.map(decode) : docs;
    }
    return { userId, exportedAt: new Date().toISOString(), userState, conversations, other };
  } catch (error) {
    throw toStorageError(error);
  }
}

/** Deletes everything stored about `userId` (see the module comment for the scope). */
export async function deleteUserData(
  stores: UserDataStores,
  userId: string,
  options: { includeSharedConversations?: boolean } = {},
): Promise<UserDataDeletion> {
  try {
    const result: UserDataDeletion = { stateItems: 0, transcriptActivities: 0, leases: 0, other: {} };
    for (const { channelId, conversationId } of await conversationsOf(stores, userId)) {
      const others = await stores.transcripts.countDocuments({
        channelId,
        conversationId,
        userId: { $nin: [stores.storedUserId(userId), null] },
      });
      if (others > 0 && !options.includeSharedConversations) continue;
      const state = await stores.state.deleteMany(keyFilter(conversationKeyPattern(channelId, conversationId)));
      const lease = await stores.state.deleteOne({ _id: leaseDocumentId(`${channelId}/conversations/${conversationId}`) });
      result.stateItems += state.deletedCount;
      result.leases += lease.deletedCount;
    }
    result.stateItems += (await stores.state.deleteMany(keyFilter(userKeyPattern(userId)))).deletedCount;
    result.stateItems += (await stores.state.deleteMany(keyFilter(participantKeyPattern(userId)))).deletedCount;
    result.transcriptActivities = (await stores.transcripts.deleteMany({ userId: stores.storedUserId(userId) })).deletedCount;
    for (const { name, collection, userField } of stores.extra ?? []) {
      result.other[name] = (await collection.deleteMany({ [userField]: userId })).deletedCount;
    }
    return result;
  } catch (error) {
    throw toStorageError(error);
  }
}
