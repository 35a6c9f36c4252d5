import assert from 'node:assert/strict';
import { type Activity, TestAdapter, TranscriptLoggerMiddleware } from 'botbuilder';
import type { CommandStartedEvent } from 'mongodb';
import { MongoTranscriptStore, type TranscriptDocument } from '../../src/storage/mongo/MongoTranscriptStore';
import { maskText, redactActivity } from '../../src/storage/redaction';
import { useMongoDatabase } from '../support/mongo';
import { BASE, activity, readAll } from './conformance/transcripts';

describe('Transcripts', () => {
  describe('on MongoDB', () => {
    const mongo = useMongoDatabase('transcripts', { monitorCommands: true });
    let counter = 0;
    const collection = () => {
      counter += 1;
      return mongo.db.collection<TranscriptDocument>(`transcripts_${counter}`);
    };

    it('should page through more than one page of conversations', async () => {
      const store = new MongoTranscriptStore(collection(), { pageSize: 2 });
      for (const id of ['c1', 'c2', 'c3', 'c4', 'c5']) await store.logActivity(activity(id, 0));
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await store.listTranscripts('webchat', token);
        seen.push(...page.items.map((t) => t.id));
        token = page.continuationToken || undefined;
      } while (token);
      assert.deepEqual(seen, ['c1', 'c2', 'c3', 'c4', 'c5']);
    });

    it('should set expiresAt from the retention period, and none without one', async () => {
      const now = BASE;
      const kept = collection();
      await new MongoTranscriptStore(kept, { retentionDays: 30, now: () => now }).logActivity(activity('r', 0));
      const doc = await kept.findOne({});
      assert.equal(doc?.expiresAt?.getTime(), now + 30 * 86_400_000);
      const forever = collection();
      await new MongoTranscriptStore(forever).logActivity(activity('r', 0));
      assert.equal((await forever.findOne({}))?.expiresAt, undefined);
    });

    it('should store a whole turn with one insert command through TranscriptLoggerMiddleware', async () => {
      const coll = collection();
      const store = new MongoTranscriptStore(coll);
      const adapter = new TestAdapter(async (context) => {
        await context.sendActivity('one');
        await context.sendActivity('two');
      }).use(new TranscriptLoggerMiddleware(store));
      const commands: string[] = [];
      const listener = (event: CommandStartedEvent): void => void commands.push(event.commandName);
      mongo.client.on('commandStarted', listener);
      try {
        await adapter.send('hello').assertReply('one').assertReply('two').startTest();
        for (let i = 0; i < 50 && (await coll.countDocuments()) < 3; i++) await new Promise((r) => setTimeout(r, 10));
      } finally {
        mongo.client.off('commandStarted', listener);
      }
      assert.equal(commands.filter((c) => c === 'insert').length, 1);
      const docs = await coll.find().sort({ _id: 1 }).toArray();
      assert.deepEqual(
        docs.map((d) => (JSON.parse(d.activity) as Activity).text),
        ['hello', 'one', 'two'],
      );
      assert.deepEqual(new Set(docs.map((d) => d.userId)).size, 1, 'user id recorded for both directions');
    });

    it('should keep $ and . in channel data', async () => {
      const store = new MongoTranscriptStore(collection());
      await store.logActivity(activity('cd', 0, { channelData: { $type: 'x', 'a.b': 1 } }));
      const [read] = await readAll(store, 'cd');
      assert.deepEqual(read!.channelData, { $type: 'x', 'a.b': 1 });
    });

    it('should redact before storing', async () => {
      const coll = collection();
      const store = new MongoTranscriptStore(coll, {
        redaction: { maskEmails: true, maskPhoneNumbers: true, hashUserIds: { secret: 's3cret' } },
      });
      await store.logActivity(activity('pii', 0, { text: 'mail ada@example.com or call +44 20 7946 0958' }));
      const raw = JSON.stringify(await coll.find().toArray());
      assert.doesNotMatch(raw, /ada@example\.com|7946|user-1|"Ada"/);
      const [read] = await readAll(store, 'pii');
      assert.equal(read!.text, 'mail [email] or call [phone]');
      assert.equal(read!.from.id, store.storedUserId('user-1'));
      assert.equal(read!.recipient.id, 'bot');
    });
  });

  describe('redaction', () => {
    it('should mask e-mails and phone numbers but keep order ids', () => {
      const options = { maskEmails: true, maskPhoneNumbers: true };
      assert.equal(
        maskText('order 12345, ORD-20931, #55555; me: a.b+c@mail.co.uk, 555-123-4567, (030) 1234 5678', options),
        'order 12345, ORD-20931, #55555; me: [email], [phone], [phone]',
      );
    });

    it('should drop message content when dropText is on, without touching the input', () => {
      const input = activity('x', 0, { attachments: [{ contentType: 'a' }], value: { a: 1 } });
      const copy = structuredClone(input);
      const redacted = redactActivity(input, { dropText: true });
      assert.equal(redacted.text, undefined);
      assert.equal(redacted.attachments, undefined);
      assert.equal(redacted.value, undefined);
      assert.deepEqual(input, copy);
    });

    it('should hash the user side only, the same way every time', () => {
      const options = { hashUserIds: { secret: 'k' } };
      const a = redactActivity(activity('x', 0), options);
      const b = redactActivity(activity('x', 1), options);
      assert.equal(a.from!.id, b.from!.id);
      assert.notEqual(a.from!.id, 'user-1');
      assert.equal(a.recipient!.id, 'bot');
    });
  });
});
