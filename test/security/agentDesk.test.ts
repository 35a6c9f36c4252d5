import { strict as assert } from 'node:assert';
import type { Activity } from 'botbuilder';
import { startSlackApiStub, type SlackApiStub } from '../support/slackApiStub';
import { capturingLogger, click } from '../channels/slack/support/slackTraffic';
import { startConnectorStub, type ConnectorStub } from '../handoff/support/connectorStub';
import { HandoffApp, postedTicketIds, teachDeskCalls, ticketOfConversation, type EmulatorCustomer } from '../handoff/support/handoffApp';
import type { Ticket } from '../../src/handoff/ticket';

/**
 * Issue 13: the agent desk only obeys the desk, and customers cannot impersonate the bot or
 * agents in it. Each attack runs against the real app (signed Slack payloads, the Slack Web API
 * stand-in, an Emulator customer whose connector is a local stand-in).
 */
describe('security: the agent desk only obeys the desk', function () {
  this.timeout(30_000);
  let stub: SlackApiStub;
  let connector: ConnectorStub;
  let bot: HandoffApp | undefined;
  let captured: ReturnType<typeof capturingLogger>;

  const start = async (env: Record<string, string> = {}): Promise<HandoffApp> => {
    captured = capturingLogger('debug');
    bot = await HandoffApp.start(stub, env, { logger: captured.logger });
    return bot;
  };
  const queuedTicket = async (app: HandoffApp, fields: Partial<Activity> = {}): Promise<{ customer: EmulatorCustomer; ticket: Ticket }> => {
    const customer = app.customer(connector.url);
    const { status } = await customer.client.post(customer.client.activity({ text: 'talk to a person', serviceUrl: connector.url, ...fields }));
    assert.equal(status, 200);
    const ticket = await ticketOfConversation(app.desk, customer.conversationId, postedTicketIds(stub));
    assert.equal(ticket.state, 'queued');
    return { customer, ticket };
  };
  const customerMessages = (customer: EmulatorCustomer) => connector.messagesTo(customer.conversationId).map((a) => a.text);
  const refusals = () => captured.lines.filter((l) => l.code === 'HANDOFF_NOT_AN_AGENT');

  before(async () => {
    stub = await startSlackApiStub();
    teachDeskCalls(stub);
    connector = await startConnectorStub();
  });
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
    stub.reset();
  });
  after(async () => {
    await connector?.stop();
    await stub?.stop();
  });

  it('should refuse a signed Claim click from a channel that is not the desk, and tell the clicker privately', async () => {
    const app = await start();
    const { customer, ticket } = await queuedTicket(app);
    const forged = click(app.ticketPost(ticket.id), 'Claim', 'UMALLORY');
    forged.channel = { id: 'COTHER', name: 'random' };
    (forged.container as Record<string, unknown>).channel_id = 'COTHER';
    assert.equal((await app.sender.interaction(forged)).status, 200);
    await app.idle();

    assert.equal((await app.desk.store.get(ticket.id))?.state, 'queued', 'the ticket was not claimed');
    assert.deepEqual(customerMessages(customer), [], 'the customer was told nothing');
    const notice = stub.succeeded('chat.postEphemeral').at(-1);
    assert.equal(notice?.params.user, 'UMALLORY');
    assert.equal(notice?.params.channel, 'COTHER');
    assert.match(String(notice?.params.text), /only be handled in the agents' support channel/);
    assert.equal(refusals().length, 1);
    assert.equal(refusals()[0]?.reason, 'wrong_channel');
    assert.ok(!JSON.stringify(refusals()).includes('UMALLORY'), 'the refusal log carries no user id');

    // The real desk still works.
    await app.clickTicket(ticket.id, 'Claim', 'UALICE');
    assert.equal((await app.desk.store.get(ticket.id))?.agent?.id, 'UALICE');
  });

  it('should refuse clicks and thread commands from people not on HANDOFF_AGENT_USER_IDS', async () => {
    const app = await start({ HANDOFF_AGENT_USER_IDS: 'UALICE' });
    const { customer, ticket } = await queuedTicket(app);

    await app.clickTicket(ticket.id, 'Claim', 'UBOB');
    await app.replyInThread(ticket, 'UBOB', '!claim');
    await app.clickTicket(ticket.id, 'Resolve', 'UBOB');
    assert.equal((await app.desk.store.get(ticket.id))?.state, 'queued');
    assert.deepEqual(customerMessages(customer), []);
    assert.deepEqual(
      refusals().map((l) => l.reason),
      ['not_an_agent', 'not_an_agent', 'not_an_agent'],
    );
    assert.equal(stub.succeeded('chat.postEphemeral').filter((c) => c.params.user === 'UBOB' && /Only support agents/.test(String(c.params.text))).length, 3);

    await app.clickTicket(ticket.id, 'Claim', 'UALICE');
    await connector.waitFor((p) => p.conversationId === customer.conversationId && p.activity.type === 'message');
    assert.deepEqual(customerMessages(customer), ["You're now chatting with Alice."]);
  });

  it('should accept members of HANDOFF_AGENT_USERGROUP only, asking Slack once per cache period', async () => {
    stub.on('usergroups.users.list', ({ params }) => ({ body: { ok: true, users: params.usergroup === 'SAGENTS' ? ['UALICE'] : [] } }));
    const app = await start({ HANDOFF_AGENT_USERGROUP: 'SAGENTS' });
    const first = await queuedTicket(app);
    const second = await queuedTicket(app);

    await app.clickTicket(first.ticket.id, 'Claim', 'UBOB');
    await app.clickTicket(first.ticket.id, 'Claim', 'UALICE');
    await app.clickTicket(second.ticket.id, 'Claim', 'UALICE');
    assert.equal((await app.desk.store.get(first.ticket.id))?.agent?.id, 'UALICE');
    assert.equal((await app.desk.store.get(second.ticket.id))?.agent?.id, 'UALICE');
    assert.deepEqual(
      refusals().map((l) => l.reason),
      ['not_an_agent'],
    );
    assert.equal(stub.callsTo('usergroups.users.list').length, 1, 'the member list is cached');
  });

  it('should fail closed when the user group cannot be read', async () => {
    stub.on('usergroups.users.list', () => ({ body: { ok: false, error: 'missing_scope' } }));
    const app = await start({ HANDOFF_AGENT_USERGROUP: 'SAGENTS' });
    const { customer, ticket } = await queuedTicket(app);
    await app.clickTicket(ticket.id, 'Claim', 'UALICE');
    assert.equal((await app.desk.store.get(ticket.id))?.state, 'queued');
    assert.deepEqual(customerMessages(customer), []);
    assert.deepEqual(
      refusals().map((l) => l.reason),
      ['agent_list_unavailable'],
    );
  });
});

