import { strict as assert } from 'node:assert';
import { startSlackApiStub, type SlackApiStub } from '../support/slackApiStub';
import { channelMessage, dm } from '../channels/slack/support/slackTraffic';
import { startConnectorStub, type ConnectorStub } from './support/connectorStub';
import { DESK, HandoffApp, postedTicketIds, teachDeskCalls, ticketOfConversation } from './support/handoffApp';

type Block = { type: string; text?: { text: string }; fields?: Array<{ text: string }>; elements?: Array<{ text: { text: string } | string }> };

describe('Handoff end to end: customers on /api/messages and Slack, agents in a Slack channel', function () {
  this.timeout(30_000);
  let stub: SlackApiStub;
  let connector: ConnectorStub;
  let bot: HandoffApp;

  before(async () => {
    stub = await startSlackApiStub();
    teachDeskCalls(stub);
    connector = await startConnectorStub();
    bot = await HandoffApp.start(stub);
  });
  after(async () => {
    await bot?.close();
    await connector?.stop();
    await stub?.stop();
  });

  const latestTicket = async (conversationId: string) => ticketOfConversation(bot.desk, conversationId, postedTicketIds(stub));

  it('should ration new tickets per conversation so one visitor cannot flood the desk (HANDOFF_REQUESTS_PER_CONVERSATION_PER_HOUR)', async () => {
    const customer = bot.customer(connector.url);
    const ticketsBefore = postedTicketIds(stub).length;
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) {
      answers.push(...(await customer.say('talk to a person')).filter((a) => a.type === 'message').map((a) => a.text ?? ''));
      await customer.say('cancel');
    }
    assert.equal(postedTicketIds(stub).length - ticketsBefore, 3, 'three tickets reached the desk');
    assert.equal(answers.filter((t) => /can't open another one right now/.test(t)).length, 2);
  });

  it('should run the whole flow for an Emulator customer: queue, claim, two-way relay, notes, resolve, rating, back to the bot', async () => {
    const customer = bot.customer(connector.url);
    await customer.say('where is my order 12345?');
    await customer.say('yes');
    await customer.say('alex.morgan@example.com'); // the order check: the ticket may now name the order
    const queued = await customer.say('talk to a person');
    assert.equal(queued.find((a) => a.type === 'event')?.name, 'handoff.initiate');
    const queuedText = queued.find((a) => a.type === 'message');
    assert.match(queuedText?.text ?? '', /number 1 in the queue/);

    // The ticket in the agents' channel: customer, channel, intent, order, transcript, buttons.
    const ticket = await latestTicket(customer.conversationId);
    const blocks = bot.ticketPost(ticket.id).params.blocks as Block[];
    const allText = JSON.stringify(blocks);
    assert.match(allText, /Bot Framework Emulator/);
    assert.match(allText, /\*Order ID\*\\n12345/);
    assert.match(allText, /\*Verified\*\\nyes: e-mail or postcode on the order/);
    assert.match(allText, /\*Intent\*\\nask_order_status/);
    assert.match(allText, /where is my order 12345\?/);
    const buttons = blocks
      .filter((b) => b.type === 'actions')
      .flatMap((b) => (b.elements ?? []).map((e) => (typeof e.text === 'string' ? e.text : e.text.text)));
    assert.deepEqual(buttons, ['Claim', 'Resolve']);

    await bot.clickTicket(ticket.id, 'Claim', 'UALICE');
    const claimed = await connector.waitFor((p) => p.conversationId === customer.conversationId && p.activity.type === 'message');
    assert.equal(claimed[0]?.activity.text, "You're now chatting with Alice.");
    const status = connector.posts.find((p) => p.conversationId === customer.conversationId && p.activity.name === 'handoff.status');
    assert.deepEqual((status!.activity.value as { state: string }).state, 'accepted');

    // Customer → thread, without the bot answering.
    assert.deepEqual(await customer.texts('my parcel arrived wet'), []);
    assert.ok(bot.threadTexts(ticket).some((t) => t.endsWith('my parcel arrived wet')));

    // Owner → customer; another agent's reply is an internal note.
    await bot.replyInThread(ticket, 'UALICE', 'Sorry to hear that &amp; I will send a new one');
    await bot.replyInThread(ticket, 'UBOB', 'note: courier had a flood');
    await connector.waitFor((p) => p.conversationId === customer.conversationId && p.activity.type === 'message', 2);
    assert.deepEqual(
      connector.messagesTo(customer.conversationId).map((a) => a.text),
      ["You're now chatting with Alice.", 'Sorry to hear that & I will send a new one'],
    );

    await bot.clickTicket(ticket.id, 'Resolve', 'UALICE');
    const [, , rating] = await connector.waitFor((p) => p.conversationId === customer.conversationId && p.activity.type === 'message', 3);
    assert.match(rating?.activity.text ?? '', /Alice has closed this chat/);
    assert.deepEqual(
      rating?.activity.suggestedActions?.actions.map((a) => a.title),
      ['Great', 'OK', 'Poor'],
    );

    const ratingTurn = await customer.say('Great');
    assert.match(ratingTurn.find((a) => a.type === 'message')?.text ?? '', /Thanks for your feedback/);
    // The rating also reaches analytics as a conversation event in the transcript.
    assert.deepEqual(ratingTurn.find((a) => a.type === 'trace')?.value, { name: 'satisfaction', rating: 3, scale: 3 });
    const done = await bot.desk.store.get(ticket.id);
    assert.equal(done?.state, 'resolved');
    assert.equal(done?.rating?.label, 'Great');
    const lastUpdate = stub
      .succeeded('chat.update')
      .filter((c) => c.params.ts === ticket.thread?.ts)
      .at(-1);
    assert.match(JSON.stringify(lastUpdate?.params.blocks), /Resolved by Alice.*customer rating: \*Great\*/);

    assert.equal((await customer.texts('where is my order 98765'))[0], 'You asked about order 98765. Is that correct?');
  });

  it('should give a ticket to exactly one of two agents clicking Claim at once, and tell the other privately', async () => {
    const customer = bot.customer(connector.url);
    await customer.say('talk to a person');
    const ticket = await latestTicket(customer.conversationId);
    await Promise.all([bot.clickTicket(ticket.id, 'Claim', 'UALICE'), bot.clickTicket(ticket.id, 'Claim', 'UBOB')]);
    await bot.idle();
    const owner = (await bot.desk.store.get(ticket.id))?.agent;
    assert.ok(owner);
    const greetings = connector.messagesTo(customer.conversationId).filter((a) => /now chatting with/.test(a.text ?? ''));
    assert.deepEqual(
      greetings.map((a) => a.text),
      [`You're now chatting with ${owner.name}.`],
    );
    const ephemeral = stub.succeeded('chat.postEphemeral').filter((c) => c.params.thread_ts === ticket.thread?.ts);
    assert.equal(ephemeral.length, 1);
    assert.equal(ephemeral[0]?.params.user, owner.id === 'UALICE' ? 'UBOB' : 'UALICE');
    assert.equal(ephemeral[0]?.params.text, `Ticket ${ticket.id} is already claimed by ${owner.name}.`);
  });

  it('should relay a Slack retry of an agent reply only once', async () => {
    const customer = bot.customer(connector.url);
    await customer.say('talk to a person');
    const ticket = await latestTicket(customer.conversationId);
    await bot.clickTicket(ticket.id, 'Claim', 'UALICE');
    const delivery = channelMessage('UALICE', DESK, 'only once please', { thread_ts: ticket.thread?.ts });
    await bot.sender.event(delivery);
    // Slack redelivers the same envelope when the first ack seemed slow.
    await bot.sender.event(delivery, { retryNum: 1 });
    await bot.idle();
    await connector.waitFor((p) => p.conversationId === customer.conversationId && p.activity.text === 'only once please');
    assert.equal(connector.messagesTo(customer.conversationId).filter((a) => a.text === 'only once please').length, 1);
  });

  it('should hand off a customer on the Slack bridge and relay both ways in their DM', async () => {
    const before = stub.succeeded('chat.postMessage').length;
    await bot.sender.event(dm('UCUST', 'DCUST', 'talk to a person'));
    await bot.idle();
    const queued = stub
      .succeeded('chat.postMessage')
      .slice(before)
      .find((c) => c.params.channel === 'DCUST');
    assert.match(String(queued?.params.text), /You're number \d+ in the queue/);

    const ticketId = postedTicketIds(stub).at(-1) as string;
    const ticket = await bot.desk.store.get(ticketId);
    assert.equal(ticket?.channelId, 'slack');
    assert.match(JSON.stringify(bot.ticketPost(ticketId).params.blocks), /\*Channel\*\\nSlack/);

    await bot.clickTicket(ticketId, 'Claim', 'UALICE');
    const toCustomer = () =>
      stub
        .succeeded('chat.postMessage')
        .filter((c) => c.params.channel === 'DCUST')
        .map((c) => String(c.params.text));
    assert.ok(toCustomer().includes("You're now chatting with Alice."));

    await bot.sender.event(dm('UCUST', 'DCUST', 'where is my parcel?'));
    await bot.idle();
    assert.ok(bot.threadTexts(ticket!).some((t) => t.endsWith('where is my parcel?')));
    assert.equal(toCustomer().filter((t) => /order ID/.test(t)).length, 0, 'the bot did not answer');

    await bot.replyInThread(ticket!, 'UALICE', 'It is at the depot.');
    assert.equal(toCustomer().at(-1), 'It is at the depot.');
  });

  it('should keep the desk out of customer conversations: channel chatter in the desk is ignored', async () => {
    const before = stub.calls.length;
    const { status } = await bot.sender.event(channelMessage('UALICE', DESK, 'coffee anyone?'));
    assert.equal(status, 200);
    await bot.idle();
    assert.equal(stub.calls.slice(before).filter((c) => c.method === 'chat.postMessage').length, 0);
  });
});
