import { strict as assert } from 'node:assert';
import WebSocket from 'ws';
import type { BotApp } from '../../../src/app';
import { DirectLineTokens } from '../../../src/channels/directline/tokens';
import { call, DirectLineTestClient, type ConversationAnswer } from './DirectLineTestClient';
import { startTestApp } from '../../support/testApp';

const SECRET = 'test-secret-'.padEnd(44, 'x');

/** Opens a WebSocket and reports how the server answered the upgrade. */
function tryStream(url: string): Promise<'open' | number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', () => undefined);
  });
}

describe('Self-hosted Direct Line 3.0 endpoint (real server)', () => {
  let app: BotApp;
  let baseUrl: string;
  let domain: string;

  before(async () => {
    ({ app, url: baseUrl } = await startTestApp({ DIRECTLINE_SECRET: SECRET }));
    domain = `${baseUrl}/v3/directline`;
  });
  after(async () => {
    await app.close();
  });

  it('should run a whole conversation: greeting, confirmation with buttons, order status card, over the WebSocket', async () => {
    const client = await DirectLineTestClient.start(baseUrl);
    await client.connect();
    const greeting = await client.waitFor((a) => a.from?.role === 'bot' && /order assistant/.test(a.text ?? ''));
    assert.equal(greeting.id, `${client.conversationId}|0000001`);

    const postedId = await client.say('where is my order 12345');
    const echo = await client.waitFor((a) => a.id === postedId);
    assert.equal(echo.from.id, client.userId, "the user's own message is echoed back, as Direct Line does");
    assert.equal(echo.from.role, 'user');
    const confirm = await client.waitFor((a) => a.replyToId === postedId && a.type === 'message');
    assert.equal(confirm.text, 'You asked about order 12345. Is that correct?');
    assert.deepEqual(
      confirm.suggestedActions?.actions.map((a) => a.title),
      ['Yes', 'No'],
    );

    const yesId = await client.say('Yes');
    await client.waitFor((a) => a.replyToId === yesId && a.type === 'message' && /e-mail address or the postcode/.test(a.text ?? ''));
    const answerId = await client.say('alex.morgan@example.com');
    const status = await client.waitFor((a) => a.replyToId === answerId && a.type === 'message' && /^Order 12345/.test(a.text ?? ''));
    const card = status.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');
    assert.ok(card, 'Web Chat gets the order status as an Adaptive Card');
    assert.equal((card.content as { version: string }).version, '1.5');
    assert.match(JSON.stringify(card.content), /In transit/);
    client.close();
  });

  it('should answer posts only after the turn, with ids and watermarks that GET .../activities pages through', async () => {
    const client = await DirectLineTestClient.start(baseUrl);
    const id = await client.say('where is my order 98765');
    const url = `${domain}/conversations/${client.conversationId}/activities`;
    const all = await call<{ activities: { id: string; text?: string }[]; watermark: string }>('GET', url, client.token);
    assert.equal(all.status, 200);
    assert.deepEqual(
      all.json.activities.map((a) => a.id.split('|')[1]),
      ['0000001', '0000002', '0000003'],
    );
    assert.equal(all.json.activities[1]?.id, id);
    assert.equal(all.json.watermark, '3');
    const later = await call<{ activities: unknown[]; watermark: string }>('GET', `${url}?watermark=3`, client.token);
    assert.deepEqual([later.json.activities.length, later.json.watermark], [0, '3']);
    const fromTwo = await call<{ activities: { text?: string }[] }>('GET', `${url}?watermark=2`, client.token);
    assert.equal(fromTwo.json.activities[0]?.text, 'You asked about order 98765. Is that correct?');
  });

  it('should resume a conversation: GET /conversations/:id gives a stream URL that replays from the watermark', async () => {
    const client = await DirectLineTestClient.start(baseUrl);
    await client.say('where is my order 12345');
    const resumed = await call<ConversationAnswer>('GET', `${domain}/conversations/${client.conversationId}?watermark=2`, client.token);
    assert.equal(resumed.status, 200);
    assert.equal(resumed.json.conversationId, client.conversationId);
    assert.match(resumed.json.streamUrl, /^ws:\/\/127\.0\.0\.1:\d+\/v3\/directline\/conversations\/[^/]+\/stream\?watermark=2&t=/);
    const again = new DirectLineTestClient(domain, client.conversationId, client.token, resumed.json.streamUrl, client.userId);
    await again.connect();
    const replayed = await again.waitFor((a) => a.type === 'message');
    assert.equal(replayed.text, 'You asked about order 12345. Is that correct?');
    assert.equal(again.watermark, '3');
    again.close();
  });

  it('should never let a token for conversation A read, post to or stream conversation B', async () => {
    const a = await DirectLineTestClient.start(baseUrl);
    const b = await DirectLineTestClient.start(baseUrl);
    const bUrl = `${domain}/conversations/${b.conversationId}`;
    const attempts = [
      await call('GET', bUrl, a.token),
      await call('GET', `${bUrl}/activities`, a.token),
      await call('POST', `${bUrl}/activities`, a.token, { type: 'message', text: 'hi', from: { id: 'x' } }),
      await call('POST', `${bUrl}/upload`, a.token),
    ];
    for (const attempt of attempts) {
      assert.equal(attempt.status, 403);
      assert.equal((attempt.json as { error: { code: string } }).error.code, 'DIRECTLINE_FORBIDDEN');
    }
    const stolenStream = b.streamUrl.replace(/t=[^&]+/, `t=${encodeURIComponent(a.token)}`);
    assert.equal(await tryStream(stolenStream), 403);
    assert.equal(await tryStream(b.streamUrl.replace(/t=[^&]+/, 't=garbage')), 403);
    assert.equal(await tryStream(b.streamUrl.replace(/[?&]t=[^&]+/, '')), 401);
    // Broken percent-encoding in the conversation id: a clear 400, not a URIError and a 500.
    assert.equal(await tryStream(b.streamUrl.replace(/conversations\/[^/]+\/stream/, 'conversations/%E0%A4%A/stream')), 400);
    assert.equal(await tryStream(b.streamUrl), 'open');
    const bLog = await call<{ activities: { from: { id: string } }[] }>('GET', `${bUrl}/activities`, b.token);
    assert.equal(bLog.status, 200);
    assert.ok(
      bLog.json.activities.every((x) => x.from.id !== a.userId),
      'nothing from A reached B',
    );
  });

  it('should hold at most 8 streams per conversation, closing the oldest', async () => {
    const client = await DirectLineTestClient.start(baseUrl);
    const sockets = await Promise.all(
      Array.from({ length: 9 }, async () => {
        const socket = new WebSocket(client.streamUrl);
        await new Promise((resolve) => socket.once('open', resolve));
        return socket;
      }),
    );
    const closed = await Promise.race([
      ...sockets.map((socket, i) => new Promise<[number, number]>((resolve) => socket.once('close', (code) => resolve([i, code])))),
      new Promise<'none'>((resolve) => setTimeout(() => resolve('none'), 2000)),
    ]);
    assert.ok(Array.isArray(closed), 'one stream was closed');
    assert.equal(closed[1], 1008);
    for (const socket of sockets) socket.close();
  });

  it('should bind the user to the token: a posted from.id cannot pose as someone else', async () => {
    const client = await DirectLineTestClient.start(baseUrl);
    const answer = await client.post({
      type: 'message',
      text: 'hi',
      from: { id: 'dl_someone_else', role: 'bot' },
      recipient: { id: 'x' },
      conversation: { id: 'other' },
    });
    assert.equal(answer.status, 200);
    const page = await call<{ activities: { id: string; from: { id: string; role: string }; conversation: { id: string } }[] }>(
      'GET',
      `${domain}/conversations/${client.conversationId}/activities`,
      client.token,
    );
    const echo = page.json.activities.find((x) => x.id === answer.json.id);
    assert.deepEqual([echo?.from.id, echo?.from.role, echo?.conversation.id], [client.userId, 'user', client.conversationId]);
  });

  it('should demand credentials: 401 without, 403 for a bad or expired token, 404 for unknown conversations', async () => {
    assert.equal((await call('POST', `${domain}/conversations`)).status, 401);
    const bad = await call<{ error: { code: string } }>('POST', `${domain}/conversations`, 'nope');
    assert.deepEqual([bad.status, bad.json.error.code], [403, 'DIRECTLINE_FORBIDDEN']);
    const past = new DirectLineTokens({ secret: SECRET, ttlSeconds: 60, now: () => Date.now() - 120_000 });
    const expired = await call<{ error: { code: string } }>('GET', `${domain}/conversations/x/activities`, past.issue('x', 'dl_u').token);
    assert.deepEqual([expired.status, expired.json.error.code], [403, 'DIRECTLINE_TOKEN_EXPIRED']);
    const missing = await call<{ error: { code: string } }>('GET', `${domain}/conversations/does-not-exist`, SECRET);
    assert.deepEqual([missing.status, missing.json.error.code], [404, 'DIRECTLINE_CONVERSATION_NOT_FOUND']);
  });

  it('should generate tokens only with the secret, and refresh only tokens', async () => {
    const generated = await call<{ conversationId: string; token: string; expires_in: number }>('POST', `${domain}/tokens/generate`, SECRET, {
      user: { id: 'dl_customer42' },
    });
    assert.equal(generated.status, 200);
    assert.equal(generated.json.expires_in, 1800);
    const started = await call<ConversationAnswer>('POST', `${domain}/conversations`, generated.json.token);
    assert.deepEqual([started.status, started.json.conversationId], [201, generated.json.conversationId]);
    const startedAgain = await call<ConversationAnswer>('POST', `${domain}/conversations`, generated.json.token);
    assert.equal(startedAgain.status, 200, 'starting the same conversation again resumes it');

    const refreshed = await call<{ conversationId: string; token: string }>('POST', `${domain}/tokens/refresh`, generated.json.token);
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.json.conversationId, generated.json.conversationId);
    const withRefreshed = await call<{ activities: { from: { id: string } }[] }>(
      'GET',
      `${domain}/conversations/${generated.json.conversationId}/activities`,
      refreshed.json.token,
    );
    assert.equal(withRefreshed.status, 200);

    assert.equal((await call('POST', `${domain}/tokens/generate`, generated.json.token)).status, 403);
    assert.equal((await call('POST', `${domain}/tokens/refresh`, SECRET)).status, 403);
    assert.equal((await call('POST', `${domain}/tokens/generate`, SECRET, { user: { id: 42 } })).status, 400);
  });

  it('should start a conversation with the secret for server-side clients, requiring from.id on posts', async () => {
    const started = await call<ConversationAnswer>('POST', `${domain}/conversations`, SECRET, { user: { id: 'crm-7' } });
    assert.equal(started.status, 201);
    assert.ok(!started.json.streamUrl.includes(SECRET), 'the secret never appears in a URL');
    const url = `${domain}/conversations/${started.json.conversationId}/activities`;
    const noUser = await call('POST', url, SECRET, { type: 'message', text: 'hi' });
    assert.equal(noUser.status, 400);
    const ok = await call<{ id: string }>('POST', url, SECRET, { type: 'message', text: 'hi', from: { id: 'crm-7' } });
    assert.equal(ok.status, 200);
  });

  it('should reject malformed activities with 400 and a reason, and uploads with a clear code', async () => {
    const client = await DirectLineTestClient.start(baseUrl);
    const cases: [unknown, RegExp][] = [
      [[1, 2], /JSON activity object/],
      [{ type: 'conversationUpdate' }, /"type" must be one of/],
      [{ type: 'message', text: 5 }, /"text" must be a string/],
      [{ type: 'message', attachments: 'x' }, /"attachments" must be an array/],
    ];
    for (const [body, reason] of cases) {
      const answer = await client.post(body as Record<string, unknown>);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.match((answer.json as unknown as { error: { message: string } }).error.message, reason);
    }
    const upload = await call<{ error: { code: string } }>('POST', `${domain}/conversations/${client.conversationId}/upload`, client.token);
    assert.deepEqual([upload.status, upload.json.error.code], [400, 'DIRECTLINE_UPLOAD_UNSUPPORTED']);
  });
});
