import { strict as assert } from 'node:assert';
import { ActivityTypes, TurnContext, type Activity } from 'botbuilder';
import { DirectLineAdapter } from '../../../src/channels/directline/DirectLineAdapter';
import { MemoryDirectLineStore } from '../../../src/channels/directline/MemoryDirectLineStore';
import { gate, waitFor } from '../../support/waitFor';

describe('DirectLineAdapter', () => {
  let store: MemoryDirectLineStore;
  let woken: string[];
  let adapter: DirectLineAdapter;

  beforeEach(async () => {
    store = new MemoryDirectLineStore({ maxActivitiesPerConversation: 100, historyTtlSeconds: 3600 });
    woken = [];
    adapter = new DirectLineAdapter({ store, bot: { id: 'bot', name: 'Bot' }, serviceUrl: 'https://bot.example.com', onAppended: (id) => woken.push(id) });
    await store.createConversation('c1', 'dl_u');
  });
  afterEach(async () => {
    await store.close();
  });

  it("should log the user's activity, run the turn with it, and log the replies as the bot", async () => {
    let seen: Partial<Activity> | undefined;
    const stored = await adapter.receive('c1', { type: 'message', text: 'hi', from: { id: 'dl_u', name: '', role: 'user' } }, async (context) => {
      seen = context.activity;
      await context.sendActivity('hello');
      await context.sendActivity({ type: ActivityTypes.Trace, name: 'debug' });
    });
    assert.equal(seen?.id, stored.id);
    assert.ok(seen?.timestamp instanceof Date);
    assert.equal(seen?.channelId, 'directline');
    const log = (await store.list('c1', 0, 10)).activities;
    assert.deepEqual(
      log.map((a) => [a.type, a.text, a.from.role]),
      [
        ['message', 'hi', 'user'],
        ['message', 'hello', 'bot'],
      ],
    );
    assert.equal(log[1]?.replyToId, stored.id);
    assert.equal(log[1]?.recipient.id, 'dl_u');
    assert.deepEqual(woken, ['c1', 'c1'], 'streams woken after each append; traces never reach clients');
  });

  it('should send proactive messages into a conversation from its stored reference', async () => {
    await adapter.receive('c1', { type: 'message', text: 'hi', from: { id: 'dl_u', name: '', role: 'user' } }, async () => undefined);
    const reference = TurnContext.getConversationReference((await store.list('c1', 0, 1)).activities[0] as Activity);
    assert.equal(reference.serviceUrl, adapter.serviceUrl);
    await adapter.continueConversationAsync('app-id', reference, async (context) => {
      await context.sendActivity('An agent replied: your parcel is on its way.');
    });
    const log = (await store.list('c1', 0, 10)).activities;
    assert.equal(log.at(-1)?.text, 'An agent replied: your parcel is on its way.');
    assert.equal(log.at(-1)?.from.role, 'bot');
  });

  it('should run the turns of one conversation one at a time, in arrival order', async () => {
    const order: string[] = [];
    const held = gate();
    const slow = adapter.receive('c1', { type: 'message', text: 'first', from: { id: 'dl_u', name: '', role: 'user' } }, async (context) => {
      await held.promise;
      order.push(context.activity.text as string);
    });
    const fast = adapter.receive('c1', { type: 'message', text: 'second', from: { id: 'dl_u', name: '', role: 'user' } }, async (context) => {
      order.push(context.activity.text as string);
    });
    // Both arrived (logged), the first turn is held open: the second must not overtake it.
    await waitFor(async () => (await store.list('c1', 0, 10)).activities.some((a) => a.text === 'second'), { what: 'the second message was received' });
    assert.deepEqual(order, []);
    held.open();
    await Promise.all([slow, fast]);
    assert.deepEqual(order, ['first', 'second']);
  });

  it('should refuse updates and deletions it cannot deliver', async () => {
    // Without onTurnError the turn's error reaches the caller.
    const turn = adapter.receive('c1', { type: 'message', text: 'x', from: { id: 'dl_u', name: '', role: 'user' } }, async (context) => {
      await context.updateActivity({ id: 'c1|0000001', text: 'edited' });
    });
    await assert.rejects(turn, /cannot update/);
  });
});
