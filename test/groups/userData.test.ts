import assert from 'node:assert/strict';
import { type Activity, ActivityTypes } from 'botbuilder';
import { participantStorageKey } from '../../src/groups/scope';
import { MongoStorage } from '../../src/storage/mongo/MongoStorage';
import { MongoTranscriptStore, type TranscriptDocument } from '../../src/storage/mongo/MongoTranscriptStore';
import type { BotStateRecord } from '../../src/storage/mongo/mongoDocuments';
import { type UserDataStores, deleteUserData, exportUserData } from '../../src/storage/userData';
import { useMongoDatabase } from '../support/mongo';

const GROUP = '19:general@thread.tacv2;messageid=1700000000001';

function message(userId: string, text: string): Activity {
  return {
    type: ActivityTypes.Message,
    channelId: 'msteams',
    conversation: { id: GROUP, isGroup: true, conversationType: 'channel' },
    from: { id: userId, name: userId, role: 'user' },
    recipient: { id: 'bot', name: 'bot', role: 'bot' },
    text,
    timestamp: new Date(),
  } as Activity;
}

describe('groups: user-data export and deletion follow per-person keys', () => {
  const mongo = useMongoDatabase('groupuserdata');
  let stores: UserDataStores;
  let storage: MongoStorage;
  const aliceKey = participantStorageKey('msteams', GROUP, '29:alice');
  const bobKey = participantStorageKey('msteams', GROUP, '29:bob');
  const sharedKey = `msteams/conversations/${GROUP}/`;

  beforeEach(async () => {
    const suffix = Math.random().toString(36).slice(2);
    const state = mongo.db.collection<BotStateRecord>(`state_${suffix}`);
    const transcripts = mongo.db.collection<TranscriptDocument>(`tx_${suffix}`);
    const transcriptStore = new MongoTranscriptStore(transcripts, {});
    stores = { state, transcripts, storedUserId: (id) => transcriptStore.storedUserId(id) };
    storage = new MongoStorage(state);
    await storage.write({
      [aliceKey]: { dialogState: { who: 'alice' } },
      [bobKey]: { dialogState: { who: 'bob' } },
      [sharedKey]: { participantsSplit: { version: 3 } },
    });
    await transcriptStore.logActivity(message('29:alice', 'where is my order 12345'));
    await transcriptStore.logActivity(message('29:bob', 'where is my order ABC123'));
  });

  it("should export the person's own part of a group conversation and nobody else's", async () => {
    const exported = await exportUserData(stores, '29:alice');
    assert.deepEqual(exported.userState, { [aliceKey]: { dialogState: { who: 'alice' } } });
    assert.equal(exported.conversations.length, 1);
    assert.deepEqual(Object.keys(exported.conversations[0]!.state), [sharedKey], 'shared settings, not the participants');
    assert.doesNotMatch(JSON.stringify(exported), /bob|ABC123/);
  });

  it("should delete the person's part even though the conversation is shared, and keep the others'", async () => {
    const deleted = await deleteUserData(stores, '29:alice');
    assert.equal(deleted.stateItems, 1);
    const left = await storage.read([aliceKey, bobKey, sharedKey]);
    assert.deepEqual(Object.keys(left).sort(), [bobKey, sharedKey].sort());
  });

  it("should never delete another participant's part, even with the shared conversation", async () => {
    await deleteUserData(stores, '29:alice', { includeSharedConversations: true });
    const left = await storage.read([aliceKey, bobKey, sharedKey]);
    assert.deepEqual(Object.keys(left), [bobKey]);
  });
});
