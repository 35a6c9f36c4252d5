import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import { createApp, type BotApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/telemetry/logger';
import { BotClient } from '../support/botClient';
import { sendJson, startHttpStub, type HttpStub } from '../support/httpStub';
import { startSlackApiStub, type SlackApiStub } from '../support/slackApiStub';
import { startConnectorStub } from '../handoff/support/connectorStub';
import { HandoffApp, postedTicketIds, teachDeskCalls, ticketOfConversation } from '../handoff/support/handoffApp';
import { dm } from '../channels/slack/support/slackTraffic';

const SECRETS = {
  MicrosoftAppPassword: 'sEcReT-app-password-42',
  ORDERS_API_KEY: 'sEcReT-orders-key-42',
  SLACK_BOT_TOKEN: 'xoxb-sEcReT-bot-token-42',
  SLACK_SIGNING_SECRET: 'sEcReT-signing-secret-42',
  DIRECTLINE_SECRET: 'sEcReT-directline-secret-0123456789',
  METRICS_TOKEN: 'sEcReT-metrics-token-42',
  WEBCHAT_USER_TOKEN_SECRET: 'sEcReT-webchat-user-token-secret-0123456789',
};

/**
 * Runs traffic that touches every credential (orders API with its key, Slack with bad
 * signatures, Direct Line tokens, metrics with wrong tokens, a failing backend) with logging at
 * trace level, and checks that no secret value appears anywhere in the log output.
 */
describe('security: secrets never reach the logs', function () {
  this.timeout(60_000);
  const lines: string[] = [];
  let app: BotApp;
  let orders: HttpStub;
  let slack: SlackApiStub;
  let url: string;

  before(async () => {
    orders = await startHttpStub((req, res) => {
      if ((req.url ?? '').includes('/55555')) return sendJson(res, 500, { error: `backend echo of ${req.headers.authorization}` });
      if ((req.url ?? '').endsWith('/verify')) return sendJson(res, 200, { match: true });
      sendJson(res, 200, { id: '12345', status: 'shipped' });
    });
    slack = await startSlackApiStub();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      MicrosoftAppId: '',
      ...SECRETS,
      MicrosoftAppPassword: '',
      ORDERS_API_URL: orders.url,
      ORDERS_API_RETRIES: '0',
      SLACK_API_URL: slack.url,
      SLACK_POST_INTERVAL_MS: '0',
    });
    app = await createApp(config, { logger: createLogger({ level: 'trace', destination: sink }) });
    url = (await app.listen()).url;
  });
  after(async () => {
    await app?.close();
    await orders?.close();
    await slack?.stop();
  });

  it('should keep every secret out of trace-level logs', async () => {
    const client = new BotClient(url);
    await client.say('where is my order 12345');
    await client.say('yes');
    await client.say('alex.morgan@example.com');
    await client.say('where is my order 55555');
    await client.say('yes');
    await client.say('sam.lee@example.org');
    await fetch(`${url}/api/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-slack-signature': `v0=${SECRETS.SLACK_SIGNING_SECRET}`,
        'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
      },
      body: '{}',
    });
    await fetch(`${url}/metrics`, { headers: { authorization: `Bearer wrong-${SECRETS.METRICS_TOKEN}` } });
    await fetch(`${url}/v3/directline/tokens/generate`, { method: 'POST', headers: { authorization: `Bearer ${SECRETS.DIRECTLINE_SECRET}` } });
    await fetch(`${url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${SECRETS.DIRECTLINE_SECRET}x` } });
    await fetch(`${url}/api/directline/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userToken: `${SECRETS.WEBCHAT_USER_TOKEN_SECRET}.x.y` }),
    });
    // Closing drains the turns and background work and writes the shutdown lines: after it, every
    // line this traffic causes is in the log (the sink is written synchronously).
    await app.close();

    const log = lines.join('');
    assert.ok(log.length > 1000, 'the traffic produced logs to inspect');
    assert.ok(/order backend|ORDER_BACKEND/.test(log), 'the failing backend was logged');
    for (const [name, value] of Object.entries(SECRETS)) {
      assert.ok(!log.includes(value), `${name} appears in the logs`);
    }
  });
});

/**
 * Issue 13: with LOG_LEVEL=debug during a handoff, the Slack SDKs logged whole request bodies
 * (`http request body: {...}` with the customer's text and e-mail address) and Bolt dumped every
 * incoming event. Nothing the customer or the agent wrote may reach the log, at debug or trace.
 */
describe('security: personal data never reaches the logs, at debug level, during a handoff', function () {
  this.timeout(60_000);
  const EMAIL = 'jane.doe.4711@example.com';
  const CUSTOMER_TEXT = 'my parcel with the blue teapot never arrived';
  const AGENT_TEXT = 'sorry Jane, resending the blue teapot today';

  for (const level of ['debug', 'trace'] as const) {
    it(`should keep customer and agent text and e-mail addresses out of ${level}-level logs`, async () => {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          lines.push(chunk.toString('utf8'));
          callback();
        },
      });
      const stub = await startSlackApiStub();
      teachDeskCalls(stub);
      const connector = await startConnectorStub();
      const bot = await HandoffApp.start(stub, { LOG_LEVEL: level }, { logger: createLogger({ level, destination: sink }) });
      try {
        // An Emulator customer and a Slack customer, each in a handoff with an agent.
        const customer = bot.customer(connector.url);
        await customer.say(`talk to a person, write to ${EMAIL}`);
        const ticket = await ticketOfConversation(bot.desk, customer.conversationId, postedTicketIds(stub));
        await bot.clickTicket(ticket.id, 'Claim', 'UALICE');
        await customer.say(`${CUSTOMER_TEXT}; ${EMAIL}`);
        await bot.replyInThread(ticket, 'UALICE', AGENT_TEXT);
        await connector.waitFor((p) => p.conversationId === customer.conversationId && p.activity.text === AGENT_TEXT);
        await bot.sender.event(dm('UCUST', 'DCUST', `${CUSTOMER_TEXT} ${EMAIL}`));
        await bot.idle();
      } finally {
        await bot.close();
        await connector.stop();
        await stub.stop();
      }
      const log = lines.join('');
      assert.ok(/slack-sdk/.test(log) && /http request body/.test(log), 'the Slack clients logged their requests');
      for (const secret of [EMAIL, CUSTOMER_TEXT, AGENT_TEXT, 'blue teapot']) {
        assert.ok(
          !log.includes(secret),
          `"${secret}" appears in the ${level} logs:\n${lines
            .filter((l) => l.includes(secret))
            .slice(0, 3)
            .join('')}`,
        );
      }
    });
  }
});
