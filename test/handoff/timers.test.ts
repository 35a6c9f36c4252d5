import { strict as assert } from 'node:assert';
import { MemoryHandoffStore } from '../../src/handoff/store/MemoryHandoffStore';
import { STALE_REQUEST_MS } from '../../src/handoff/CustomerHandoff';
import { alice, Harness, threadOf } from './support/harness';
import { makeTicket } from './support/tickets';

describe('Handoff timers (sweeper)', () => {
  it('should expire a queued ticket after the queue timeout and take a message that stays on the ticket', async () => {
    const h = new Harness();
    const carla = h.customerIn('c1');
    await carla.say('human');
    const sweeper = h.sweeper('instance-a');
    h.clock.advance(299_000);
    assert.equal(await sweeper.runOnce(), 0, 'not due yet');

    h.clock.advance(2_000);
    assert.equal(await sweeper.runOnce(), 1);
    const ticket = await h.ticketOf('c1');
    assert.equal(ticket.state, 'expired');
    assert.equal(ticket.outcome, 'queue_timeout');
    const offer = h.messenger.sent.at(-1)?.activities.find((a) => a.type === 'message');
    assert.match(offer?.text ?? '', /no agent became free within about 5 minutes\. If you like, type a message now/);
    assert.deepEqual(
      offer?.suggestedActions?.actions.map((a) => a.title),
      ['No, thanks'],
    );
    assert.deepEqual(
      h.metrics.map((m) => m.event),
      ['requested', 'timed_out'],
    );

    await carla.say('Order 12345 arrived broken, please call 555-0100');
    assert.deepEqual(
      (await h.store.get(ticket.id))?.leftMessages.map((m) => m.text),
      ['Order 12345 arrived broken, please call 555-0100'],
    );
    assert.deepEqual(await carla.texts('hi'), ['bot heard: hi']);
  });

  it('should fire a timeout once when two instances sweep at the same moment', async () => {
    const h = new Harness();
    for (const id of ['c1', 'c2', 'c3']) await h.customerIn(id).say('human');
    h.clock.advance(301_000);
    const [a, b] = await Promise.all([h.sweeper('instance-a').runOnce(), h.sweeper('instance-b').runOnce()]);
    assert.equal(a + b, 3);
    for (const id of ['c1', 'c2', 'c3']) assert.equal(h.messenger.textsTo(id).length, 1, id);
    assert.equal(h.metrics.filter((m) => m.event === 'timed_out').length, 3);
  });

  it('should end an active handoff both sides abandoned, and not one that is still talking', async () => {
    const h = new Harness();
    const carla = h.customerIn('c1');
    await carla.say('human');
    const ticket = await h.ticketOf('c1');
    await h.agents.claim(ticket.id, alice, threadOf(ticket));
    const sweeper = h.sweeper('instance-a');

    h.clock.advance(600_000);
    await carla.say('still there?');
    h.clock.advance(400_000); // the claim was 1000 s ago, the last message 400 s ago
    await sweeper.runOnce();
    assert.equal((await h.store.get(ticket.id))?.state, 'active', 'rescheduled, not expired');

    h.clock.advance(600_000);
    await sweeper.runOnce();
    const ended = await h.store.get(ticket.id);
    assert.equal(ended?.state, 'expired');
    assert.equal(ended?.outcome, 'idle_timeout');
    assert.match(h.messenger.textsTo('c1').at(-1) ?? '', /chat with Alice was closed because nobody wrote for a while/);
    assert.deepEqual(await carla.texts('hello'), ['bot heard: hello']);
  });

  it('should close the follow-up window, after which messages go to the bot', async () => {
    const h = new Harness();
    const carla = h.customerIn('c1');
    await carla.say('human');
    const ticket = await h.ticketOf('c1');
    await h.agents.claim(ticket.id, alice, threadOf(ticket));
    await h.agents.resolve(ticket.id, alice, threadOf(ticket));
    h.clock.advance(601_000);
    await h.sweeper('a').runOnce();
    assert.equal((await h.store.get(ticket.id))?.followUp, undefined);
    assert.deepEqual(await carla.texts('Great'), ['bot heard: Great']);
  });

  it('should cancel a request that never reached the queue (instance died mid-request)', async () => {
    const store = new MemoryHandoffStore();
    const h = new Harness({ store });
    const stale = makeTicket({ createdAt: h.clock.time, dueAt: h.clock.time + STALE_REQUEST_MS });
    await store.insert(stale);
    h.clock.advance(STALE_REQUEST_MS + 1);
    await h.sweeper('a').runOnce();
    assert.equal((await store.get(stale.id))?.state, 'cancelled');
    assert.match(h.messenger.textsTo(stale.reference.conversation!.id)[0] ?? '', /can't reach our support team/);
  });

  it('should retry a timer whose side effects failed once the lease lapses', async () => {
    const h = new Harness();
    await h.customerIn('c1').say('human');
    const ticket = await h.ticketOf('c1');
    h.clock.advance(301_000);
    const originalUpdate = h.store.update.bind(h.store);
    let failures = 1;
    h.store.update = async (...args) => {
      if (failures-- > 0) throw new Error('store blip');
      return originalUpdate(...args);
    };
    const sweeper = h.sweeper('a');
    await sweeper.runOnce();
    assert.equal((await h.store.get(ticket.id))?.state, 'queued');
    h.clock.advance(31_000);
    await sweeper.runOnce();
    assert.equal((await h.store.get(ticket.id))?.state, 'expired');
  });
});
