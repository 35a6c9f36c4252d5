import { strict as assert } from 'node:assert';
import { createApp, type BotApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { DirectLineTestClient } from '../channels/directline/DirectLineTestClient';
import { BotClient } from '../support/botClient';
import { useMongoDatabase } from '../support/mongo';
import { startTestApp } from '../support/testApp';
import { silentLogger } from '../support/testBot';

const SECRET = 'shared-limits-secret-'.padEnd(44, 'q');

/**
 * Rate limits across two app instances on one MongoDB (the wire test server): the counters live
 * in the shared `rate_limits` collection, so N instances do not mean N times the limit. Before
 * the change each instance counted on its own.
 */
describe('security: rate limits hold across two instances sharing MongoDB', function () {
  this.timeout(60_000);
  const mongo = useMongoDatabase('ratelimits');
  let first: BotApp;
  let second: BotApp;
  let urls: string[];

  before(async () => {
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      DIRECTLINE_SECRET: SECRET,
      MONGODB_URI: mongo.uri,
      MONGODB_DB: mongo.db.databaseName,
      RATE_LIMIT_USER_PER_MINUTE: '6',
      RATE_LIMIT_CONVERSATION_PER_MINUTE: '0',
      WEBCHAT_SESSIONS_PER_ADDRESS_PER_MINUTE: '10',
    };
    first = await createApp(loadConfig(env), { logger: silentLogger });
    second = await createApp(loadConfig(env), { logger: silentLogger });
    urls = [(await first.listen()).url, (await second.listen()).url];
  });
  after(async () => {
    await first?.close();
    await second?.close();
  });

  it('should grant one address WEBCHAT_SESSIONS_PER_ADDRESS_PER_MINUTE tokens in all, not per instance', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const response = await fetch(`${urls[i % 2]}/api/directline/token`, { method: 'POST' });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    assert.equal(statuses.filter((s) => s === 200).length, 10, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 429).length, 30);
    const anotherStart = await DirectLineTestClient.start(urls[1] as string).catch((err: Error) => err.message);
    assert.match(String(anotherStart), /429/, "instance B refuses too, having seen A's tokens");
  });

  it('should answer one user RATE_LIMIT_USER_PER_MINUTE messages in all when turns alternate between the instances', async () => {
    const conversationId = `shared-user-${Date.now()}`;
    const clients = urls.map((url) => new BotClient(url, conversationId));
    let answered = 0;
    let warnings = 0;
    for (let i = 0; i < 16; i++) {
      const replies = await (clients[i % 2] as BotClient).say('help');
      if (replies.some((r) => /faster than I can read/.test(r.text ?? ''))) warnings++;
      else if (replies.length > 0) answered++;
    }
    assert.equal(answered, 6, `answered ${answered} of 16 (${warnings} warnings)`);
    assert.equal(warnings, 1, 'one polite warning across both instances');
  });
});

describe('security: dropped messages are not stored', function () {
  this.timeout(60_000);
  const mongo = useMongoDatabase('dropped-not-stored');

  it('should neither transcribe nor run a message the rate limiter drops', async () => {
    const running = await startTestApp({
      MONGODB_URI: mongo.uri,
      MONGODB_DB: mongo.db.databaseName,
      TRANSCRIPTS_ENABLED: 'true',
      RATE_LIMIT_USER_PER_MINUTE: '2',
    });
    const replies: string[] = [];
    try {
      const client = new BotClient(running.url);
      for (let i = 0; i < 6; i++) replies.push(...(await client.say(`hello number ${i}`)).map((a) => a.text ?? ''));
    } finally {
      // Closing waits for the transcript writes the turns started.
      await running.app.close();
    }
    assert.equal(replies.filter((t) => /faster than I can read/.test(t)).length, 1, 'one polite warning');
    const stored = (await mongo.db.collection('transcripts').find({}).toArray()).map((d) => JSON.stringify(d)).filter((t) => /hello number/.test(t));
    assert.equal(stored.length, 2, 'only the two allowed messages were stored');
  });
});
