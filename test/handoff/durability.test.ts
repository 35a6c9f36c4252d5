import { strict as assert } from 'node:assert';
import { useMongoDatabase } from '../support/mongo';
import { startSlackApiStub, type SlackApiStub } from '../support/slackApiStub';
import { startConnectorStub, type ConnectorStub } from './support/connectorStub';
import { HandoffApp, postedTicketIds, teachDeskCalls, ticketOfConversation } from './support/handoffApp';
import { ManualClock } from './support/harness';

describe('Handoff durability: MongoDB, restarts, two instances, timers, business hours', function () {
  this.timeout(60_000);
  const mongo = useMongoDatabase('handoffe2e');
  let stub: SlackApiStub;
  let connector: ConnectorStub;
  const running: HandoffApp[] = [];

  before(async () => {
    stub = await startSlackApiStub();
    teachDeskCalls(stub);
    connector = await startConnectorStub();
  });
  afterEach(async () => {
    for (const app of running.splice(0)) await app.close();
  });
  after(async () => {
    await connector?.stop();
    await stub?.stop();
  });

  async function instance(clock: ManualClock, env: Record<string, string> = {}): Promise<HandoffApp> {
    const app = await HandoffApp.start(
      stub,
      { MONGODB_URI: mongo.uri, MONGODB_DB: mongo.db.databaseName, HANDOFF_QUEUE_TIMEOUT_SECONDS: '300', ...env },
      { now: clock.now },
    );
    running.push(app);
    return app;
  }
  const messagesTo = (conversationId: string) => connector.messagesTo(conversationId).map((a) => a.text ?? '');

  it('should carry an active handoff across a restart: the new instance relays both ways and resolves', async () => {
    const clock = new ManualClock(Date.now());
    const first = await instance(clock);
    const customer = first.customer(connector.url);
    await customer.say('talk to a person');
    const ticket = await ticketOfConversation(first.desk, customer.conversationId, postedTicketIds(stub));
    await first.clickTicket(ticket.id, 'Claim', 'UALICE');
    await connector.waitFor((p) => p.conversationId === customer.conversationId && p.activity.type === 'message');

    // Restart: the old process goes away, a new one takes the traffic.
    await first.close();
    running.splice(running.indexOf(first), 1);
    const second = await instance(clock);
    const again = second.customer(connector.url, customer.conversationId);

    assert.deepEqual(await again.texts('are you still there?'), [], 'still relayed, not recognised');
    assert.ok(second.threadTexts(ticket).some((t) => t.endsWith('are you still there?')));
    await second.replyInThread(ticket, 'UALICE', 'Yes, still here.');
    await connector.waitFor((p) => p.conversationId === customer.conversationId && p.activity.text === 'Yes, still here.');

    await second.clickTicket(ticket.id, 'Resolve', 'UALICE');
    await connector.waitFor((p) => p.conversationId === customer.conversationId && /closed this chat/.test(p.activity.text ?? ''));
    assert.match((await again.texts('OK'))[0] ?? '', /Thanks for your feedback/);
    assert.equal((await second.desk.store.get(ticket.id))?.rating?.score, 2);
  });

  it('should give one owner when agents click Claim on two different instances at once', async () => {
    const clock = new ManualClock(Date.now());
    const [a, b] = [await instance(clock), await instance(clock)];
    const customer = a.customer(connector.url);
    await customer.say('talk to a person');
    const ticket = await ticketOfConversation(a.desk, customer.conversationId, postedTicketIds(stub));
    await Promise.all([a.clickTicket(ticket.id, 'Claim', 'UALICE'), b.clickTicket(ticket.id, 'Claim', 'UBOB')]);
    await connector.waitFor((p) => p.conversationId === customer.conversationId && p.activity.type === 'message');
    const owner = (await a.desk.store.get(ticket.id))?.agent;
    assert.deepEqual(messagesTo(customer.conversationId), [`You're now chatting with ${owner?.name}.`]);
    assert.equal(stub.succeeded('chat.postEphemeral').filter((c) => c.params.thread_ts === ticket.thread?.ts).length, 1);
  });

  it('should fire the queue timeout once with two instances sweeping, and keep the left message on the ticket', async () => {
    const clock = new ManualClock(Date.now());
    const [a, b] = [await instance(clock), await instance(clock)];
    const customer = a.customer(connector.url);
    await customer.say('talk to a person');
    const ticket = await ticketOfConversation(a.desk, customer.conversationId, postedTicketIds(stub));

    clock.advance(301_000);
    await Promise.all([a.desk.sweeper.runOnce(), b.desk.sweeper.runOnce(), a.desk.sweeper.runOnce(), b.desk.sweeper.runOnce()]);
    await connector.waitFor((p) => p.conversationId === customer.conversationId && p.activity.type === 'message');
    const offers = messagesTo(customer.conversationId).filter((t) => /no agent became free/.test(t));
    assert.equal(offers.length, 1);
    assert.equal((await a.desk.store.get(ticket.id))?.state, 'expired');

    const through = b.customer(connector.url, customer.conversationId);
    assert.match((await through.texts('Please e-mail me at carla@example.com'))[0] ?? '', /passed your message/);
    assert.deepEqual(
      (await b.desk.store.get(ticket.id))?.leftMessages.map((m) => m.text),
      ['Please e-mail me at carla@example.com'],
    );
    assert.ok(b.threadTexts(ticket).some((t) => /left a message: Please e-mail me/.test(t)));
    assert.equal((await through.texts('where is my order 12345'))[0], 'You asked about order 12345. Is that correct?');
  });

  it('should take a message outside business hours and queue inside them (Europe/Berlin)', async () => {
    // Saturday 2026-03-07 12:00 in Berlin.
    const clock = new ManualClock(Date.parse('2026-03-07T11:00:00Z'));
    const app = await instance(clock, { HANDOFF_BUSINESS_HOURS: 'Mon-Fri 09:00-17:00', HANDOFF_TIME_ZONE: 'Europe/Berlin' });
    const weekend = app.customer(connector.url);
    const closed = await weekend.texts('talk to a person');
    assert.match(closed[0] ?? '', /available Mon-Fri 09:00-17:00 \(Europe\/Berlin time\) and is not online right now \(we open again on Monday at 09:00\)/);
    const ticket = await ticketOfConversation(app.desk, weekend.conversationId, postedTicketIds(stub));
    assert.equal(ticket.outcome, 'after_hours');
    assert.match(JSON.stringify(app.ticketPost(ticket.id).params.blocks), /Outside business hours/);
    assert.ok(!JSON.stringify(app.ticketPost(ticket.id).params.blocks).includes('"Claim"'), 'nothing to claim');
    await weekend.say('My order 12345 never came');
    assert.deepEqual(
      (await app.desk.store.get(ticket.id))?.leftMessages.map((m) => m.text),
      ['My order 12345 never came'],
    );

    // Monday 09:30 in Berlin (08:30Z).
    clock.time = Date.parse('2026-03-09T08:30:00Z');
    const monday = app.customer(connector.url);
    assert.match((await monday.texts('talk to a person'))[0] ?? '', /You're number \d+ in the queue/);
  });
});
