import { strict as assert } from 'node:assert';
import { NullTelemetryClient } from 'botbuilder-core';
import { createApp, type BotApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createObservability } from '../../src/telemetry/observability';
import { BotClient } from '../support/botClient';
import { silentLogger } from '../support/testBot';
import { startIngestionStub, type IngestionStub } from './ingestionStub';

async function startBot(stub: IngestionStub, env: Record<string, string> = {}): Promise<{ app: BotApp; url: string }> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test', APPLICATIONINSIGHTS_CONNECTION_STRING: stub.connectionString, ...env });
  const app = await createApp(config, { logger: silentLogger, telemetry: { exporterOptions: { tlsOptions: { ca: stub.ca } } } });
  return { app, url: (await app.listen()).url };
}

async function orderConversation(url: string): Promise<BotClient> {
  const client = new BotClient(url);
  await client.say('hi');
  await client.say('where is my order 12345?');
  await client.say('yes');
  await client.say('alex.morgan@example.com');
  await client.say('👍 Yes');
  return client;
}

describe('Application Insights telemetry (3.x client against a local ingestion stand-in)', function () {
  this.timeout(30_000);
  let stub: IngestionStub;

  beforeEach(async () => {
    stub = await startIngestionStub();
  });
  afterEach(async () => {
    await stub.close();
  });

  it('should send activity, dialog, recognizer and conversation events to the ingestion endpoint', async () => {
    const { app, url } = await startBot(stub);
    try {
      await orderConversation(url);

      await app.observability.telemetry.flush();

      const names = new Set(stub.events().map((e) => e.name));
      for (const expected of [
        'BotMessageReceived',
        'BotMessageSend',
        'LocalRecognizerResult',
        'WaterfallStart',
        'WaterfallStep',
        'WaterfallComplete',
        'form.started',
        'form.confirmed',
        'form.status_delivered',
        'feedback.asked',
        'feedback',
      ]) {
        assert.ok(names.has(expected), `no "${expected}" event among ${[...names].join(', ')}`);
      }
      const sentTypes = new Set(
        stub
          .events()
          .filter((e) => e.name === 'BotMessageSend')
          .map((e) => e.properties.type),
      );
      assert.deepEqual([...sentTypes], ['message'], 'typing indicators and traces are not reported as sends');
      const feedback = stub.events().find((e) => e.name === 'feedback');
      assert.equal(feedback?.properties.helpful, 'true');
      assert.equal(feedback?.properties.channelId, 'emulator');
    } finally {
      await app.close();
    }
  });

  it('should keep customer text, names and raw user ids out of telemetry by default', async () => {
    const { app, url } = await startBot(stub);
    let client: BotClient;
    try {
      client = await orderConversation(url);
      await app.observability.telemetry.flush();
    } finally {
      await app.close();
    }

    const sent = JSON.stringify(stub.envelopes);
    assert.ok(!sent.includes('where is my order'), 'customer text was sent');
    assert.ok(!sent.includes('Test customer'), 'customer name was sent');
    assert.ok(!sent.includes(`user-${client.conversationId}`), 'raw user id was sent');
    const received = stub.events().find((e) => e.name === 'BotMessageReceived');
    assert.match(received?.properties.fromId ?? '', /^h:[0-9a-f]{16}$/);
    const recognized = stub.events().find((e) => e.name === 'LocalRecognizerResult' && e.properties.TopIntent === 'ask_order_status');
    assert.equal(recognized?.properties.Text, undefined);
    assert.equal(recognized?.properties.Entities, '["order_id"]');
  });

  it('should include personal data when LOG_PERSONAL_DATA is on', async () => {
    const { app, url } = await startBot(stub, { LOG_PERSONAL_DATA: 'true' });
    try {
      await orderConversation(url);
      await app.observability.telemetry.flush();
    } finally {
      await app.close();
    }

    const received = stub
      .events()
      .filter((e) => e.name === 'BotMessageReceived')
      .map((e) => e.properties.text);
    assert.ok(received.includes('where is my order 12345?'), JSON.stringify(received));
  });

  it('should leave out whole conversations outside the sample', async () => {
    const { app, url } = await startBot(stub, { TELEMETRY_SAMPLING_PERCENTAGE: '0' });
    try {
      await orderConversation(url);
      await app.observability.telemetry.flush();
    } finally {
      await app.close();
    }

    assert.deepEqual(stub.events(), []);
  });

  it('should flush on close, so events of the last turns are not lost', async () => {
    const { app, url } = await startBot(stub);
    await new BotClient(url).say('hi');

    await app.close();

    assert.ok(stub.events().some((e) => e.name === 'BotMessageReceived'));
  });
});

describe('telemetry switched off', () => {
  it('should use a no-op client and no activity telemetry middleware without a connection string', () => {
    const config = loadConfig({ NODE_ENV: 'test' });

    const observability = createObservability(config.telemetry, silentLogger);

    assert.ok(observability.telemetry instanceof NullTelemetryClient);
    assert.equal(observability.middleware.length, 1);
  });

  it('should refuse a malformed connection string at start-up, naming the setting', () => {
    assert.throws(
      () => loadConfig({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'not-a-connection-string' }),
      /APPLICATIONINSIGHTS_CONNECTION_STRING: expected "InstrumentationKey=/,
    );
  });
});
