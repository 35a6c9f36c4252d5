import { strict as assert } from 'node:assert';
import { alice, bob, Harness, threadOf } from './support/harness';

describe('Handoff, agent side (claim, relay, notes, resolve, rating)', () => {
  async function queued(h: Harness, conversationId = 'c1') {
    const customer = h.customerIn(conversationId);
    await customer.say('human');
    return { customer, ticket: await h.ticketOf(conversationId) };
  }

  it('should give a claimed ticket to the agent and tell the customer who it is', async () => {
    const h = new Harness();
    const { ticket } = await queued(h);
    h.clock.advance(90_000);
    const result = await h.agents.claim(ticket.id, alice, threadOf(ticket));
    assert.equal(result.ok, true);
    const stored = await h.store.get(ticket.id);
    assert.equal(stored?.state, 'active');
    assert.deepEqual(stored?.agent, alice);
    assert.deepEqual(h.messenger.textsTo('c1'), ["You're now chatting with Alice."]);
    assert.equal((h.messenger.eventsTo('c1')[0]!.value as { state: string }).state, 'accepted');
    assert.deepEqual(h.metrics.at(-1), { event: 'claimed', seconds: 90 });
    assert.match(h.desk.postsOf(ticket.id, 'system')[0] ?? '', /Alice claimed this ticket/);
  });

  it('should give exactly one owner when two agents claim at once, and tell the other who has it', async () => {
    const h = new Harness();
    const { ticket } = await queued(h);
    const [a, b] = await Promise.all([h.agents.claim(ticket.id, alice, threadOf(ticket)), h.agents.claim(ticket.id, bob, threadOf(ticket))]);
    assert.equal([a, b].filter((r) => r.ok).length, 1);
    const loser = a.ok ? bob : alice;
    const winner = a.ok ? alice : bob;
    assert.deepEqual(h.desk.told, [{ agentId: loser.id, text: `Ticket ${ticket.id} is already claimed by ${winner.name}.` }]);
    assert.equal(h.messenger.textsTo('c1').length, 1);
    assert.equal(h.metrics.filter((m) => m.event === 'claimed').length, 1);
  });

  it("should relay the owner's thread replies and keep everyone else's as notes", async () => {
    const h = new Harness();
    const { ticket } = await queued(h);
    await h.agents.claim(ticket.id, alice, threadOf(ticket));
    const relayed = await h.agents.onThreadMessage(threadOf(ticket), alice, 'Hi Carla, let me check.', 'm1');
    const note = await h.agents.onThreadMessage(threadOf(ticket), bob, 'FYI the carrier is late today', 'm2');
    const ownNote = await h.agents.onThreadMessage(threadOf(ticket), alice, '!note customer sounds upset', 'm3');
    assert.equal(relayed.kind, 'relayed');
    assert.equal(note.kind, 'note');
    assert.equal(ownNote.kind, 'note');
    assert.deepEqual(h.messenger.textsTo('c1'), ["You're now chatting with Alice.", 'Hi Carla, let me check.']);
  });

  it('should relay a redelivered message once', async () => {
    const h = new Harness();
    const { ticket } = await queued(h);
    await h.agents.claim(ticket.id, alice, threadOf(ticket));
    await h.agents.onThreadMessage(threadOf(ticket), alice, 'once', 'slack:C:1.1');
    const again = await h.agents.onThreadMessage(threadOf(ticket), alice, 'once', 'slack:C:1.1');
    assert.equal(again.kind, 'duplicate');
    assert.equal(h.messenger.textsTo('c1').filter((t) => t === 'once').length, 1);
  });

  it('should tell an agent who replies before claiming that the customer did not see it', async () => {
    const h = new Harness();
    const { ticket } = await queued(h);
    const result = await h.agents.onThreadMessage(threadOf(ticket), bob, 'hello?', 'm1');
    assert.equal(result.kind, 'note');
    assert.match(h.desk.told[0]?.text ?? '', /did not see this\. Claim the ticket/);
    assert.deepEqual(h.messenger.sent, []);
  });

  it('should claim and resolve through thread commands', async () => {
    const h = new Harness();
    const { ticket } = await queued(h);
    const claim = await h.agents.onThreadMessage(threadOf(ticket), alice, '!claim', 'm1');
    assert.equal(claim.kind === 'command' && claim.result?.ok, true);
    const resolve = await h.agents.onThreadMessage(threadOf(ticket), alice, '!resolve', 'm2');
    assert.equal(resolve.kind === 'command' && resolve.result?.ok, true);
    assert.equal((await h.store.get(ticket.id))?.state, 'resolved');
    await h.agents.onThreadMessage(threadOf(ticket), alice, '!frobnicate', 'm3');
    assert.match(h.desk.told.at(-1)?.text ?? '', /Unknown command `!frobnicate`/);
  });

  it('should refuse Resolve from an agent who does not own the ticket', async () => {
    const h = new Harness();
    const { ticket } = await queued(h);
    await h.agents.claim(ticket.id, alice, threadOf(ticket));
    const result = await h.agents.resolve(ticket.id, bob, threadOf(ticket));
    assert.deepEqual(result.ok ? undefined : result.code, 'HANDOFF_NOT_OWNER');
    assert.equal((await h.store.get(ticket.id))?.state, 'active');
  });

  it('should resolve, offer a one-click rating, store it with the ticket, then hand back to the bot', async () => {
    const h = new Harness();
    const { customer, ticket } = await queued(h);
    await h.agents.claim(ticket.id, alice, threadOf(ticket));
    h.clock.advance(240_000);
    await h.agents.resolve(ticket.id, alice, threadOf(ticket));

    const prompt = h.messenger.sent.at(-1)?.activities.find((a) => a.type === 'message');
    assert.match(prompt?.text ?? '', /Alice has closed this chat, and you're back with the order assistant\. How did we do\?/);
    assert.deepEqual(
      prompt?.suggestedActions?.actions.map((a) => a.title),
      ['Great', 'OK', 'Poor'],
    );
    assert.equal((h.messenger.eventsTo('c1').at(-1)!.value as { state: string }).state, 'completed');
    assert.deepEqual(h.metrics.at(-1), { event: 'resolved', seconds: 240 });

    assert.match((await customer.texts('Great'))[0] ?? '', /Thanks for your feedback/);
    const rated = await h.store.get(ticket.id);
    assert.equal(rated?.rating?.score, 3);
    assert.equal(rated?.followUp, undefined);
    assert.equal(h.desk.refreshed.at(-1)?.rating?.label, 'Great');
    assert.deepEqual(await customer.texts('where is my order'), ['bot heard: where is my order']);
  });

  it('should skip the rating when the customer just carries on', async () => {
    const h = new Harness();
    const { customer, ticket } = await queued(h);
    await h.agents.claim(ticket.id, alice, threadOf(ticket));
    await h.agents.resolve(ticket.id, alice, threadOf(ticket));
    assert.deepEqual(await customer.texts('where is my order'), ['bot heard: where is my order']);
    assert.equal((await h.store.get(ticket.id))?.rating, undefined);
  });

  it('should let an agent close a queued ticket without a chat', async () => {
    const h = new Harness();
    const { customer, ticket } = await queued(h);
    const result = await h.agents.resolve(ticket.id, bob, threadOf(ticket));
    assert.equal(result.ok, true);
    assert.equal((await h.store.get(ticket.id))?.outcome, 'closed_while_queued');
    assert.match(h.messenger.textsTo('c1')[0] ?? '', /closed your request/);
    assert.deepEqual(await customer.texts('hi'), ['bot heard: hi']);
  });

  it('should refuse to claim a ticket that ended', async () => {
    const h = new Harness();
    const { customer, ticket } = await queued(h);
    await customer.say('cancel');
    const result = await h.agents.claim(ticket.id, alice, threadOf(ticket));
    assert.deepEqual(result.ok ? undefined : result.code, 'HANDOFF_INVALID_TRANSITION');
    assert.match(h.desk.told[0]?.text ?? '', /is cancelled; it can no longer be claimed/);
  });

  it('should tell the agents in the thread when the customer cannot be reached', async () => {
    const h = new Harness();
    const { ticket } = await queued(h);
    await h.agents.claim(ticket.id, alice, threadOf(ticket));
    h.messenger.fail = true;
    const result = await h.agents.onThreadMessage(threadOf(ticket), alice, 'are you there?', 'm1');
    assert.equal(result.kind, 'undelivered');
    assert.match(h.desk.postsOf(ticket.id, 'system').at(-1) ?? '', /Could not deliver to the customer/);
  });
});
