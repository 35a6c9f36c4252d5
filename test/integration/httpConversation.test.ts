import { strict as assert } from 'node:assert';
import { Messages } from '../../dialogs/messages';
import type { BotApp } from '../../src/app';
import { MemoryStorage } from '../../src/storage/MemoryStorage';
import { BotClient } from '../support/botClient';
import { startTestApp } from '../support/testApp';

describe('HTTP: whole conversations through /api/messages (expectReplies)', () => {
  let app: BotApp;
  let baseUrl: string;

  before(async () => {
    ({ app, url: baseUrl } = await startTestApp());
  });
  after(async () => {
    await app.close();
  });

  it('should answer /healthz and /readyz', async () => {
    const health = await fetch(`${baseUrl}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${baseUrl}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(((await ready.json()) as { checks: unknown }).checks, { recognizer: true });
  });

  it('should run the happy path with the real recognizer: greet, confirm, status', async () => {
    const client = new BotClient(baseUrl);
    const greeting = await client.say('hi');
    assert.match(greeting[0]?.text ?? '', /order assistant/);
    const confirm = await client.say('where is my order 12345?');
    assert.equal(confirm[0]?.text, 'You asked about order 12345. Is that correct?');
    assert.deepEqual(
      confirm[0]?.suggestedActions?.actions.map((a) => a.title),
      ['Yes', 'No'],
    );
    const check = await client.say('yes');
    assert.deepEqual(
      check.map((a) => a.text),
      ['To keep your order private, please tell me the e-mail address or the postcode on the order.'],
    );
    const status = await client.say('alex.morgan@example.com');
    assert.match(status[0]?.text ?? '', /^Order 12345 is in transit \(carrier: UPS\)/);
    assert.match(status[0]?.text ?? '', /Track it here: https:/);
  });

  it('should ask for the ID, accept "#98765" and normalise it', async () => {
    const client = new BotClient(baseUrl);
    assert.equal((await client.say('I want to check on my order'))[0]?.text, 'What is your order ID?');
    assert.equal((await client.say('#98765'))[0]?.text, 'You asked about order 98765. Is that correct?');
    await client.say('yes');
    assert.match((await client.say('SW1A 1AA'))[0]?.text ?? '', /^Order 98765 is delivered/);
  });

  it('should keep a small profile of the customer in user state', async () => {
    const storage = new MemoryStorage();
    const { app: withStorage, url } = await startTestApp({}, { storage });
    try {
      const client = new BotClient(url);
      await client.say('hi');
      await client.say('where is my order 12345');
      const key = `emulator/users/user-${client.conversationId}/`; // UserState's key: channel, user, empty namespace
      const stored = (await storage.read([key]))[key] as { profile?: { name?: string; messages: number; firstSeen: string } } | undefined;
      assert.equal(stored?.profile?.name, 'Test customer');
      assert.equal(stored?.profile?.messages, 2);
      assert.ok(!Number.isNaN(Date.parse(stored?.profile?.firstSeen ?? '')));
    } finally {
      await withStorage.close();
    }
  });

  it('should find an order ID anywhere in a sentence and with wrapping punctuation', async () => {
    const inSentence = new BotClient(baseUrl);
    assert.equal((await inSentence.say('any news about ORD-20931?'))[0]?.text, 'You asked about order ORD-20931. Is that correct?');
    const wrapped = new BotClient(baseUrl);
    await wrapped.say('where is my order');
    assert.equal((await wrapped.say('(xyz-7781).'))[0]?.text, 'You asked about order XYZ-7781. Is that correct?');
  });

  it('should keep conversations apart', async () => {
    const a = new BotClient(baseUrl);
    const b = new BotClient(baseUrl);
    await a.say('where is my order 12345');
    assert.equal((await b.say('where is my order 98765'))[0]?.text, 'You asked about order 98765. Is that correct?');
    await a.say('yes');
    assert.match((await a.say('alex.morgan@example.com'))[0]?.text ?? '', /^Order 12345/);
  });

  it('should greet members added to the conversation, but not itself', async () => {
    const client = new BotClient(baseUrl);
    const replies = await client.send({
      type: 'conversationUpdate',
      text: undefined,
      membersAdded: [
        { id: 'bot', name: 'bot' },
        { id: 'u1', name: 'user' },
      ],
    });
    assert.equal(replies.length, 1);
    assert.match(replies[0]?.text ?? '', /order assistant/);
  });

  it('should warn once and then drop a flood from one customer without touching the conversation', async () => {
    const { app: flood, url } = await startTestApp({ RATE_LIMIT_USER_PER_MINUTE: '4' });
    try {
      const client = new BotClient(url);
      assert.match((await client.say('where is my order 12345'))[0]?.text ?? '', /order 12345/);
      await client.say('hi');
      await client.say('hi');
      await client.say('hi');
      const warned = await client.say('yes');
      assert.deepEqual(
        warned.map((r) => r.text),
        [Messages.rateLimited],
      );
      assert.deepEqual(await client.say('yes'), []);
    } finally {
      await flood.close();
    }
  });

  describe('bad input', () => {
    it('should answer malformed JSON with 400 and a reason', async () => {
      const { status, json } = await new BotClient(baseUrl).post('{"type": "message", ');
      assert.equal(status, 400);
      assert.ok((json as { error: { message: string } }).error.message);
    });

    it('should answer a body that is not an activity with 400 and say what is missing', async () => {
      const client = new BotClient(baseUrl);
      const cases: [unknown, RegExp][] = [
        [[1, 2, 3], /JSON object/],
        [{ hello: 'world' }, /"type"/],
        [{ type: 'message', text: 'hi' }, /conversation\.id/],
        [{ type: 'message', conversation: { id: 'c' }, text: 'hi' }, /serviceUrl/],
        [{ type: 'message', conversation: { id: 'c' }, deliveryMode: 'expectReplies', text: 42 }, /"text" must be a string/],
      ];
      for (const [body, reason] of cases) {
        const { status, json } = await client.post(body);
        assert.equal(status, 400, JSON.stringify(body));
        assert.match((json as { error: { message: string } }).error.message, reason);
      }
      const plain = await client.post('hello', 'text/plain');
      assert.equal(plain.status, 400);
    });

    it('should reject a body over the size limit with 413', async () => {
      const client = new BotClient(baseUrl);
      const { status } = await client.post(client.activity({ text: 'x'.repeat(300 * 1024) }));
      assert.equal(status, 413);
    });

    it('should read a message whose mention entities are malformed, and strip a well-formed mention of the bot', async () => {
      const client = new BotClient(baseUrl);
      const replies = await client.send({
        text: '<at>Order bot</at> hi',
        entities: [
          { type: 'mention', mentioned: { id: 'bot', name: 'Order bot' }, text: '<at>Order bot</at>' },
          { type: 'mention' },
          { type: 'mention', mentioned: null },
        ],
      });
      const text = replies.map((r) => r.text ?? '').join('\n');
      assert.doesNotMatch(text, /went wrong/);
      assert.match(text, /^Hello/);
    });

    it('should reply sensibly (never 500) to empty, huge, emoji-only, attachment-only and non-message activities', async () => {
      const client = new BotClient(baseUrl);
      assert.deepEqual(await client.say(''), []);
      assert.deepEqual(await client.say('   '), []);
      // Over MAX_MESSAGE_CHARS on /api/messages (authenticated channels such as Teams): a polite
      // refusal in the chat, so the customer knows why; Direct Line refuses it with 400 instead.
      const long = await client.say('a'.repeat(10_000));
      assert.match(long[0]?.text ?? '', /longer than I can read/);
      const emoji = await client.say('🙂🙂🙂');
      assert.equal(emoji.length, 1);
      assert.ok(emoji[0]?.text);
      const attachment = await client.send({ text: undefined, attachments: [{ contentType: 'image/png', contentUrl: 'http://127.0.0.1:1/cat.png' }] });
      assert.match(attachment[0]?.text ?? '', /only read text/);
      for (const type of ['typing', 'event', 'endOfConversation', 'messageReaction', 'installationUpdate']) {
        const { status } = await client.post(client.activity({ type, text: undefined }));
        assert.ok(status < 500, `${type} gave ${status}`);
      }
    });

    it('should refuse too many attachments with 400', async () => {
      const client = new BotClient(baseUrl);
      const attachments = Array.from({ length: 11 }, () => ({ contentType: 'text/plain', content: 'x' }));
      const { status, json } = await client.post(client.activity({ attachments }));
      assert.equal(status, 400);
      assert.equal((json as { error: { code: string } }).error.code, 'TOO_MANY_ATTACHMENTS');
      assert.match((json as { error: { message: string } }).error.message, /at most 10 are accepted/);
    });

    it('should keep the form going after bad input in the middle of it', async () => {
      const client = new BotClient(baseUrl);
      await client.say('where is my order 12345');
      await client.say('x'.repeat(5000));
      await client.say('yes');
      assert.match((await client.say('alex.morgan@example.com'))[0]?.text ?? '', /^Order 12345/);
    });
  });
});
