import { strict as assert } from 'node:assert';
import type { Activity, Storage } from 'botbuilder';
import type { BotApp } from '../../src/app';
import { PARTICIPANTS_SPLIT_KEY } from '../../src/groups/GroupStateSplit';
import { participantHash, participantStorageKey } from '../../src/groups/scope';
import { DEFAULT_COLLECTIONS } from '../../src/storage/mongo/indexes';
import type { BotStateRecord } from '../../src/storage/mongo/mongoDocuments';
import { MemoryStorage } from '../../src/storage/MemoryStorage';
import { MongoStorage } from '../../src/storage/mongo/MongoStorage';
import { useMongoDatabase } from '../support/mongo';
import { startTestApp } from '../support/testApp';

const BOT = { id: '28:orderbot', name: 'OrderBot' };
const ALICE = { id: '29:alice', name: 'Alice' };
const BOB = { id: '29:bob', name: 'Bob' };
let counter = 0;

for (const backend of ['memory', 'mongodb'] as const) {
  describe(`groups: state stored before per-person forms (version 2) (${backend} state)`, function () {
    this.timeout(30_000);
    const mongo = backend === 'mongodb' ? useMongoDatabase('groupslegacy') : undefined;
    let app: BotApp;
    let url: string;
    let storage: Storage;

    beforeEach(async () => {
      const memory = backend === 'memory' ? new MemoryStorage() : undefined;
      const mongoEnv: Record<string, string> = mongo ? { MONGODB_URI: mongo.uri, MONGODB_DB: mongo.db.databaseName } : {};
      ({ app, url } = await startTestApp(
        { RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_CONVERSATION_PER_MINUTE: '0', ...mongoEnv },
        memory ? { storage: memory } : {},
      ));
      storage = memory ?? new MongoStorage(mongo!.db.collection<BotStateRecord>(DEFAULT_COLLECTIONS.state));
    });
    afterEach(async () => {
      await app.close();
    });

    async function say(person: typeof ALICE, conversation: Partial<NonNullable<Activity['conversation']>>, text: string): Promise<string[]> {
      const response = await fetch(`${url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          id: `legacy-${++counter}`,
          channelId: 'msteams',
          serviceUrl: 'http://127.0.0.1:1',
          deliveryMode: 'expectReplies',
          from: person,
          recipient: BOT,
          conversation,
          text,
        }),
      });
      assert.equal(response.status, 200);
      const json = (await response.json()) as { activities?: Partial<Activity>[] };
      return (json.activities ?? []).filter((a) => a.type === 'message').map((a) => a.text ?? '');
    }

    it('should give an old shared form to the person who spoke last, and start everyone else afresh, once', async () => {
      // A form as version 2 stored it: Alice's question, waiting for her yes, in a personal chat's shape.
      const personal = { id: `a:legacy-shape-${++counter}`, conversationType: 'personal' };
      await say(ALICE, personal, 'where is my order 12345?');
      const personalKey = `msteams/conversations/${personal.id}/`;
      const form = (await storage.read([personalKey]))[personalKey] as Record<string, unknown>;
      assert.ok(form?.dialogState, 'a stored form to reuse');

      // The group conversation before the upgrade: Alice spoke last, the one item is shared.
      const group = { id: `19:general@thread.tacv2;messageid=${++counter}`, isGroup: true, conversationType: 'channel' };
      await say(ALICE, group, 'hello');
      const aliceKey = participantStorageKey('msteams', group.id, ALICE.id);
      const sharedKey = `msteams/conversations/${group.id}/`;
      await storage.delete([aliceKey, sharedKey]);
      const { eTag: _eTag, ...legacy } = form;
      await storage.write({ [sharedKey]: { ...legacy, stateVersion: 2, eTag: '*' } });

      // Bob speaks first after the upgrade: his "yes" does not confirm Alice's order.
      const bob = await say(BOB, group, 'yes');
      assert.equal(
        bob.some((t) => /postcode/.test(t)),
        false,
        JSON.stringify(bob),
      );
      const after = await storage.read([sharedKey, aliceKey]);
      const shared = after[sharedKey] as Record<string, unknown>;
      assert.equal(shared.dialogState, undefined, 'the form left the shared item');
      assert.deepEqual(shared[PARTICIPANTS_SPLIT_KEY], { version: 3, owner: participantHash(ALICE.id) });
      assert.ok((after[aliceKey] as Record<string, unknown> | undefined)?.dialogState, "the form is Alice's now");

      // Alice goes on where she was.
      const alice = await say(ALICE, group, 'yes');
      assert.match(alice[0] ?? '', /e-mail address or the postcode/);
    });
  });
}
