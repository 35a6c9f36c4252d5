import { strict as assert } from 'node:assert';
import { TestAdapter, type ConversationReference } from 'botbuilder';
import { ConversationReferenceRecorder } from '../../../src/channels/references/ConversationReferenceRecorder';
import { MemoryConversationReferenceStore, type ConversationReferenceStore } from '../../../src/channels/references/ConversationReferenceStore';
import { reference } from '../../storage/conformance/references';

describe('Conversation references for proactive messages', () => {
  describe('MemoryConversationReferenceStore', () => {
    it('should forget the least recently saved beyond its capacity', async () => {
      const store = new MemoryConversationReferenceStore(2);
      await store.save(reference('a'));
      await store.save(reference('b'));
      await store.save(reference('a'));
      await store.save(reference('c'));
      assert.equal(await store.get('b'), undefined);
      assert.ok(await store.get('a'));
    });
  });

  describe('ConversationReferenceRecorder', () => {
    it('should store the reference of each conversation once, and again only when it changes', async () => {
      const saved: Partial<ConversationReference>[] = [];
      const store: ConversationReferenceStore = {
        save: async (r) => {
          saved.push(r);
        },
        get: async () => undefined,
        delete: async () => undefined,
      };
      const adapter = new TestAdapter(async () => undefined, { channelId: 'msteams' });
      adapter.use(new ConversationReferenceRecorder(store, () => assert.fail('no error expected')));
      await adapter.receiveActivity({ type: 'message', text: 'one', serviceUrl: 'https://a.example/' });
      await adapter.receiveActivity({ type: 'message', text: 'two', serviceUrl: 'https://a.example/' });
      await adapter.receiveActivity({ type: 'message', text: 'three', serviceUrl: 'https://b.example/' });
      assert.deepEqual(
        saved.map((r) => r.serviceUrl),
        ['https://a.example/', 'https://b.example/'],
      );
      assert.equal(saved[0]?.activityId, undefined, 'the per-message id is not stored');
      assert.equal(saved[0]?.conversation?.id, 'Convo1');
    });

    it('should report a failing store and still run the turn', async () => {
      const errors: unknown[] = [];
      let ran = false;
      const store: ConversationReferenceStore = {
        save: async () => Promise.reject(new Error('db down')),
        get: async () => undefined,
        delete: async () => undefined,
      };
      const adapter = new TestAdapter(async () => {
        ran = true;
      });
      adapter.use(new ConversationReferenceRecorder(store, (e) => errors.push(e)));
      await adapter.receiveActivity({ type: 'message', text: 'hi' });
      assert.equal(ran, true);
      assert.equal(errors.length, 1);
    });
  });
});
