import { strict as assert } from 'node:assert';
import type { Activity } from 'botbuilder';
import jwt from 'jsonwebtoken';
import { Messages } from '../../dialogs/messages';
import { createApp, type BotApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { BotClient } from '../support/botClient';
import { startTokenAuthority, type TokenAuthority } from '../support/botFrameworkTokens';
import { useMongoDatabase } from '../support/mongo';
import { startSlackApiStub, type SlackApiStub } from '../support/slackApiStub';
import { startTestApp, type RunningTestApp } from '../support/testApp';
import { silentLogger } from '../support/testBot';
import { call, DirectLineTestClient, type ConversationAnswer } from '../channels/directline/DirectLineTestClient';
import { dm, startSlackApp, type SlackTestApp } from '../channels/slack/support/slackTraffic';

/** Anything that tells an order's state: a status word, a date line, a carrier, a link or a card. */
const LEAK =
  /\b(in transit|delivered|being prepared|shipped|delayed|cancelled|on hold|returned|out for delivery)\b|Expected delivery|Track it|https?:\/\/|UPS|DHL|FedEx|USPS|PostNL|Royal Mail|DPD|GLS|Canada Post|Australia Post/i;
const SAMPLE_IDS = [
  '12345',
  '98765',
  'ABC123',
  'XYZ789',
  'ORDER001',
  '55555',
  '24680',
  '13579',
  'ORD-20931',
  'XYZ-7781',
  'A1B2C3',
  '77777',
  '31415',
  '27182',
  '10001',
  '20002',
  '30003',
  '40004',
  'SHOP-4242',
  'ZX900',
];
const NO_RATE_LIMITS = { RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_CONVERSATION_PER_MINUTE: '0', RATE_LIMIT_ADDRESS_PER_MINUTE: '0' };
const USER_TOKEN_SECRET = 'host-website-signing-secret-0123456789abcdef';

/** A Direct Line client whose token came from the token route with an optional host-signed user token. */
async function webChatClient(baseUrl: string, userToken?: string): Promise<DirectLineTestClient> {
  const issued = await call<{ token: string; domain: string; userId: string }>(
    'POST',
    `${baseUrl}/api/directline/token`,
    undefined,
    userToken === undefined ? undefined : { userToken },
  );
  if (issued.status !== 200) throw new Error(`token route answered ${issued.status}: ${JSON.stringify(issued.json)}`);
  const started = await call<ConversationAnswer>('POST', `${issued.json.domain}/conversations`, issued.json.token);
  const client = new DirectLineTestClient(issued.json.domain, started.json.conversationId, started.json.token, started.json.streamUrl, issued.json.userId);
  await client.connect();
  await client.waitFor((a) => a.from?.role === 'bot' && /order assistant/.test(a.text ?? ''));
  return client;
}

/** Says something and waits for the bot's first message in reply; returns it. */
async function turn(client: DirectLineTestClient, text: string): Promise<Activity> {
  const id = await client.say(text);
  return client.waitFor((a) => a.replyToId === id && a.type === 'message' && a.from?.role === 'bot', 5000);
}

describe('order verification on every channel', function () {
  this.timeout(60_000);

  describe('Web Chat through the real Direct Line endpoint (policy knowledge, the default)', () => {
    let running: RunningTestApp;
    before(async () => {
      running = await startTestApp(NO_RATE_LIMITS);
    });
    after(async () => running?.app.close());

    it('should reveal nothing to one anonymous client that walks through 100 order IDs', async () => {
      const client = await webChatClient(running.url);
      // The 20 real sample orders first, then 80 neighbours of a real ID (10001 exists).
      const ids = [...SAMPLE_IDS, ...Array.from({ length: 80 }, (_, i) => String(10_000 + i))];
      const outcomes = new Map<string, number>();
      for (const id of ids) {
        const confirm = await turn(client, `where is my order ${id}`);
        assert.equal(confirm.text, `You asked about order ${id}. Is that correct?`);
        const afterYes = await turn(client, 'yes');
        let last = afterYes;
        if (afterYes.text === Messages.askVerification) last = await turn(client, `guess-${id}@example.com`);
        const key = `${last.text}|${(last.suggestedActions?.actions ?? []).map((a) => a.title).join(',')}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }
      const botMessages = client.received.filter((a) => a.from?.role === 'bot' && a.type === 'message');
      const revealed = botMessages.filter((a) => LEAK.test(a.text ?? '') || (a.attachments ?? []).length > 0);
      console.log(
        `      enumeration run: ${ids.length} IDs (${SAMPLE_IDS.length} real orders), ${botMessages.length} bot messages, orders revealed: ${revealed.length}`,
      );
      assert.deepEqual(
        revealed.map((a) => a.text),
        [],
        'no status, date, carrier, link or card',
      );
      // Three kinds of last answer only: "no match" (the first 4), "no match + locked out" (the 5th), then "locked out".
      assert.deepEqual(
        [...outcomes.entries()].sort((a, b) => b[1] - a[1]),
        [
          [`${Messages.verificationLockedOut}|Talk to a person`, 95],
          [`${Messages.noMatchingOrder}|Check an order,Talk to a person`, 4],
          [`${Messages.noMatchingOrder}\n${Messages.verificationLockedOut}|Talk to a person`, 1],
        ],
      );
      client.close();
    });

    it('should give a wrong ID and a wrong answer the same reply, and the status only for the right answer', async () => {
      const wrongId = await webChatClient(running.url);
      await turn(wrongId, 'where is my order 99999');
      await turn(wrongId, 'yes');
      const a = await turn(wrongId, 'alex.morgan@example.com');
      const wrongAnswer = await webChatClient(running.url);
      await turn(wrongAnswer, 'where is my order 98765');
      await turn(wrongAnswer, 'yes');
      const b = await turn(wrongAnswer, 'sam.lee@example.org');
      assert.deepEqual([a.text, a.suggestedActions?.actions.map((x) => x.title)], [b.text, b.suggestedActions?.actions.map((x) => x.title)]);
      const right = await turn(wrongAnswer, 'where is my order 98765');
      assert.match(right.text ?? '', /Is that correct/);
      await turn(wrongAnswer, 'yes');
      const status = await turn(wrongAnswer, 'SW1A 1AA');
      assert.match(status.text ?? '', /^Order 98765 is delivered/);
      assert.ok(status.attachments?.some((x) => x.contentType === 'application/vnd.microsoft.card.adaptive'));
      wrongId.close();
      wrongAnswer.close();
    });
  });

  describe('lockout across two instances sharing MongoDB', () => {
    const mongo = useMongoDatabase('verification');
    let a: RunningTestApp;
    let b: RunningTestApp;
    before(async () => {
      const env = { ...NO_RATE_LIMITS, MONGODB_URI: mongo.uri, MONGODB_DB: mongo.db.databaseName };
      a = await startTestApp(env);
      b = await startTestApp(env);
    });
    after(async () => {
      await a?.app.close();
      await b?.app.close();
    });

    async function guess(client: BotClient, id: string, answer: string): Promise<string | undefined> {
      await client.say(`where is my order ${id}`);
      const afterYes = await client.say('yes');
      if (afterYes[0]?.text !== Messages.askVerification) return afterYes[0]?.text;
      return (await client.say(answer))[0]?.text;
    }

    it('should lock an order on instance B after five failed checks from five fresh clients on instance A', async () => {
      for (let i = 0; i < 5; i++) {
        const reply = await guess(new BotClient(a.url), '55555', `guess${i}@example.com`);
        assert.match(reply ?? '', /^I couldn't find an order matching those details/);
      }
      // The owner, with the right answer, on the other instance: refused until the window ends.
      assert.equal(await guess(new BotClient(b.url), '55555', 'sam.lee@example.org'), Messages.verificationLockedOut);
      // Another order is not affected.
      assert.match((await guess(new BotClient(b.url), 'ABC123', '10115')) ?? '', /^Order ABC123 is being prepared/);
    });

    it('should keep a conversation locked when its next message lands on the other instance', async () => {
      const id = `conv-lock-${Date.now()}`;
      for (let i = 0; i < 5; i++) await guess(new BotClient(i % 2 ? b.url : a.url, id), String(60_000 + i), 'nobody@example.com');
      assert.equal(await guess(new BotClient(b.url, id), '12345', 'alex.morgan@example.com'), Messages.verificationLockedOut);
    });
  });

  describe('Teams customers (policy identity, Bot Framework authentication)', () => {
    const APP_ID = '7f1c2a9e-0000-4000-8000-0000000000a1';
    const ALEX_AAD = '8b1e7d3c-0f4a-4c2e-9d6b-1a2b3c4d5e6f';
    const serviceUrl = 'http://127.0.0.1:1';
    let authority: TokenAuthority;
    let app: BotApp;
    let baseUrl: string;
    const consoleError = console.error;
    before(async () => {
      console.error = () => undefined; // botbuilder prints rejected tokens
      authority = await startTokenAuthority();
      app = await createApp(
        loadConfig({
          PORT: '0',
          HOST: '127.0.0.1',
          NODE_ENV: 'test',
          ORDER_VERIFICATION: 'identity',
          MicrosoftAppId: APP_ID,
          MicrosoftAppPassword: 'not-used-for-incoming-validation',
          ToBotFromChannelOpenIdMetadataUrl: authority.metadataUrl,
          ToBotFromChannelTokenIssuer: authority.issuer,
        }),
        { logger: silentLogger },
      );
      baseUrl = (await app.listen()).url;
    });
    after(async () => {
      console.error = consoleError;
      await app?.close();
      await authority?.close();
    });

    /** One authenticated Teams message from a user with the given Entra object ID. */
    async function teams(conversationId: string, aadObjectId: string, text: string): Promise<string[]> {
      const client = new BotClient(baseUrl, conversationId, 'msteams');
      const body = client.activity({ text, serviceUrl, from: { id: `29:${aadObjectId}`, name: 'Teams user', aadObjectId, role: 'user' } as Activity['from'] });
      const response = await fetch(`${baseUrl}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${authority.sign({ aud: APP_ID, serviceurl: serviceUrl })}` },
        body: JSON.stringify(body),
      });
      assert.equal(response.status, 200);
      const json = (await response.json()) as { activities?: Activity[] };
      return (json.activities ?? []).filter((x) => x.type === 'message').map((x) => x.text ?? '');
    }

    it("should list only the signed-in customer's orders and answer about them without a question", async () => {
      const conversation = `teams-${Date.now()}`;
      assert.deepEqual(await teams(conversation, ALEX_AAD, 'which orders do I have?'), [Messages.yourOrders(['- 12345: in transit', '- 98765: delivered'])]);
      await teams(conversation, ALEX_AAD, 'where is my order 12345');
      const [status] = await teams(conversation, ALEX_AAD, 'yes');
      assert.match(status ?? '', /^Order 12345 is in transit/);
    });

    it("should answer about another customer's order like an unknown one, and not list theirs", async () => {
      const conversation = `teams-other-${Date.now()}`;
      const stranger = '00000000-1111-4222-8333-444444444444';
      assert.deepEqual(await teams(conversation, stranger, 'which orders do I have?'), [Messages.noOrdersForYou]);
      await teams(conversation, stranger, 'where is my order 12345');
      assert.deepEqual(await teams(conversation, stranger, 'yes'), [Messages.noMatchingOrder]);
    });
  });

  it('should not trust a Teams identity on an unauthenticated /api/messages (no MicrosoftAppId)', async () => {
    const running = await startTestApp({ ORDER_VERIFICATION: 'identity' });
    try {
      const client = new BotClient(running.url, undefined, 'msteams');
      const from = { id: '29:x', name: 'Claimed', aadObjectId: '8b1e7d3c-0f4a-4c2e-9d6b-1a2b3c4d5e6f', role: 'user' } as Activity['from'];
      assert.deepEqual(
        (await client.send({ text: 'which orders do I have?', from })).map((a) => a.text),
        [Messages.listNeedsSignIn],
      );
      await client.send({ text: 'where is my order 12345', from });
      assert.deepEqual(
        (await client.send({ text: 'yes', from })).map((a) => a.text),
        [Messages.askVerification],
      );
    } finally {
      await running.app.close();
    }
  });

  describe('Slack customers (native bridge, policy identity)', () => {
    let stub: SlackApiStub;
    let bot: SlackTestApp;
    before(async () => {
      stub = await startSlackApiStub();
      bot = await startSlackApp(stub, { ORDER_VERIFICATION: 'identity' });
    });
    after(async () => {
      await bot?.close();
      await stub?.stop();
    });
    async function slack(user: string, channel: string, text: string): Promise<string[]> {
      const before = stub.succeeded('chat.postMessage').length;
      await bot.sender.event(dm(user, channel, text));
      await bot.idle();
      return stub
        .succeeded('chat.postMessage')
        .slice(before)
        .map((c) => String(c.params.text));
    }

    it("should list the Slack user's orders and answer about one without a question", async () => {
      assert.deepEqual(await slack('U0CUSTOMER2', 'D-sam', 'which orders do I have?'), [Messages.yourOrders(['- ABC123: being prepared', '- 55555: delayed'])]);
      await slack('U0CUSTOMER2', 'D-sam', 'where is my order 55555');
      const [status] = await slack('U0CUSTOMER2', 'D-sam', 'yes');
      assert.match(status ?? '', /^Order 55555 is delayed/);
    });

    it('should refuse another Slack user the same order with the no-match answer', async () => {
      await slack('U0SOMEONE', 'D-other', 'where is my order 55555');
      assert.deepEqual(await slack('U0SOMEONE', 'D-other', 'yes'), [Messages.noMatchingOrder]);
    });
  });

  describe('Web Chat users signed in on the host website (policy identity)', () => {
    let running: RunningTestApp;
    before(async () => {
      running = await startTestApp({ ...NO_RATE_LIMITS, ORDER_VERIFICATION: 'identity', WEBCHAT_USER_TOKEN_SECRET: USER_TOKEN_SECRET });
    });
    after(async () => running?.app.close());
    const sign = (claims: object, secret = USER_TOKEN_SECRET, options: jwt.SignOptions = { expiresIn: 300 }): string =>
      jwt.sign(claims, secret, { algorithm: 'HS256', ...options });

    it('should turn a host-signed user token into a verified user who sees only their orders', async () => {
      const client = await webChatClient(running.url, sign({ sub: 'alex.morgan' }));
      assert.equal(client.userId, 'wcu:alex.morgan');
      const list = await turn(client, 'which orders do I have?');
      assert.equal(list.text, Messages.yourOrders(['- 12345: in transit', '- 98765: delivered']));
      await turn(client, 'where is my order 98765');
      assert.match((await turn(client, 'yes')).text ?? '', /^Order 98765 is delivered/);
      await turn(client, 'where is my order ABC123');
      assert.equal((await turn(client, 'yes')).text, Messages.noMatchingOrder);
      client.close();
    });

    it('should refuse a forged, expired or unsigned user token with 401 and a reason', async () => {
      const refused = async (userToken: unknown): Promise<{ status: number; code?: string }> => {
        const answer = await call<{ error?: { code: string } }>('POST', `${running.url}/api/directline/token`, undefined, { userToken });
        return { status: answer.status, code: answer.json?.error?.code };
      };
      const expected = { status: 401, code: 'WEBCHAT_USER_TOKEN_INVALID' };
      assert.deepEqual(await refused(sign({ sub: 'alex.morgan' }, 'some-other-secret-that-is-long-enough-000')), expected);
      assert.deepEqual(await refused(sign({ sub: 'alex.morgan', exp: Math.floor(Date.now() / 1000) - 120 }, USER_TOKEN_SECRET, {})), expected);
      assert.deepEqual(await refused(jwt.sign({ sub: 'alex.morgan' }, '', { algorithm: 'none' })), expected);
      assert.deepEqual(await refused(sign({ sub: 'alex.morgan' }, USER_TOKEN_SECRET, { noTimestamp: true })), expected, 'no exp');
      assert.deepEqual(await refused(42), expected);
      // Signed, but dated ahead or living longer than an hour: jsonwebtoken's maxAge trusts "iat".
      const now = Math.floor(Date.now() / 1000);
      const tenYears = 10 * 365 * 24 * 3600;
      assert.deepEqual(
        await refused(sign({ sub: 'alex.morgan', iat: now + tenYears, exp: now + tenYears + 300 }, USER_TOKEN_SECRET, {})),
        expected,
        'iat in the future',
      );
      assert.deepEqual(await refused(sign({ sub: 'alex.morgan', iat: now, exp: now + 2 * 3600 }, USER_TOKEN_SECRET, {})), expected, 'lifetime over an hour');
    });

    it('should keep anonymous visitors anonymous even when they claim a signed-in id', async () => {
      const client = await webChatClient(running.url);
      assert.match(client.userId, /^dl_/);
      const posted = await client.post({ type: 'message', text: 'which orders do I have?', from: { id: 'wcu:alex.morgan' } });
      assert.equal(posted.status, 200);
      const reply = await client.waitFor((a) => a.replyToId === posted.json.id && a.type === 'message');
      assert.equal(reply.text, Messages.listNeedsSignIn);
      await turn(client, 'where is my order 12345');
      assert.equal((await turn(client, 'yes')).text, Messages.askVerification, 'falls back to the knowledge check');
      client.close();
    });
  });
});
