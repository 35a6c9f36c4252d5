import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { createApp, type BotApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { call, DirectLineTestClient } from '../channels/directline/DirectLineTestClient';
import { silentLogger } from '../support/testBot';

const SECRET = 'fuzz-directline-secret-0123456789abcdef';

describe('fuzz: the self-hosted Direct Line endpoint', function () {
  this.timeout(180_000);
  let app: BotApp;
  let base: string;
  let victim: DirectLineTestClient;
  let attacker: DirectLineTestClient;

  before(async () => {
    app = await createApp(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        NODE_ENV: 'test',
        DIRECTLINE_SECRET: SECRET,
        RATE_LIMIT_USER_PER_MINUTE: '0',
        RATE_LIMIT_CONVERSATION_PER_MINUTE: '0',
      }),
      { logger: silentLogger },
    );
    base = (await app.listen()).url;
    victim = await DirectLineTestClient.start(base);
    await victim.say('where is my order 12345');
    attacker = await DirectLineTestClient.start(base);
  });
  after(async () => {
    await app?.close();
  });

  const paths = (conversationId: string): string[] => [
    `/v3/directline/conversations`,
    `/v3/directline/conversations/${conversationId}`,
    `/v3/directline/conversations/${conversationId}/activities`,
    `/v3/directline/tokens/generate`,
    `/v3/directline/tokens/refresh`,
  ];

  it('should never answer 5xx to random requests, credentials and bodies', async () => {
    const credential = fc.oneof(
      fc.constant(undefined),
      fc.constant(SECRET),
      fc.constant('wrong-secret'),
      fc.string({ maxLength: 80 }),
      fc.constant('a.b.c'),
      fc.constantFrom('victim', 'attacker'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST'),
        fc.oneof(fc.constantFrom('victim', 'attacker'), fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent)),
        fc.nat(4),
        credential,
        fc.oneof(
          fc.constant(undefined),
          fc.json().map((j) => JSON.parse(j) as unknown),
          fc.record({
            type: fc.constantFrom('message', 'event', 'typing'),
            text: fc.string({ maxLength: 100 }),
            from: fc.record({ id: fc.string({ maxLength: 10 }) }),
          }),
        ),
        fc.oneof(
          fc.constant(''),
          fc.nat(1000).map((n) => `?watermark=${n}`),
          fc.string({ maxLength: 20 }).map((s) => `?watermark=${encodeURIComponent(s)}`),
        ),
        async (method, conv, pathIndex, cred, body, query) => {
          const conversationId = conv === 'victim' ? victim.conversationId : conv === 'attacker' ? attacker.conversationId : conv;
          const token = cred === 'victim' ? victim.token : cred === 'attacker' ? attacker.token : cred;
          const url = `${base}${paths(conversationId)[pathIndex]}${query}`;
          const answer = await fetch(url, {
            method,
            headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
            body: method === 'POST' && body !== undefined ? JSON.stringify(body) : undefined,
          });
          await answer.arrayBuffer();
          assert.ok(answer.status < 500, `${method} ${url} -> ${answer.status}`);
        },
      ),
      { numRuns: 300, seed: 99 },
    );
  });

  it("should never let one conversation's token read or post to another conversation", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET activities', 'POST activity', 'GET conversation'), async (what) => {
        const target = `${base}/v3/directline/conversations/${victim.conversationId}`;
        const answer =
          what === 'GET activities'
            ? await call('GET', `${target}/activities`, attacker.token)
            : what === 'POST activity'
              ? await call('POST', `${target}/activities`, attacker.token, { type: 'message', text: 'yes', from: { id: attacker.userId } })
              : await call('GET', target, attacker.token);
        assert.ok(answer.status === 403 || answer.status === 401 || answer.status === 404, `${what} answered ${answer.status}`);
        assert.doesNotMatch(JSON.stringify(answer.json ?? ''), /order 12345/);
      }),
      { numRuns: 30, seed: 5 },
    );
    // The victim's conversation is untouched: its confirmation is still pending.
    const reply = await victim.post({ type: 'message', text: 'yes', from: { id: victim.userId } });
    assert.equal(reply.status, 200);
  });
});
