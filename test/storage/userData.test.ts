import assert from 'node:assert/strict';
import { type Activity, ActivityTypes } from 'botbuilder';
import { DEFAULT_COLLECTIONS, ensureStorageIndexes } from '../../src/storage/mongo/indexes';
import { MongoConversationLock } from '../../src/storage/mongo/MongoConversationLock';
import { MongoStorage } from '../../src/storage/mongo/MongoStorage';
import { MongoTranscriptStore, type TranscriptDocument } from '../../src/storage/mongo/MongoTranscriptStore';
import type { BotStateRecord } from '../../src/storage/mongo/mongoDocuments';
import { type UserDataStores, deleteUserData, exportUserData } from '../../src/storage/userData';
import { useMongoDatabase } from '../support/mongo';

function message(conversationId: string, userId: string, text: string, fromBot = false): Activity {
  const user = { id: userId, name: userId, role: 'user' };
  const bot = { id: 'bot', name: 'bot', role: 'bot' };
  return {
    type: ActivityTypes.Message,
    channelId: 'webchat',
    conversation: { id: conversationId },
    from: fromBot ? bot : user,
    recipient: fromBot ? user : bot,
    text,
    timestamp: new Date(),
  } as Activity;
}

describe('Storage indexes', () => {
  const mongo = useMongoDatabase('indexes');

  it('should create the indexes, and do nothing the second time', async () => {
    await ensureStorageIndexes(mongo.db);
    await ensureStorageIndexes(mongo.db);
    const transcriptIndexes = await mongo.db.collection(DEFAULT_COLLECTIONS.transcripts).indexes();
    const byName = new Map(transcriptIndexes.map((index) => [index.name, index]));
    assert.equal(byName.get('retention_ttl')?.expireAfterSeconds, 0);
    assert.ok(byName.has('conversation_timeline'));
    assert.ok(byName.has('user'));
    const stateIndexes = await mongo.db.collection(DEFAULT_COLLECTIONS.state).indexes();
    assert.ok(stateIndexes.some((index) => index.name === 'lease_ttl' && typeof index.expireAfterSeconds === 'number'));
  });
});

describe('User data export and deletion', () => {
  const mongo = useMongoDatabase('userdata');
  let stores: UserDataStores;
  let storage: MongoStorage;

  beforeEach(async () => {
    const suffix = Math.random().toString(36).slice(2);
    const state = mongo.db.collection<BotStateRecord>(`state_${suffix}`);
    const transcriptStore = new MongoTranscriptStore(mongo.db.collection<TranscriptDocument>(`tx_${suffix}`), {
      redaction: { hashUserIds: { secret: 'k' } },
    });
    const tickets = mongo.db.collection(`tickets_${suffix}`);
    await tickets.insertMany([
      { _id: 'ticket-ada' as unknown as never, customer: { id: 'ada.$1', name: 'Ada' }, leftMessage: 'call me back' },
      { _id: 'ticket-bob' as unknown as never, customer: { id: 'bob', name: 'Bob' } },
    ]);
    stores = {
      state,
      transcripts: mongo.db.collection<TranscriptDocument>(`tx_${suffix}`),
      storedUserId: (id) => transcriptStore.storedUserId(id),
      extra: [{ name: 'handoff_tickets', collection: tickets, userField: 'customer.id' }],
    };
    storage = new MongoStorage(state);
    const longUserId = `ada.$${'x'.repeat(600)}`;
    await storage.write({
      'webchat/users/ada.$1/': { profile: { name: 'Ada' } },
      'msteams/users/ada.$1/': { profile: { name: 'Ada (Teams)' } },
      'webchat/conversations/c-ada/users/ada.$1/': { private: true },
      'webchat/conversations/c-ada/': { dialogState: { step: 2 } },
      'webchat/users/bob/': { profile: { name: 'Bob' } },
      'webchat/conversations/c-bob/': { dialogState: { step: 1 } },
      'webchat/conversations/c-group/': { shared: true },
      [`webchat/users/${longUserId}/`]: { profile: { name: 'Long' } },
    });
    await new MongoConversationLock(state).acquire('webchat/conversations/c-ada', 'instance', 60_000);
    for (const activity of [
      message('c-ada', 'ada.$1', 'where is 12345'),
      message('c-ada', 'ada.$1', 'it is shipped', true),
      message('c-bob', 'bob', 'hi'),
      message('c-group', 'ada.$1', 'hello all'),
      message('c-group', 'bob', 'hello ada'),
    ]) {
      await transcriptStore.logActivity(activity);
    }
  });

  it("should export the user's state and conversations and nothing of others", async () => {
    const exported = await exportUserData(stores, 'ada.$1');
    assert.deepEqual(Object.keys(exported.userState).sort(), ['msteams/users/ada.$1/', 'webchat/conversations/c-ada/users/ada.$1/', 'webchat/users/ada.$1/']);
    const byId = new Map(exported.conversations.map((c) => [c.conversationId, c]));
    assert.deepEqual([...byId.keys()].sort(), ['c-ada', 'c-group']);
    assert.deepEqual(byId.get('c-ada')!.state, { 'webchat/conversations/c-ada/': { dialogState: { step: 2 } } });
    assert.deepEqual(
      byId.get('c-ada')!.transcript.map((a) => a.text),
      ['where is 12345', 'it is shipped'],
    );
    assert.deepEqual(
      byId.get('c-group')!.transcript.map((a) => a.text),
      ['hello all'],
    );
    assert.deepEqual(
      exported.other.handoff_tickets?.map((t) => (t as { leftMessage?: string }).leftMessage),
      ['call me back'],
    );
    assert.doesNotMatch(JSON.stringify(exported), /Bob|c-bob/);
  });

  it('should find a user stored under a hashed long key', async () => {
    const exported = await exportUserData(stores, `ada.$${'x'.repeat(600)}`);
    assert.equal(Object.keys(exported.userState).length, 1);
  });

  it("should delete the user's data and their one-to-one conversations, keeping shared ones", async () => {
    const deleted = await deleteUserData(stores, 'ada.$1');
    assert.deepEqual(deleted, { stateItems: 4, transcriptActivities: 3, leases: 1, other: { handoff_tickets: 1 } });
    const left = await storage.read([
      'webchat/users/ada.$1/',
      'webchat/conversations/c-ada/',
      'webchat/users/bob/',
      'webchat/conversations/c-bob/',
      'webchat/conversations/c-group/',
    ]);
    assert.deepEqual(Object.keys(left).sort(), ['webchat/conversations/c-bob/', 'webchat/conversations/c-group/', 'webchat/users/bob/']);
    const again = await exportUserData(stores, 'ada.$1');
    assert.deepEqual(again.userState, {});
    assert.deepEqual(again.conversations, []);
    assert.deepEqual(again.other, { handoff_tickets: [] });
    assert.equal(await stores.transcripts.countDocuments({ conversationId: 'c-group' }), 1);
  });

  it('should also delete shared conversations when asked to', async () => {
    await deleteUserData(stores, 'ada.$1', { includeSharedConversations: true });
    assert.deepEqual(await storage.read(['webchat/conversations/c-group/']), {});
  });
});
