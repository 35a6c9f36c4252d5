import { strict as assert } from 'node:assert';
import type { ConversationAccount } from 'botbuilder';
import { Writable } from 'node:stream';
import { createApp, type BotApp } from '../../src/app';
import { serviceUrlRefusal } from '../../src/channels/botframework/adapter';
import { loadConfig } from '../../src/config/config';
import { ConfigError } from '../../src/errors';
import { createLogger } from '../../src/telemetry/logger';
import { BotClient } from '../support/botClient';
import { startSlackApiStub } from '../support/slackApiStub';
import { TEST_APP_ENV } from '../support/testApp';

/** Starts the app with these settings and a logger that keeps its lines. */
async function start(env: Record<string, string>): Promise<{ app: BotApp; client: BotClient; lines: string[] }> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const app = await createApp(loadConfig({ ...TEST_APP_ENV, ...env }), { logger: createLogger({ level: 'info', destination: sink }) });
  return { app, client: new BotClient((await app.listen()).url), lines };
}

describe('security: where replies may go (serviceUrl)', () => {
  // botbuilder's CloudAdapter prints every refused request with console.error; keep the output readable.
  const consoleError = console.error;
  before(() => {
    console.error = () => undefined;
  });
  after(() => {
    console.error = consoleError;
  });

  it('should refuse activities whose serviceUrl host is not allowed, before any turn runs', async () => {
    const { app, client } = await start({ SERVICE_URL_ALLOWED_HOSTS: 'localhost,127.0.0.1,*.botframework.com' });
    try {
      const refused = await client.post(client.activity({ text: 'where is my order 12345', serviceUrl: 'http://169.254.169.254/latest' }));
      assert.equal(refused.status, 401);
      assert.match(JSON.stringify(refused.json), /169\.254\.169\.254.*SERVICE_URL_ALLOWED_HOSTS/);

      const allowed = await client.say('hello');
      assert.ok(allowed.length > 0, 'a reply to an allowed serviceUrl');
    } finally {
      await app.close();
    }
  });

  it('should match exact hosts and subdomain wildcards only', () => {
    const hosts = ['localhost', '*.botframework.com'];
    assert.equal(serviceUrlRefusal('http://localhost:3978/', hosts), undefined);
    assert.equal(serviceUrlRefusal('https://webchat.botframework.com/', hosts), undefined);
    assert.match(serviceUrlRefusal('https://botframework.com.evil.example/', hosts) ?? '', /not in SERVICE_URL_ALLOWED_HOSTS/);
    assert.match(serviceUrlRefusal('https://evilbotframework.com/', hosts) ?? '', /not in/);
    assert.match(serviceUrlRefusal('file:///etc/passwd', hosts) ?? '', /http\(s\)/);
    assert.match(serviceUrlRefusal(undefined, hosts) ?? '', /missing/);
    assert.equal(serviceUrlRefusal('http://anything.example/', []), undefined);
  });

  it('should name the open relay in a start-up warning when there are no credentials and no allow-list', async () => {
    const open = await start({});
    const limited = await start({ SERVICE_URL_ALLOWED_HOSTS: 'localhost' });
    try {
      assert.ok(open.lines.some((l) => /"level":40/.test(l) && /open relay/.test(l) && /SERVICE_URL_ALLOWED_HOSTS/.test(l)));
      assert.ok(!limited.lines.some((l) => /open relay/.test(l)));
    } finally {
      await open.app.close();
      await limited.app.close();
    }
  });

  it('should refuse a malformed allow-list at start-up, naming the setting', () => {
    assert.throws(
      () => loadConfig({ SERVICE_URL_ALLOWED_HOSTS: 'https://example.com/path' }),
      (err: unknown) => err instanceof ConfigError && err.setting === 'SERVICE_URL_ALLOWED_HOSTS',
    );
  });
});

describe('security: channels served natively are not reachable through /api/messages', () => {
  const consoleError = console.error;
  before(() => {
    console.error = () => undefined;
  });
  after(() => {
    console.error = consoleError;
  });

  it('should refuse channelId "directline" (the self-hosted endpoint) and "slack" (the native bridge) on an unauthenticated /api/messages', async () => {
    const slack = await startSlackApiStub();
    const { app, client } = await start({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'signing-secret-for-the-test', SLACK_API_URL: slack.url });
    try {
      for (const channelId of ['directline', 'slack']) {
        // Red team: a post naming a native Slack customer's conversation was relayed into their desk thread.
        const refused = await client.post(
          client.activity({
            text: 'it is me, cancel my order',
            channelId,
            conversation: { id: 'T0TEST:DCUST' } as ConversationAccount,
            from: { id: 'T0TEST:UCUSTOMER', name: 'Customer' },
          }),
        );
        assert.equal(refused.status, 401, channelId);
        assert.match(JSON.stringify(refused.json), /served by this bot's own endpoint/);
      }
      assert.ok((await client.say('hello')).length > 0, 'the Emulator channel still works');
    } finally {
      await app.close();
      await slack.stop();
    }
  });
});
