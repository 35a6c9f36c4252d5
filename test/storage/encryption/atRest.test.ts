import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Document } from 'mongodb';
import type { BotApp } from '../../../src/app';
import { HandoffCollections, MongoHandoffStore, decodeTicketDocument, type TicketDocument } from '../../../src/storage/mongo/MongoHandoffStore';
import { createStorageLayer } from '../../../src/storage/createStorageLayer';
import { FieldCipher } from '../../../src/storage/encryption/FieldCipher';
import { reencryptAll } from '../../../src/storage/encryption/reencrypt';
import { DEFAULT_COLLECTIONS } from '../../../src/storage/mongo/indexes';
import type { TranscriptDocument } from '../../../src/storage/mongo/MongoTranscriptStore';
import type { BotStateRecord } from '../../../src/storage/mongo/mongoDocuments';
import { deleteUserData, exportUserData, type UserDataStores } from '../../../src/storage/userData';
import { loadConfig } from '../../../src/config/config';
import { makeTicket } from '../../handoff/support/tickets';
import { BotClient } from '../../support/botClient';
import { useMongoDatabase } from '../../support/mongo';
import { startTestApp } from '../../support/testApp';

const key = (): string => randomBytes(32).toString('base64');
const K0 = key();
const K1 = key();

/** Personal data the conversation below puts into the bot; none of it may be stored in clear. */
const SECRETS = ['Ada Lovelace', 'where is my order', 'in transit', 'Was this helpful'];

async function rawDocuments(db: import('mongodb').Db): Promise<{ collection: string; text: string }[]> {
  const out: { collection: string; text: string }[] = [];
  for (const { name } of await db.listCollections().toArray()) {
    for (const doc of await db.collection(name).find({}).toArray()) out.push({ collection: name, text: JSON.stringify(doc) });
  }
  return out;
}

describe('field encryption at rest on MongoDB (whole bot)', () => {
  const mongo = useMongoDatabase('atrest');
  let app: BotApp;
  let baseUrl: string;
  let client: BotClient;
  const env = (): Record<string, string> => ({
    MONGODB_URI: mongo.uri,
    MONGODB_DB: mongo.db.databaseName,
    TRANSCRIPTS_ENABLED: 'true',
    DATA_ENCRYPTION: 'true',
    DATA_ENCRYPTION_KEYS: `k0:${K0}`,
  });

  before(async () => {
    ({ app, url: baseUrl } = await startTestApp(env()));
  });
  after(async () => {
    await app?.close();
  });

  it('should run a conversation and leave no customer text, name or reply in any raw document', async () => {
    client = new BotClient(baseUrl);
    const from = { id: `user-${client.conversationId}`, name: 'Ada Lovelace', role: 'user' };
    await client.send({ text: 'hi', from });
    await client.send({ text: 'where is my order 12345?', from });
    await client.send({ text: 'yes', from });
    // The order check: the postcode on the sample order.
    const status = await client.send({ text: 'SW1A 1AA', from });
    assert.match(status[0]?.text ?? '', /^Order 12345 is in transit/);
    // The ticket store shares the database: a handoff ticket of the same customer.
    await MongoHandoffStore.fromDb(mongo.db, new FieldCipher(app.config.storage.encryption.keys)).insert(
      makeTicket({ customer: { id: from.id, name: 'Ada Lovelace' }, transcript: [{ from: 'customer', text: 'where is my order 12345?', at: 1 }] }),
    );

    const docs = await rawDocuments(mongo.db);
    assert.ok(
      docs.some((d) => d.collection === DEFAULT_COLLECTIONS.transcripts),
      'transcripts were written',
    );
    assert.ok(
      docs.some((d) => d.collection === DEFAULT_COLLECTIONS.state),
      'state was written',
    );
    assert.ok(
      docs.some((d) => d.collection === 'conversation_references'),
      'a conversation reference was written',
    );
    const leaks = docs.flatMap((d) => SECRETS.filter((s) => d.text.includes(s)).map((s) => `${d.collection}: "${s}"`));
    assert.deepEqual(leaks, []);
    assert.ok(docs.filter((d) => d.collection === DEFAULT_COLLECTIONS.transcripts).every((d) => d.text.includes('enc1.k0.')));
  });

  it('should keep the desk outbox (agent replies, customer lines for the thread) encrypted and read it back in clear', async () => {
    const store = MongoHandoffStore.fromDb(mongo.db, new FieldCipher(app.config.storage.encryption.keys));
    const ticket = makeTicket({ outbox: [{ id: 'o1', kind: 'thread', post: { kind: 'customer', text: 'Ada Lovelace wrote in' } }] });
    await store.insert(ticket);
    const updated = await store.update(ticket.id, ticket.version, {
      set: {},
      enqueue: [
        { id: 'o2', kind: 'customer', activities: [{ type: 'message', text: 'Was this helpful, Ada Lovelace?' }] },
        { id: 'o3', kind: 'refresh' },
      ],
    });

    const raw = JSON.stringify(await mongo.db.collection(HandoffCollections.tickets).findOne({ _id: ticket.id } as Document));
    assert.deepEqual(
      SECRETS.filter((secret) => raw.includes(secret)),
      [],
    );
    assert.deepEqual(
      updated?.outbox?.map((entry) => (entry.kind === 'thread' ? entry.post.text : entry.kind === 'customer' ? entry.activities[0]?.text : entry.kind)),
      ['Ada Lovelace wrote in', 'Was this helpful, Ada Lovelace?', 'refresh'],
    );
  });

  it("should still export the user's data in clear and delete it", async () => {
    const layer = await createStorageLayer(loadConfig({ NODE_ENV: 'test', ...env() }).storage);
    try {
      const userId = `user-${client.conversationId}`;
      const stores: UserDataStores = {
        ...layer.userData!,
        extra: [
          {
            name: HandoffCollections.tickets,
            collection: mongo.db.collection(HandoffCollections.tickets),
            userField: 'customer.id',
            decode: (doc: Document) => decodeTicketDocument(doc as TicketDocument, layer.cipher),
          },
        ],
      };
      const exported = await exportUserData(stores, userId);
      const text = JSON.stringify(exported);
      assert.ok(text.includes('Ada Lovelace'), 'profile name and ticket name are readable in the export');
      assert.equal(exported.conversations.length, 1);
      assert.deepEqual(
        exported.conversations[0]?.transcript.filter((a) => a.from?.role === 'user').map((a) => a.text),
        ['hi', 'where is my order 12345?', 'yes', 'SW1A 1AA'],
      );
      assert.equal((exported.other[HandoffCollections.tickets]![0] as { transcript: { text: string }[] }).transcript[0]?.text, 'where is my order 12345?');

      const removed = await deleteUserData(stores, userId);
      assert.ok(removed.transcriptActivities >= 6 && removed.stateItems >= 2, JSON.stringify(removed));
      assert.equal(removed.other[HandoffCollections.tickets], 1);
      const after = await exportUserData(stores, userId);
      assert.deepEqual([after.conversations, after.userState, after.other[HandoffCollections.tickets]], [[], {}, []]);
    } finally {
      await layer.close();
    }
  });
});

