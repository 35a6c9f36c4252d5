import { strict as assert } from 'node:assert';
import { startSlackApiStub, type SlackApiStub } from '../support/slackApiStub';
import { DirectLineTestClient } from '../channels/directline/DirectLineTestClient';
import { startConnectorStub, type ConnectorStub } from './support/connectorStub';
import { HandoffApp, postedTicketIds, teachDeskCalls } from './support/handoffApp';

describe('Handoff on every channel: Web Chat (self-hosted Direct Line) and Teams', function () {
  this.timeout(30_000);
  let stub: SlackApiStub;
  let connector: ConnectorStub;
  let bot: HandoffApp;

  before(async () => {
    stub = await startSlackApiStub();
    teachDeskCalls(stub);
    connector = await startConnectorStub();
    bot = await HandoffApp.start(stub, { DIRECTLINE_ENABLED: 'true' });
  });
  after(async () => {
    await bot?.close();
    await connector?.stop();
    await stub?.stop();
  });

  it('should relay both ways with a Web Chat customer on the self-hosted Direct Line', async () => {
    const webchat = await DirectLineTestClient.start(bot.url);
    await webchat.connect();
    try {
      await webchat.say('talk to a person');
      await webchat.waitFor((a) => a.from?.role === 'bot' && /in the queue/.test(a.text ?? ''));
      const ticketId = postedTicketIds(stub).at(-1) as string;
      assert.match(JSON.stringify(bot.ticketPost(ticketId).params.blocks), /Web Chat \(Direct Line\)/);

      await bot.clickTicket(ticketId, 'Claim', 'UALICE');
      await webchat.waitFor((a) => a.text === "You're now chatting with Alice.");

      const ticket = await bot.desk.store.get(ticketId);
      const botMessagesBefore = webchat.botMessages().length;
      await webchat.say('is my order lost?');
      await bot.idle();
      assert.ok(bot.threadTexts(ticket!).some((t) => t.endsWith('is my order lost?')));

      await bot.replyInThread(ticket!, 'UALICE', 'No, it is on its way.');
      await webchat.waitFor((a) => a.text === 'No, it is on its way.');
      assert.deepEqual(
        webchat
          .botMessages()
          .slice(botMessagesBefore)
          .map((a) => a.text),
        ['No, it is on its way.'],
        'the bot stayed out',
      );
    } finally {
      webchat.close();
    }
  });

  it('should relay agent replies to a Teams customer through the channel connector', async () => {
    const teams = bot.customer(connector.url, undefined, 'msteams');
    await teams.say('talk to a person');
    const ticketId = postedTicketIds(stub).at(-1) as string;
    assert.match(JSON.stringify(bot.ticketPost(ticketId).params.blocks), /Microsoft Teams/);
    await bot.clickTicket(ticketId, 'Claim', 'UBOB');
    const ticket = await bot.desk.store.get(ticketId);
    await bot.replyInThread(ticket!, 'UBOB', 'Hello from Bob');
    await connector.waitFor((p) => p.conversationId === teams.conversationId && p.activity.text === 'Hello from Bob');
    assert.deepEqual(
      connector.messagesTo(teams.conversationId).map((a) => a.text),
      ["You're now chatting with Bob.", 'Hello from Bob'],
    );
    // Teams shows nothing for event activities, so no handoff.status goes there.
    assert.equal(connector.posts.filter((p) => p.conversationId === teams.conversationId && p.activity.type === 'event').length, 0);
  });
});
