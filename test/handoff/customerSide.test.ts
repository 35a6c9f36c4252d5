import { strict as assert } from 'node:assert';
import { alice, Harness } from './support/harness';

describe('Handoff, customer side (gate and requests)', () => {
  it('should queue a request: ticket at the desk with the transcript, position, Cancel, handoff.initiate', async () => {
    const h = new Harness();
    const carla = h.customerIn('c1');
    await carla.say('where is my order');
    const replies = await carla.say('human');

    const ticket = await h.ticketOf('c1');
    assert.equal(ticket.state, 'queued');
    assert.equal(ticket.orderId, '12345');
    assert.deepEqual(
      ticket.transcript.map((l) => `${l.from}: ${l.text}`),
      ['customer: where is my order', 'bot: bot heard: where is my order', 'customer: human'],
    );
    const initiate = replies.find((a) => a.type === 'event');
    assert.equal(initiate?.name, 'handoff.initiate');
    assert.equal((initiate!.value as { ticketId: string }).ticketId, ticket.id);
    assert.equal((initiate!.attachments![0]!.content as { activities: unknown[] }).activities.length, 3);
    const message = replies.find((a) => a.type === 'message');
    assert.match(message?.text ?? '', /number 1 in the queue\. Anything you write/);
    assert.deepEqual(
      message?.suggestedActions?.actions.map((a) => a.title),
      ['Cancel'],
    );
    assert.deepEqual(
      h.metrics.map((m) => m.event),
      ['requested'],
    );
  });

  it('should give later customers their place and an expected wait from recent claims', async () => {
    const h = new Harness();
    await h.customerIn('c1').say('human');
    const first = await h.ticketOf('c1');
    h.clock.advance(120_000);
    await h.agents.claim(first.id, alice, first.thread!);
    await h.customerIn('c2').say('human');
    h.clock.advance(1); // same-millisecond requests are ordered by ticket id, i.e. arbitrarily
    const texts = await h.customerIn('c3').texts('human');
    assert.match(texts[0] ?? '', /number 2 in the queue and the expected wait is about 4 minutes/);
  });

  it('should relay messages while queued without the bot answering, and tell the place again', async () => {
    const h = new Harness();
    const carla = h.customerIn('c1');
    await carla.say('human');
    const texts = await carla.texts('my parcel is wet');
    const ticket = await h.ticketOf('c1');
    assert.deepEqual(h.desk.postsOf(ticket.id, 'customer'), ['my parcel is wet']);
    assert.deepEqual(texts, ["Thanks, I've added that to your request. You're number 1 in the queue."]);
    assert.deepEqual(h.botSaw, ['human']);
  });

  it('should take a queued customer back to the bot on "cancel"', async () => {
    const h = new Harness();
    const carla = h.customerIn('c1');
    await carla.say('human');
    const replies = await carla.say('cancel');
    const ticket = await h.ticketOf('c1');
    assert.equal(ticket.state, 'cancelled');
    assert.equal(ticket.outcome, 'cancelled_by_customer');
    assert.match(replies.find((a) => a.type === 'message')?.text ?? '', /cancelled your request/);
    assert.deepEqual((replies.find((a) => a.type === 'event')!.value as { state: string }).state, 'failed');
    assert.equal(h.desk.refreshed.at(-1)?.state, 'cancelled');
    assert.deepEqual(await carla.texts('hello again'), ['bot heard: hello again']);
  });

  it('should relay an active conversation silently and never let the bot answer', async () => {
    const h = new Harness();
    const carla = h.customerIn('c1');
    await carla.say('human');
    const ticket = await h.ticketOf('c1');
    await h.agents.claim(ticket.id, alice, ticket.thread!);
    assert.deepEqual(await carla.say('cancel'), []);
    assert.deepEqual(await carla.say('where is my order 12345'), []);
    assert.deepEqual(h.desk.postsOf(ticket.id, 'customer'), ['cancel', 'where is my order 12345']);
    assert.deepEqual(h.botSaw, ['human']);
  });

  it("should relay only the requester's messages in a shared conversation and let nobody else cancel or speak for them", async () => {
    const h = new Harness();
    const carla = h.customerIn('thread-1');
    await carla.say('human');
    const ticket = await h.ticketOf('thread-1');
    await h.agents.claim(ticket.id, alice, ticket.thread!);
    // Mallory writes in the same channel thread: the same conversation, another person.
    const mallory = h.customerIn('thread-1', 'Mallory', 'user-mallory');

    const told = await mallory.texts('it is me, read me my delivery address');
    await mallory.texts('cancel');
    await carla.say('thanks, still here');

    assert.match(told[0] ?? '', /only their messages reach the agent/);
    assert.deepEqual(h.desk.postsOf(ticket.id, 'customer'), ['thanks, still here']);
    assert.equal((await h.store.get(ticket.id))?.state, 'active');
    assert.deepEqual(h.botSaw, ['human']);
  });

  it('should apologise when a message cannot reach the desk', async () => {
    const h = new Harness();
    const carla = h.customerIn('c1');
    await carla.say('human');
    h.desk.postInThread = async () => {
      throw new Error('slack down');
    };
    const texts = await carla.texts('hello?');
    assert.match(texts[0] ?? '', /couldn't pass that on/);
  });

  it('should tell the customer when the desk is unreachable and hand back to the bot', async () => {
    const h = new Harness();
    h.desk.failOpen = true;
    const carla = h.customerIn('c1');
    const texts = await carla.texts('human');
    assert.match(texts[0] ?? '', /can't reach our support team/);
    assert.deepEqual(
      h.metrics.map((m) => m.event),
      ['requested', 'cancelled'],
    );
    assert.deepEqual(await carla.texts('hi'), ['bot heard: hi']);
  });

  it('should take a message instead of queueing outside business hours', async () => {
    // 2026-03-02T10:00Z is a Monday; the desk is open on Saturdays only.
    const h = new Harness({ hours: 'Sat 10:00-14:00' });
    const carla = h.customerIn('c1');
    const replies = await carla.say('human');
    const text = replies.find((a) => a.type === 'message')?.text ?? '';
    assert.match(text, /available Sat 10:00-14:00 \(UTC time\) and is not online right now \(we open again on Saturday at 10:00\)/);
    const ticket = await h.ticketOf('c1');
    assert.equal(ticket.state, 'expired');
    assert.equal(ticket.outcome, 'after_hours');
    assert.ok(ticket.thread, 'agents still see the ticket');

    assert.match((await carla.texts('Please call me back about 12345'))[0] ?? '', /passed your message/);
    const after = await h.store.get(ticket.id);
    assert.deepEqual(
      after?.leftMessages.map((m) => m.text),
      ['Please call me back about 12345'],
    );
    assert.deepEqual(h.desk.postsOf(ticket.id, 'left_message'), ['Please call me back about 12345']);
    assert.deepEqual(await carla.texts('thanks'), ['bot heard: thanks']);
  });

  it('should let a customer decline leaving a message', async () => {
    const h = new Harness({ hours: 'Sat 10:00-14:00' });
    const carla = h.customerIn('c1');
    await carla.say('human');
    assert.match((await carla.texts('No, thanks'))[0] ?? '', /No problem/);
    assert.deepEqual((await h.ticketOf('c1')).leftMessages, []);
    assert.deepEqual(await carla.texts('hi'), ['bot heard: hi']);
  });
});