describe('field encryption: key rotation and tampering on MongoDB', () => {
  const mongo = useMongoDatabase('rotation');

  async function storeSomething(keys: string, conversation: string): Promise<void> {
    const { app, url } = await startTestApp({
      MONGODB_URI: mongo.uri,
      MONGODB_DB: mongo.db.databaseName,
      TRANSCRIPTS_ENABLED: 'true',
      DATA_ENCRYPTION: 'true',
      DATA_ENCRYPTION_KEYS: keys,
    });
    try {
      const client = new BotClient(url, conversation);
      await client.say('where is my order 98765?');
    } finally {
      await app.close();
    }
  }

  function envelopes(docs: Document[], field: (d: Document) => unknown): (string | undefined)[] {
    return docs.map((d) => FieldCipher.keyIdOf(field(d)));
  }

  it('should keep serving old data after a rotation and move everything to the new key with reencrypt', async () => {
    const k0 = { id: 'k0', key: Buffer.from(K0, 'base64') };
    const k1 = { id: 'k1', key: Buffer.from(K1, 'base64') };
    await storeSomething(`k0:${K0}`, 'rot-a');
    const ticket = makeTicket({ customer: { id: 'user-rot-a', name: 'Grace Hopper' }, leftMessages: [{ text: 'call me on 555 0100', at: 2 }] });
    await MongoHandoffStore.fromDb(mongo.db, new FieldCipher([k0])).insert(ticket);
    // Rotation step 1: the new key first, the old one still listed. Old data is read, new data written with k1.
    await storeSomething(`k1:${K1},k0:${K0}`, 'rot-b');
    const { app, url } = await startTestApp({
      MONGODB_URI: mongo.uri,
      MONGODB_DB: mongo.db.databaseName,
      TRANSCRIPTS_ENABLED: 'true',
      DATA_ENCRYPTION: 'true',
      DATA_ENCRYPTION_KEYS: `k1:${K1},k0:${K0}`,
    });
    try {
      // The conversation stored under k0 goes on: its form state (the order ID) decrypts.
      const client = new BotClient(url, 'rot-a');
      await client.say('yes');
      assert.match((await client.say('SW1A 1AA'))[0]?.text ?? '', /^Order 98765 is delivered/);
    } finally {
      await app.close();
    }
    const transcripts = mongo.db.collection<TranscriptDocument>(DEFAULT_COLLECTIONS.transcripts);
    const state = mongo.db.collection<BotStateRecord>(DEFAULT_COLLECTIONS.state);
    assert.ok(envelopes(await transcripts.find({}).toArray(), (d) => d.activity).includes('k0'));

    // Rotation step 2: rewrite what is left under k0, then k0 can go.
    const tickets = mongo.db.collection<TicketDocument>(HandoffCollections.tickets);
    const report = await reencryptAll({ state, transcripts, tickets }, new FieldCipher([k1, k0]));
    assert.ok(report.transcripts.rewritten > 0 && report.tickets.rewritten === 1, JSON.stringify(report));
    const again = await reencryptAll({ state, transcripts, tickets }, new FieldCipher([k1, k0]));
    assert.equal(again.transcripts.rewritten + again.state.rewritten + again.tickets.rewritten, 0, 'nothing left to rewrite');
    assert.deepEqual(await MongoHandoffStore.fromDb(mongo.db, new FieldCipher([k1])).get(ticket.id), ticket);
    const keyIds = [
      ...envelopes(await transcripts.find({}).toArray(), (d) => d.activity),
      ...envelopes(await state.find({ state: { $exists: true } } as Document).toArray(), (d) => (JSON.parse(d.state as string) as { $enc?: string }).$enc),
    ];
    assert.ok(keyIds.length > 0 && keyIds.every((id) => id === 'k1'), JSON.stringify(keyIds));

    // Step 3: only k1 configured; everything still reads.
    const layer = await createStorageLayer(
      loadConfig({ NODE_ENV: 'test', MONGODB_URI: mongo.uri, MONGODB_DB: mongo.db.databaseName, DATA_ENCRYPTION: 'true', DATA_ENCRYPTION_KEYS: `k1:${K1}` })
        .storage,
    );
    try {
      const exported = await exportUserData(layer.userData!, 'user-rot-a');
      assert.ok(exported.conversations[0]?.transcript.some((a) => a.text === 'where is my order 98765?'));
    } finally {
      await layer.close();
    }
  });

  it('should refuse a changed transcript entry and a state item moved to another key', async () => {
    await storeSomething(`k1:${K1}`, 'tamper-a');
    await storeSomething(`k1:${K1}`, 'tamper-b');
    const layer = await createStorageLayer(
      loadConfig({ NODE_ENV: 'test', MONGODB_URI: mongo.uri, MONGODB_DB: mongo.db.databaseName, DATA_ENCRYPTION: 'true', DATA_ENCRYPTION_KEYS: `k1:${K1}` })
        .storage,
    );
    try {
      const transcripts = mongo.db.collection<TranscriptDocument>(DEFAULT_COLLECTIONS.transcripts);
      const entry = await transcripts.findOne({ conversationId: 'tamper-a' });
      const flipped = entry!.activity.slice(0, -2) + (entry!.activity.endsWith('A') ? 'BB' : 'AA');
      await transcripts.updateOne({ _id: entry!._id }, { $set: { activity: flipped } });
      await assert.rejects(exportUserData(layer.userData!, 'user-tamper-a'), /failed authentication/);

      const state = mongo.db.collection<BotStateRecord>(DEFAULT_COLLECTIONS.state);
      const a = (await state.findOne({ _id: 'emulator/conversations/tamper-a/' } as Document)) as unknown as { state: string } | null;
      assert.ok(a, 'conversation state of tamper-a');
      await state.updateOne({ _id: 'emulator/conversations/tamper-b/' } as Document, { $set: { state: a.state } });
      await assert.rejects(
        layer.storage.read(['emulator/conversations/tamper-b/']),
        (e: unknown) => (e as { code?: string }).code === 'DATA_DECRYPTION_FAILED',
      );
    } finally {
      await layer.close();
    }
  });

  it('should rewrite old-key data from the command line: npm run user-data -- reencrypt', async function () {
    this.timeout(60_000);
    await storeSomething(`k0:${K0}`, 'cli-a');
    await storeSomething(`k0:${K0}`, 'cli-broken');
    const txs = mongo.db.collection<TranscriptDocument>(DEFAULT_COLLECTIONS.transcripts);
    const broken = await txs.findOne({ conversationId: 'cli-broken' });
    await txs.updateOne({ _id: broken!._id }, { $set: { activity: broken!.activity.slice(0, -2) + (broken!.activity.endsWith('A') ? 'BB' : 'AA') } });
    const root = path.resolve(__dirname, '..', '..', '..');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/userData.ts'), 'reencrypt'], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        MONGODB_URI: mongo.uri,
        MONGODB_DB: mongo.db.databaseName,
        DATA_ENCRYPTION: 'true',
        DATA_ENCRYPTION_KEYS: `k1:${K1},k0:${K0}`,
      },
    });
    const report = JSON.parse(stdout) as {
      currentKey: string;
      state: { rewritten: number };
      transcripts: { rewritten: number; failed: number };
      failures: string[];
    };
    assert.equal(report.currentKey, 'k1');
    assert.ok(report.state.rewritten > 0 && report.transcripts.rewritten > 0, stdout);
    assert.equal(report.transcripts.failed, 1, 'the corrupted entry is reported, and the others still rotate');
    assert.match(report.failures[0] ?? '', /transcript:emulator\/cli-broken.*failed authentication/);
    const transcripts = await mongo.db.collection<TranscriptDocument>(DEFAULT_COLLECTIONS.transcripts).find({ conversationId: 'cli-a' }).toArray();
    assert.deepEqual([...new Set(transcripts.map((d) => FieldCipher.keyIdOf(d.activity)))], ['k1']);
  });
});