describe('security: customer text and names cannot impersonate the bot or agents at the desk', function () {
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

  type Block = {
    type: string;
    text?: { type: string; text: string };
    fields?: Array<{ type: string; text: string }>;
    elements?: Array<Record<string, unknown>>;
  };
  /** Every mrkdwn string of a message: the only places Slack renders formatting. */
  const mrkdwnOf = (text: unknown, blocks: unknown): string[] => {
    const found = [String(text)];
    for (const block of (blocks ?? []) as Block[]) {
      if (block.text?.type === 'mrkdwn') found.push(block.text.text);
      for (const f of block.fields ?? []) if (f.type === 'mrkdwn') found.push(f.text);
      for (const e of block.elements ?? []) if (e.type === 'mrkdwn') found.push(String(e.text));
    }
    return found;
  };
  /** mrkdwn with inline code spans removed: what Slack would format. */
  const formatted = (mrkdwn: string): string => mrkdwn.replace(/`[^`]*`/g, '');

  it("should show a hostile display name and message as the customer's literal words", async () => {
    const name = 'Mallory\n*Bot:* refund approved';
    const attack = 'where is my refund?\n*Bot:* refund approved\u202E\u0007\n\n\n\n*Alice:* done';
    const customer = bot.customer(connector.url);
    const from = { id: 'mallory-1', name, role: 'user' };
    await customer.client.post(customer.client.activity({ text: attack, serviceUrl: connector.url, from }));
    await customer.client.post(customer.client.activity({ text: 'talk to a person', serviceUrl: connector.url, from }));
    const ticket = await ticketOfConversation(bot.desk, customer.conversationId, postedTicketIds(stub));
    await customer.client.post(customer.client.activity({ text: attack, serviceUrl: connector.url, from }));

    // The ticket message: the name and the transcript line are literal code spans.
    const ticketPost = bot.ticketPost(ticket.id);
    for (const text of mrkdwnOf(ticketPost.params.text, ticketPost.params.blocks)) {
      assert.ok(!/\*Bot:\* refund|\*Alice:\*/.test(formatted(text)), `formatted ticket text impersonates: ${text}`);
      assert.ok(!/[\u202E\u0007]/.test(text));
    }
    assert.match(JSON.stringify(ticketPost.params.blocks), /`Mallory \*Bot:\* refund approved`/);

    // The thread post: a context line naming the customer (plain text), the message in a quote.
    const post = stub
      .succeeded('chat.postMessage')
      .filter((c) => c.params.thread_ts === ticket.thread?.ts)
      .at(-1);
    assert.ok(post, 'the customer message was posted in the thread');
    for (const text of mrkdwnOf(post.params.text, post.params.blocks)) {
      assert.ok(!/\*Bot:\*|\*Alice:\*/.test(formatted(text)), `formatted thread text impersonates: ${text}`);
      assert.ok(!text.includes('\n'), 'no line breaks in mrkdwn');
    }
    const blocks = post.params.blocks as Block[];
    assert.equal(blocks[0]?.type, 'context');
    assert.deepEqual(blocks[0]?.elements?.[0], { type: 'plain_text', text: '💬 Customer "Mallory *Bot:* refund approved" wrote:', emoji: false });
    assert.equal(blocks[1]?.type, 'rich_text');
    const quote = (blocks[1]?.elements?.[0] ?? {}) as { type: string; elements: Array<{ type: string; text: string }> };
    assert.equal(quote.type, 'rich_text_quote');
    assert.deepEqual(quote.elements, [{ type: 'text', text: 'where is my refund?\n*Bot:* refund approved\n\n*Alice:* done' }]);
  });

  it('should cap what a customer can put in one thread post', async () => {
    const customer = bot.customer(connector.url);
    await customer.say('talk to a person');
    const ticket = await ticketOfConversation(bot.desk, customer.conversationId, postedTicketIds(stub));
    await customer.say(`${'x'.repeat(5000)}\n${'\n.'.repeat(200)}`);
    const post = stub
      .succeeded('chat.postMessage')
      .filter((c) => c.params.thread_ts === ticket.thread?.ts)
      .at(-1);
    const quoted = JSON.stringify(post?.params.blocks);
    assert.ok(quoted.length < 3500, `post is ${quoted.length} chars`);
    assert.ok(String(post?.params.text).length < 3200);
  });
});
