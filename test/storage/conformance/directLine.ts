import { strict as assert } from 'node:assert';
import { DirectLineConversationMissingError, type DirectLineStore } from '../../../src/channels/directline/store';

/**
 * One suite every Direct Line activity log must pass (memory and MongoDB). `make` builds a
 * fresh store with at most `maxActivities` kept per conversation.
 */
export function runDirectLineStoreConformance(name: string, make: (maxActivities: number) => Promise<DirectLineStore> | DirectLineStore): void {
  describe(`${name} (DirectLineStore conformance)`, () => {
    let counter = 0;
    const id = (): string => `conv-${process.pid}-${Date.now()}-${++counter}`;

    it('should create a conversation once and report it', async () => {
      const store = await make(100);
      const conv = id();
      assert.equal(await store.createConversation(conv, 'dl_a'), true);
      assert.equal(await store.createConversation(conv, 'dl_b'), false);
      const found = await store.getConversation(conv);
      assert.equal(found?.userId, 'dl_a');
      assert.equal(found?.watermark, 0);
      assert.equal(await store.getConversation(id()), undefined);
    });

    it('should number activities conv|0000001.. and list them after a watermark', async () => {
      const store = await make(100);
      const conv = id();
      await store.createConversation(conv, 'dl_a');
      const first = await store.append(conv, { type: 'message', text: 'one', value: { $kind: 'orderStatus', 'a.b': 1 } });
      await store.append(conv, { type: 'message', text: 'two' });
      await store.append(conv, { type: 'message', text: 'three' });
      assert.equal(first.id, `${conv}|0000001`);
      const all = await store.list(conv, 0, 10);
      assert.deepEqual(
        all.activities.map((a) => a.text),
        ['one', 'two', 'three'],
      );
      assert.equal(all.watermark, 3);
      assert.deepEqual(all.activities[0]?.value, { $kind: 'orderStatus', 'a.b': 1 });
      const rest = await store.list(conv, 1, 10);
      assert.deepEqual(
        rest.activities.map((a) => a.id),
        [`${conv}|0000002`, `${conv}|0000003`],
      );
      const page = await store.list(conv, 0, 2);
      assert.deepEqual([page.activities.length, page.watermark], [2, 2]);
      const none = await store.list(conv, 3, 10);
      assert.deepEqual([none.activities.length, none.watermark], [0, 3]);
      assert.equal((await store.getConversation(conv))?.watermark, 3);
      assert.deepEqual([...(await store.latestWatermarks([conv, id()])).entries()], [[conv, 3]]);
    });

    it('should keep conversations apart', async () => {
      const store = await make(100);
      const [a, b] = [id(), id()];
      await store.createConversation(a, 'dl_a');
      await store.createConversation(b, 'dl_b');
      await store.append(a, { type: 'message', text: 'for a' });
      await store.append(b, { type: 'message', text: 'for b' });
      assert.deepEqual(
        (await store.list(a, 0, 10)).activities.map((x) => x.text),
        ['for a'],
      );
      assert.deepEqual(
        (await store.list(b, 0, 10)).activities.map((x) => x.text),
        ['for b'],
      );
    });

    it('should refuse to append to an unknown conversation', async () => {
      const store = await make(100);
      await assert.rejects(store.append(id(), { type: 'message' }), DirectLineConversationMissingError);
    });

    it('should give concurrent appends distinct, gap-free watermarks', async () => {
      const store = await make(1000);
      const conv = id();
      await store.createConversation(conv, 'dl_a');
      const stored = await Promise.all(Array.from({ length: 40 }, (_, i) => store.append(conv, { type: 'message', text: String(i) })));
      assert.equal(new Set(stored.map((a) => a.id)).size, 40);
      const listed = await store.list(conv, 0, 100);
      assert.equal(listed.activities.length, 40);
      assert.equal(listed.watermark, 40);
    });

    it('should cap the history of a conversation, keeping the newest', async () => {
      const store = await make(10);
      const conv = id();
      await store.createConversation(conv, 'dl_a');
      for (let i = 1; i <= 60; i++) await store.append(conv, { type: 'message', text: String(i) });
      const listed = await store.list(conv, 0, 1000);
      assert.ok(listed.activities.length <= 30, `kept ${listed.activities.length}`);
      assert.equal(listed.activities.at(-1)?.text, '60');
      assert.equal(listed.watermark, 60);
    });

    it('should not let a caller change a stored activity through the object it passed or got back', async () => {
      const store = await make(100);
      const conv = id();
      await store.createConversation(conv, 'dl_a');
      const input = { type: 'message', text: 'original' };
      const stored = await store.append(conv, input);
      input.text = 'changed';
      stored.text = 'changed too';
      assert.equal((await store.list(conv, 0, 10)).activities[0]?.text, 'original');
    });
  });
}
