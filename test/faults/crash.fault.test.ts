import { strict as assert } from 'node:assert';
import type http from 'node:http';
import path from 'node:path';
import { BotClient } from '../support/botClient';
import { spawnBotProcess, type BotProcess } from '../support/botProcess';
import { sendJson, startHttpStub, type HttpStub } from '../support/httpStub';
import { mongoTestEnvironment, uniqueDatabaseName } from '../support/mongo';
import { waitFor } from '../support/waitFor';

/**
 * The bot process is SIGKILLed while a turn is in flight (holding the conversation lease and
 * waiting on the orders API). A new process on the same database must take the conversation
 * over once the dead owner's lease expires, and the customer's retried message must produce
 * exactly one answer.
 */
describe('fault injection: the bot is SIGKILLed mid-turn', function () {
  this.timeout(180_000);
  let orders: HttpStub;
  const held: http.ServerResponse[] = [];
  let holding = true;
  let bot: BotProcess | undefined;
  let env: Record<string, string>;

  before(async function () {
    const mongo = await mongoTestEnvironment();
    if (!mongo.available) {
      console.warn(`  ⚠ Skipping: no MongoDB (${mongo.reason})`);
      this.skip();
    }
    orders = await startHttpStub((req, res) => {
      // The order check (POST .../verify) passes; the lookup after it is the call held in flight.
      if (req.method === 'POST' && (req.url ?? '').endsWith('/verify')) return sendJson(res, 200, { match: true });
      const id = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
      if (holding) held.push(res);
      else sendJson(res, 200, { id, status: 'shipped', eta: '2026-11-28', carrier: 'DHL', trackingUrl: null });
    });
    env = {
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      MONGODB_URI: mongo.uri,
      MONGODB_DB: uniqueDatabaseName('crash'),
      ORDERS_API_URL: orders.url,
      ORDERS_API_TIMEOUT_MS: '30000',
      CONVERSATION_LEASE_TTL_MS: '2000',
    };
  });
  after(async () => {
    await bot?.kill('SIGKILL');
    for (const res of held) res.destroy();
    await orders?.close();
  });

  it('should answer the retried message exactly once after a restart', async () => {
    const script = path.join('src', 'index.ts');
    bot = await spawnBotProcess(script, env);
    const conversationId = `crash-${Date.now()}`;
    const first = new BotClient(bot.url, conversationId);
    assert.equal((await first.say('where is my order 77777'))[0]?.text, 'You asked about order 77777. Is that correct?');

    assert.match((await first.say('yes'))[0]?.text ?? '', /e-mail address or the postcode/);

    const inFlight = first.say('customer@example.com').then(
      () => 'answered',
      () => 'connection lost',
    );
    await waitFor(() => held.length > 0, { timeoutMs: 5_000, what: 'the turn reached the orders API' });
    assert.equal(held.length, 1, 'the turn reached the orders API once');
    await bot.kill('SIGKILL');
    assert.equal(await inFlight, 'connection lost');

    holding = false;
    bot = await spawnBotProcess(script, env);
    const retry = new BotClient(bot.url, conversationId);
    const replies = await retry.say('customer@example.com');
    const statuses = replies.filter((r) => /^Order 77777 is shipped/.test(r.text ?? ''));
    assert.equal(statuses.length, 1, JSON.stringify(replies.map((r) => r.text)));
    assert.match((await retry.say('hi'))[0]?.text ?? '', /order assistant/);
  });
});
