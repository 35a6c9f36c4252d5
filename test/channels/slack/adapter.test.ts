import { strict as assert } from 'node:assert';
import { MessageFactory, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import pino from 'pino';
import { createApp, type BotApp } from '../../../src/app';
import { loadConfig } from '../../../src/config/config';
import { BotClient } from '../../support/botClient';
import { startSlackApiStub, type SlackApiStub } from '../../support/slackApiStub';
import { startSlackApp, TEAM, type SlackTestApp } from './support/slackTraffic';

describe('SlackAdapter: proactive messages, edits and deletions through the Web API stand-in', () => {
  let stub: SlackApiStub;
  let bot: SlackTestApp;

  before(async () => {
    stub = await startSlackApiStub();
    bot = await startSlackApp(stub);
  });
  after(async () => {
    await bot.close();
    await stub.stop();
  });
  afterEach(() => stub.reset());

  const reference = (conversationId: string): Partial<ConversationReference> => ({
    channelId: 'slack',
    serviceUrl: stub.url,
    conversation: { id: conversationId, isGroup: false, conversationType: 'channel', name: '' },
    user: { id: `${TEAM}:U1`, name: 'U1' },
    bot: { id: `${TEAM}:U0BOT`, name: 'bot' },
  });

  it('should post a proactive message into the thread named by a stored conversation reference', async () => {
    await bot.app.slack?.adapter.continueConversationAsync('', reference(`${TEAM}:C1:1700000000.000100`), async (context) => {
      await context.sendActivity('An agent has joined.');
    });

    const [posted] = stub.succeeded('chat.postMessage');
    assert.equal(posted?.params.channel, 'C1');
    assert.equal(posted?.params.thread_ts, '1700000000.000100');
    assert.equal(posted?.params.text, 'An agent has joined.');
  });

  it('should post a proactive DM at the top level, with suggested actions as buttons', async () => {
    await bot.app.slack?.adapter.continueConversationAsync('', reference(`${TEAM}:D1`), async (context) => {
      await context.sendActivity(MessageFactory.suggestedActions(['Yes', 'No'], 'Still there?'));
    });

    const [posted] = stub.succeeded('chat.postMessage');
    assert.equal(posted?.params.channel, 'D1');
    assert.equal(posted?.params.thread_ts, undefined);
    assert.equal((posted!.params.blocks as unknown[]).length, 2);
  });

  it('should edit and delete a message it sent, by its ts', async () => {
    await bot.app.slack?.adapter.continueConversationAsync('', reference(`${TEAM}:D2`), async (context) => {
      const sent = await context.sendActivity('Looking that up <now>…');
      const activity: Partial<Activity> = {
        ...TurnContext.applyConversationReference({ type: 'message', text: 'Found it & done.' }, TurnContext.getConversationReference(context.activity)),
        id: sent?.id,
      };
      await context.updateActivity(activity);
      await context.deleteActivity(sent?.id ?? '');
    });

    const ts = (stub.succeeded('chat.postMessage')[0]!.response as { ts: string }).ts;
    assert.deepEqual(
      stub.succeeded('chat.update').map((c) => [c.params.channel, c.params.ts, c.params.text]),
      [['D2', ts, 'Found it &amp; done.']],
    );
    assert.deepEqual(
      stub.succeeded('chat.delete').map((c) => [c.params.channel, c.params.ts]),
      [['D2', ts]],
    );
  });

  it('should refuse a reference that is not a Slack conversation', async () => {
    await assert.rejects(
      bot.app.slack!.adapter.continueConversationAsync('', reference('not-slack'), async () => undefined),
      /not a Slack conversation id/,
    );
  });
});

describe("Slack through Azure Bot Service's Slack channel (/api/messages, channelId slack)", () => {
  let app: BotApp;
  let baseUrl: string;

  before(async () => {
    app = await createApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test' }), { logger: pino({ level: 'silent' }) });
    baseUrl = (await app.listen()).url;
  });
  after(async () => {
    await app.close();
  });

  it('should reply with correct text, read past the bot mention, and offer choices as card buttons', async () => {
    const client = new BotClient(baseUrl, undefined, 'slack');

    const [confirm] = await client.say('<@U0AZUREBOT> where is my order 12345?');
    assert.equal(confirm?.text, 'You asked about order 12345. Is that correct?');
    assert.equal(confirm?.suggestedActions, undefined);
    const card = confirm?.attachments?.[0];
    assert.equal(card?.contentType, 'application/vnd.microsoft.card.hero');
    assert.deepEqual(
      (card!.content as { buttons: Array<{ type: string; title: string; value: string }> }).buttons.map((b) => [b.type, b.value]),
      [
        ['imBack', 'Yes'],
        ['imBack', 'No'],
      ],
    );
    assert.equal(confirm?.channelData, undefined, 'no native Slack payload on the Azure path');

    const [check] = await client.say('Yes');
    assert.match(check?.text ?? '', /e-mail address or the postcode/);
    const [status] = await client.say('alex.morgan@example.com');
    assert.match(status?.text ?? '', /^Order 12345 is in transit \(carrier: UPS\)/);
  });

  it('should leave other channels alone', async () => {
    const [confirm] = await new BotClient(baseUrl, undefined, 'emulator').say('where is my order 12345?');

    assert.deepEqual(
      confirm?.suggestedActions?.actions.map((a) => a.title),
      ['Yes', 'No'],
    );
    assert.equal(confirm?.attachments?.some((a) => a.contentType === 'application/vnd.microsoft.card.hero') ?? false, false);
  });
});
