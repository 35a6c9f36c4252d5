import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { createApp, type BotApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { readStorage } from '../../src/config/storage';
import { DEFAULT_COLLECTIONS } from '../../src/storage/mongo/indexes';
import { StorageReplies } from '../../src/storage/createStorageLayer';
import { BotClient } from '../support/botClient';
import { mongoTestEnvironment, uniqueDatabaseName, useMongoDatabase } from '../support/mongo';
import { type RunningMongoTestServer, startMongoTestServer } from '../support/mongoTestServer';
import { silentLogger } from '../support/testBot';

const BASE_ENV = { PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test', LOG_LEVEL: 'silent' };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function readiness(url: string): Promise<{ status: number; checks: Record<string, boolean> }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, checks: ((await response.json()) as { checks: Record<string, boolean> }).checks };
}

describe('Storage configuration', () => {
  it('should refuse production without MONGODB_URI and name the setting', () => {
    assert.throws(
      () => readStorage({ NODE_ENV: 'production' }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'CONFIG_INVALID');
        assert.match(error.message, /^MONGODB_URI: is required when NODE_ENV=production/);
        return true;
      },
    );
  });

  it('should use memory without MONGODB_URI outside production, with transcripts off', () => {
    const config = readStorage({});
    assert.equal(config.kind, 'memory');
    assert.equal(config.transcripts.enabled, false);
  });

  it('should switch everything to MongoDB when MONGODB_URI is set', () => {
    const config = readStorage({ MONGODB_URI: 'mongodb://db:27017', TRANSCRIPT_RETENTION_DAYS: '7' });
    assert.equal(config.kind, 'mongodb');
    assert.deepEqual(
      {
        db: config.mongodb?.dbName,
        timeout: config.mongodb?.connectTimeoutMs,
        transcripts: config.transcripts.enabled,
        days: config.transcripts.retentionDays,
      },
      { db: 'support_bot', timeout: 5000, transcripts: true, days: 7 },
    );
  });

  it('should reject malformed settings, naming them', () => {
    assert.throws(() => readStorage({ MONGODB_URI: 'http://db' }), /^ConfigError: MONGODB_URI/);
    assert.throws(() => readStorage({ MONGODB_URI: 'mongodb://db', MONGODB_DB: 'a/b' }), /MONGODB_DB/);
    assert.throws(() => readStorage({ TRANSCRIPT_RETENTION_DAYS: '-1' }), /TRANSCRIPT_RETENTION_DAYS/);
  });

  it('should give up on an unreachable MongoDB at start-up after the bounded wait, with a clear error', async () => {
    const port = await freePort();
    const config = loadConfig({ ...BASE_ENV, MONGODB_URI: `mongodb://user:secret@127.0.0.1:${port}`, MONGODB_CONNECT_TIMEOUT_MS: '500' });
    const started = Date.now();
    await assert.rejects(createApp(config, { logger: silentLogger }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'STORAGE_UNAVAILABLE');
      assert.match(error.message, /Cannot reach MongoDB at mongodb:\/\/\*\*\*@127\.0\.0\.1:\d+ within 500 ms/);
      assert.doesNotMatch(error.message, /secret/);
      return true;
    });
    assert.ok(Date.now() - started < 5000, 'the wait is bounded');
  });
});

describe('The bot on MongoDB', () => {
  const mongo = useMongoDatabase('app');
  let app: BotApp;
  let url: string;

  before(async () => {
    const config = loadConfig({ ...BASE_ENV, MONGODB_URI: mongo.uri, MONGODB_DB: mongo.db.databaseName });
    app = await createApp(config, { logger: silentLogger });
    url = (await app.listen()).url;
  });
  after(async () => {
    await app?.close();
  });

  it('should run a whole order conversation with state, leases and transcripts in MongoDB', async () => {
    const client = new BotClient(url);
    assert.equal((await client.say('I want to check on my order'))[0]?.text, 'What is your order ID?');
    assert.equal((await client.say('#98765'))[0]?.text, 'You asked about order 98765. Is that correct?');
    assert.match((await client.say('yes'))[0]?.text ?? '', /e-mail address or the postcode/);
    assert.match((await client.say('SW1A 1AA'))[0]?.text ?? '', /^Order 98765 is delivered/);

    const state = await mongo.db.collection(DEFAULT_COLLECTIONS.state).findOne({ _id: `emulator/conversations/${client.conversationId}/` as never });
    assert.ok(state, 'conversation state is in MongoDB');
    const transcript = await mongo.db.collection(DEFAULT_COLLECTIONS.transcripts).countDocuments({ conversationId: client.conversationId });
    assert.ok(transcript >= 6, `every incoming and outgoing activity is logged (got ${transcript})`);
  });

  it('should report storage readiness', async () => {
    assert.deepEqual(await readiness(url), { status: 200, checks: { recognizer: true, storage: true } });
  });
});

describe('The bot during a MongoDB outage', () => {
  let server: RunningMongoTestServer | undefined;
  let app: BotApp | undefined;
  let url: string;

  before(async function () {
    this.timeout(120_000);
    const env = await mongoTestEnvironment();
    if (!env.available || env.source !== 'mongo-java-server') {
      console.warn('  ⚠ Skipping the outage test: it needs the Java test server, which it stops and restarts.');
      this.skip();
    }
    server = await startMongoTestServer();
    const config = loadConfig({
      ...BASE_ENV,
      MONGODB_URI: server.uri,
      MONGODB_DB: uniqueDatabaseName('outage'),
      MONGODB_CONNECT_TIMEOUT_MS: '1000',
    });
    app = await createApp(config, { logger: silentLogger });
    url = (await app.listen()).url;
  });
  after(async () => {
    await app?.close();
    await server?.stop();
  });

  it('should answer politely while MongoDB is down, report not ready, and recover by itself', async function () {
    this.timeout(120_000);
    const client = new BotClient(url);
    assert.equal((await client.say('I want to check on my order'))[0]?.text, 'What is your order ID?');

    const port = server!.port;
    await server!.stop();
    const during = await client.say('#98765');
    assert.deepEqual(
      during.map((a) => a.text),
      [StorageReplies.unavailable],
    );
    assert.deepEqual(await readiness(url), { status: 503, checks: { recognizer: true, storage: false } });

    server = await startMongoTestServer(port);
    let ready = await readiness(url);
    for (let i = 0; i < 40 && ready.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      ready = await readiness(url);
    }
    assert.equal(ready.status, 200);
    // The in-memory test server lost its data with the restart, so the conversation starts over.
    assert.equal((await client.say('I want to check on my order'))[0]?.text, 'What is your order ID?');
  });
});
