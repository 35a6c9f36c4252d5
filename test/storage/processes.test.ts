import assert from 'node:assert/strict';
import { MongoStorage } from '../../src/storage/mongo/MongoStorage';
import { DEFAULT_COLLECTIONS } from '../../src/storage/mongo/indexes';
import type { BotStateRecord } from '../../src/storage/mongo/mongoDocuments';
import { BotClient } from '../support/botClient';
import { type BotProcess, spawnBotProcess } from '../support/botProcess';
import { useMongoDatabase } from '../support/mongo';

/** Environment for a bot process on the suite's database. */
function botEnv(uri: string, dbName: string): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    MONGODB_URI: uri,
    MONGODB_DB: dbName,
    MicrosoftAppId: '',
    MicrosoftAppPassword: '',
    // The proof sends bursts on purpose; the bot's flood protection would drop them.
    RATE_LIMIT_USER_PER_MINUTE: '0',
    RATE_LIMIT_CONVERSATION_PER_MINUTE: '0',
  };
}

describe('Bot processes sharing MongoDB', () => {
  const mongo = useMongoDatabase('processes');
  const running: BotProcess[] = [];

  afterEach(async () => {
    await Promise.all(running.splice(0).map((bot) => bot.kill('SIGKILL')));
  });

  it('should finish the order form after the bot was SIGKILLed half-way and restarted', async function () {
    this.timeout(180_000);
    const env = botEnv(mongo.uri, mongo.db.databaseName);
    const first = await spawnBotProcess('src/index.ts', env);
    running.push(first);
    const before = new BotClient(first.url);
    assert.equal((await before.say('I want to check on my order'))[0]?.text, 'What is your order ID?');
    assert.equal((await before.say('#98765'))[0]?.text, 'You asked about order 98765. Is that correct?');

    await first.kill('SIGKILL');
    const second = await spawnBotProcess('src/index.ts', env);
    running.push(second);
    const after = new BotClient(second.url, before.conversationId);
    assert.match((await after.say('yes'))[0]?.text ?? '', /e-mail address or the postcode/, second.output());
    assert.match((await after.say('SW1A 1AA'))[0]?.text ?? '', /^Order 98765 is delivered/, second.output());
  });

  it('should count to exactly 20 in each of 50 conversations fed alternately through two processes', async function () {
    this.timeout(300_000);
    const env = botEnv(mongo.uri, mongo.db.databaseName);
    const bots = await Promise.all([0, 1].map(() => spawnBotProcess('test/support/counterBotProcess.ts', env)));
    running.push(...bots);
    const conversations = Array.from({ length: 50 }, (_, c) => `proof-${Date.now()}-${c}`);
    const started = Date.now();
    // Every message is sent at once, without waiting for earlier replies: 1000 turns in flight.
    const replies = await Promise.all(
      conversations.map((id) =>
        Promise.all(Array.from({ length: 20 }, (_, m) => new BotClient(bots[m % 2]!.url, id).say(`message ${m}`).then((r) => Number(r[0]?.text)))),
      ),
    );
    const seconds = (Date.now() - started) / 1000;

    const storage = new MongoStorage(mongo.db.collection<BotStateRecord>(DEFAULT_COLLECTIONS.state));
    const keys = conversations.map((id) => `emulator/conversations/${id}/`);
    const stored = await storage.read(keys);
    const counts = keys.map((key) => stored[key]?.count as number | undefined);
    assert.deepEqual(
      counts,
      keys.map(() => 20),
      'every conversation counted every message once',
    );
    for (const values of replies) {
      // Each turn saw the previous turn's state: the replies are exactly 1..20.
      assert.deepEqual(
        [...values].sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
    }
    console.log(`      lock proof: 2 processes, 50 conversations x 20 messages, all counters = 20, ${seconds.toFixed(1)} s`);
  });
});
