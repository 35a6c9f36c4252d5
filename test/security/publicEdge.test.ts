import { strict as assert } from 'node:assert';
import http from 'node:http';
import WebSocket from 'ws';
import type { BotApp } from '../../src/app';
import type { MemoryDirectLineStore } from '../../src/channels/directline';
import { DirectLineTokens } from '../../src/channels/directline/tokens';
import { call, DirectLineTestClient, type ConversationAnswer } from '../channels/directline/DirectLineTestClient';
import { startTestApp } from '../support/testApp';

/**
 * The attacks of issue 13 on the public HTTP edge and the self-hosted Direct Line, each against
 * the real app on a free loopback port with its default limits (unless a test says otherwise).
 * Every one of these answered 200 / 500 / 405 or kept a stream open before the change.
 */

const SECRET = 'public-edge-secret-'.padEnd(44, 'z');

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An HTTP request from a chosen loopback address (127.0.0.x), as another client would make it. */
function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, localAddress: options.localAddress ?? '127.0.0.1', agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function errorCode(answer: RawAnswer | { json: unknown }): string | undefined {
  const json = 'json' in answer ? answer.json : (JSON.parse(answer.body || 'null') as unknown);
  return (json as { error?: { code?: string } } | undefined)?.error?.code;
}

/** JSON text nested `depth` levels deep inside an activity's `value`. */
function deepActivity(depth: number, extra: Record<string, unknown> = {}): string {
  const head = JSON.stringify({ type: 'message', text: 'hi', ...extra }).slice(0, -1);
  return `${head},"value":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
}

/** Posts an activity to a client's conversation from a chosen loopback address. */
async function postFrom(localAddress: string, client: DirectLineTestClient, activity: Record<string, unknown> | string): Promise<RawAnswer> {
  return request(`${client.domain}/conversations/${client.conversationId}/activities`, {
    method: 'POST',
    headers: { authorization: `Bearer ${client.token}`, 'content-type': 'application/json' },
    body: typeof activity === 'string' ? activity : JSON.stringify(activity),
    localAddress,
  });
}

async function activityCount(domain: string, client: DirectLineTestClient): Promise<number> {
  const page = await call<{ activities: unknown[] }>('GET', `${domain}/conversations/${client.conversationId}/activities`, client.token);
  return page.json.activities.length;
}

describe('security: the public edge against an anonymous internet (issue 13)', function () {
  this.timeout(60_000);

  describe('with the default limits', () => {
    let app: BotApp;
    let baseUrl: string;
    let domain: string;

    before(async () => {
      ({ app, url: baseUrl } = await startTestApp({ DIRECTLINE_SECRET: SECRET, WEBCHAT_ALLOWED_ORIGINS: 'https://shop.example.com' }));
      domain = `${baseUrl}/v3/directline`;
    });
    after(async () => {
      await app.close();
    });

    it('should refuse 255 KB posts into a conversation with 400 MESSAGE_TOO_LONG and store none of them', async () => {
      const client = await DirectLineTestClient.start(baseUrl);
      const before = await activityCount(domain, client);
      const statuses = new Map<string, number>();
      const text = 'x'.repeat(255 * 1024);
      for (let i = 0; i < 200; i++) {
        const answer = await postFrom('127.0.0.31', client, { type: 'message', text, from: { id: client.userId } });
        const key = `${answer.status} ${errorCode(answer) ?? ''}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      }
      // Refused for its length while the address has budget (120 posts a minute by default), then 429 before the body is read.
      assert.deepEqual([...statuses.keys()].sort(), ['400 MESSAGE_TOO_LONG', '429 RATE_LIMITED'], JSON.stringify([...statuses]));
      assert.ok((statuses.get('400 MESSAGE_TOO_LONG') ?? 0) >= 120, JSON.stringify([...statuses]));
      assert.equal(await activityCount(domain, client), before, 'nothing of the refused posts was logged');
      const store = app.directLine?.store as MemoryDirectLineStore;
      // Before the change the log held all 200 (51 MB of text); RSS is measured by bench/abuse.ts.
      assert.ok(store.heldBytes < 64 * 1024, `the log holds ${store.heldBytes} bytes`);
    });

    it('should refuse an activity with 5,000 attachments with 400 TOO_MANY_ATTACHMENTS and not log it', async () => {
      const client = await DirectLineTestClient.start(baseUrl);
      const before = await activityCount(domain, client);
      const attachments = Array.from({ length: 5000 }, (_, i) => ({ contentType: 'text/plain', content: `a${i}` }));
      const answer = await postFrom('127.0.0.32', client, { type: 'message', text: 'see attached', from: { id: client.userId }, attachments });
      assert.deepEqual([answer.status, errorCode(answer)], [400, 'TOO_MANY_ATTACHMENTS']);
      assert.equal(await activityCount(domain, client), before);
    });

    it('should answer JSON nested 5,000 deep with 400 JSON_TOO_DEEP and no internal error text, on Direct Line and /api/messages', async () => {
      const client = await DirectLineTestClient.start(baseUrl);
      const before = await activityCount(domain, client);
      const onDirectLine = await postFrom('127.0.0.33', client, deepActivity(5000));
      assert.equal(onDirectLine.status, 400, onDirectLine.body);
      assert.equal(errorCode(onDirectLine), 'JSON_TOO_DEEP');
      assert.doesNotMatch(onDirectLine.body, /RangeError|stack|Internal/i);
      assert.equal(await activityCount(domain, client), before);

      const onMessages = await request(`${baseUrl}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: deepActivity(5000, { conversation: { id: 'deep' }, deliveryMode: 'expectReplies', from: { id: 'u' } }),
      });
      assert.deepEqual([onMessages.status, errorCode(onMessages)], [400, 'JSON_TOO_DEEP']);
      // An ordinary nesting (an Adaptive Card submit value) still passes.
      const shallow = await postFrom('127.0.0.33', client, deepActivity(10));
      assert.equal(shallow.status, 200, shallow.body);
    });

    it('should answer a burst of 100 token requests from one address mostly with 429 and Retry-After, and still serve another address', async () => {
      const counts = new Map<number, number>();
      let retryAfter: string | undefined;
      for (let i = 0; i < 100; i++) {
        const answer = await request(`${baseUrl}/api/directline/token`, { method: 'POST', localAddress: '127.0.0.21' });
        counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
        if (answer.status === 429) {
          retryAfter ??= answer.headers['retry-after'] as string | undefined;
          assert.equal(errorCode(answer), 'RATE_LIMITED');
        }
      }
      assert.ok((counts.get(429) ?? 0) >= 80, `statuses: ${JSON.stringify([...counts])}`);
      assert.ok((counts.get(200) ?? 0) >= 1 && (counts.get(200) ?? 0) <= 10, `statuses: ${JSON.stringify([...counts])}`);
      assert.ok(Number(retryAfter) >= 1, `Retry-After: ${retryAfter}`);
      const other = await request(`${baseUrl}/api/directline/token`, { method: 'POST', localAddress: '127.0.0.22' });
      assert.equal(other.status, 200, 'another client address is not affected');
    });

    it('should answer the CORS preflight for an allowed origin and send Access-Control-Allow-Origin', async () => {
      const origin = 'https://shop.example.com';
      const preflight = await request(`${domain}/conversations`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], origin);
      assert.match(String(preflight.headers['access-control-allow-headers']), /Authorization/);
      assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);
      const token = await request(`${baseUrl}/api/directline/token`, { method: 'POST', headers: { origin }, localAddress: '127.0.0.23' });
      assert.equal(token.status, 200);
      assert.equal(token.headers['access-control-allow-origin'], origin);
      // The recipe of docs/webchat.md: { token, domain } from the token route, then the API.
      const { token: t, domain: d } = JSON.parse(token.body) as { token: string; domain: string };
      const started = await request(`${d}/conversations`, { method: 'POST', headers: { origin, authorization: `Bearer ${t}` }, localAddress: '127.0.0.23' });
      assert.equal(started.status, 201);
      assert.equal(started.headers['access-control-allow-origin'], origin);
    });

    it("should refuse the preflight of an origin not on WEBCHAT_ALLOWED_ORIGINS and allow the bot's own origin", async () => {
      const evil = await request(`${domain}/conversations`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      assert.equal(evil.status, 403);
      assert.equal(errorCode(evil), 'DIRECTLINE_ORIGIN_FORBIDDEN');
      assert.equal(evil.headers['access-control-allow-origin'], undefined);
      // No proxy is trusted (TRUST_PROXY_HOPS=0): a forwarded host cannot make an origin "own".
      const forged = await request(`${domain}/conversations`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', 'access-control-request-method': 'POST' },
      });
      assert.equal(forged.status, 403);
      const evilToken = await request(`${baseUrl}/api/directline/token`, {
        method: 'POST',
        headers: { origin: 'https://evil.example' },
        localAddress: '127.0.0.24',
      });
      assert.equal(evilToken.headers['access-control-allow-origin'], undefined, 'the browser withholds the answer');
      const own = await request(`${domain}/conversations`, {
        method: 'OPTIONS',
        headers: { origin: new URL(baseUrl).origin, 'access-control-request-method': 'POST' },
      });
      assert.equal(own.status, 204);
    });

    it('should answer GET /v3/directline/session/getsessionid (called by botframework-directlinejs) with a session id', async () => {
      const client = await DirectLineTestClient.start(baseUrl);
      const answer = await call<{ sessionId: string }>('GET', `${domain}/session/getsessionid`, client.token);
      assert.equal(answer.status, 200);
      assert.match(answer.json.sessionId, /^[\w-]{16,}$/);
      const again = await call<{ sessionId: string }>('GET', `${domain}/session/getsessionid`, client.token);
      assert.equal(again.json.sessionId, answer.json.sessionId, 'stable for a conversation');
      assert.equal((await call('GET', `${domain}/session/getsessionid`)).status, 401);
    });

    it('should close a WebSocket stream when its token expires', async () => {
      const client = await DirectLineTestClient.start(baseUrl);
      // A token of the same conversation that expires in 2 s (issued "earlier" with the server's secret).
      const ttlSeconds = 1800;
      const early = new DirectLineTokens({ secret: SECRET, ttlSeconds, now: () => Date.now() - (ttlSeconds - 2) * 1000 });
      const shortLived = early.issue(client.conversationId, client.userId).token;
      const resumed = await call<ConversationAnswer>('GET', `${domain}/conversations/${client.conversationId}`, shortLived);
      assert.equal(resumed.status, 200);
      const socket = new WebSocket(resumed.json.streamUrl);
      const received: string[] = [];
      socket.on('message', (data) => received.push(data.toString()));
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      assert.equal((await postFrom('127.0.0.34', client, { type: 'message', text: 'hello' })).status, 200);
      const closed = await new Promise<number | 'still open'>((resolve) => {
        const timer = setTimeout(() => resolve('still open'), 8000);
        socket.once('close', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
      socket.terminate();
      assert.equal(closed, 4401, 'the stream is closed when its token expires');
      assert.ok(received.length > 0, 'the stream was live before the expiry');
      // And an expired token cannot open a new one.
      const refused = await new Promise<number>((resolve) => {
        const again = new WebSocket(resumed.json.streamUrl);
        again.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        again.once('open', () => {
          again.close();
          resolve(101);
        });
        again.once('error', () => undefined);
      });
      assert.equal(refused, 403);
    });
  });

  describe('rationed anonymous sessions', () => {
    it('should answer at most RATE_LIMIT_ADDRESS_PER_MINUTE order turns from 100 fresh tokens of one address', async () => {
      // Token rationing off, so only the per-address message limit stands between 100 "users" and the bot.
      const { app, url } = await startTestApp({ DIRECTLINE_SECRET: SECRET, WEBCHAT_SESSIONS_PER_ADDRESS_PER_MINUTE: '0', RATE_LIMIT_ADDRESS_PER_MINUTE: '20' });
      try {
        let answered = 0;
        let warned = 0;
        let refused = 0;
        for (let i = 0; i < 100; i++) {
          const client = await DirectLineTestClient.start(url);
          const answer = await postFrom('127.0.0.35', client, { type: 'message', text: 'where is my order 12345' });
          if (answer.status === 429) {
            refused++;
            continue;
          }
          const id = (JSON.parse(answer.body) as { id: string }).id;
          const page = await call<{ activities: Array<{ replyToId?: string; text?: string }> }>(
            'GET',
            `${url}/v3/directline/conversations/${client.conversationId}/activities`,
            client.token,
          );
          const replies = page.json.activities.filter((a) => a.replyToId === id);
          if (replies.some((a) => /Is that correct/.test(a.text ?? ''))) answered++;
          if (replies.some((a) => /faster than I can read/.test(a.text ?? ''))) warned++;
        }
        // 20 answered, one polite warning, the rest dropped by the bot and, past twice the limit, refused with 429 at the edge.
        assert.equal(answered, 20, `answered ${answered} of 100 (warned ${warned}, refused ${refused})`);
        assert.equal(warned, 1);
        assert.ok(refused >= 50, `refused ${refused}`);
      } finally {
        await app.close();
      }
    });

    it('should keep the memory store under its budget, evicting the longest-idle conversations first', async () => {
      const { app, url } = await startTestApp({
        DIRECTLINE_SECRET: SECRET,
        WEBCHAT_SESSIONS_PER_ADDRESS_PER_MINUTE: '0',
        RATE_LIMIT_ADDRESS_PER_MINUTE: '0',
        RATE_LIMIT_USER_PER_MINUTE: '0',
        DIRECTLINE_MAX_MEMORY_BYTES: String(1024 * 1024),
        DIRECTLINE_MAX_CONVERSATION_BYTES: String(64 * 1024),
      });
      try {
        const store = app.directLine?.store as MemoryDirectLineStore;
        const first = await DirectLineTestClient.start(url);
        const clients: DirectLineTestClient[] = [first];
        let peak = 0;
        for (let i = 0; i < 60; i++) {
          const client = await DirectLineTestClient.start(url);
          clients.push(client);
          for (let j = 0; j < 20; j++) {
            const answer = await client.post({ type: 'event', name: 'filler', value: { blob: 'y'.repeat(1500) }, from: { id: client.userId } });
            assert.equal(answer.status, 200);
          }
          peak = Math.max(peak, store.heldBytes);
        }
        assert.ok(peak <= 1024 * 1024, `held ${peak} bytes`);
        assert.ok(store.evictions > 0);
        assert.equal(
          (await first.post({ type: 'message', text: 'still there?', from: { id: first.userId } })).status,
          404,
          'the longest-idle conversation went first',
        );
        const last = clients.at(-1) as DirectLineTestClient;
        assert.equal((await last.post({ type: 'message', text: 'hi', from: { id: last.userId } })).status, 200, 'the active one is kept');
      } finally {
        await app.close();
      }
    });
  });
});
