import { strict as assert } from 'node:assert';
import { MemoryDirectLineStore } from '../../../src/channels/directline/MemoryDirectLineStore';

describe('MemoryDirectLineStore', () => {
  const stores: MemoryDirectLineStore[] = [];
  after(async () => {
    for (const store of stores) await store.close();
  });

  // The DirectLineStore contract (memory and MongoDB) is in test/storage/conformance/.
  it('should forget a conversation after the history TTL', async () => {
    let now = 1_000_000;
    const store = new MemoryDirectLineStore({ maxActivitiesPerConversation: 10, historyTtlSeconds: 60 }, () => now);
    stores.push(store);
    await store.createConversation('c', 'dl_a');
    await store.append('c', { type: 'message', text: 'hi' });
    now += 59_000;
    assert.ok(await store.getConversation('c'));
    now += 2_000;
    assert.equal(await store.getConversation('c'), undefined);
    assert.deepEqual((await store.list('c', 0, 10)).activities, []);
  });
});
