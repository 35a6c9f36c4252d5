import { strict as assert } from 'node:assert';
import { TestAdapter, type ConversationReference } from 'botbuilder';
import { ConversationReferenceRecorder } from '../../../src/channels/references/ConversationReferenceRecorder';
import { MemoryConversationReferenceStore, type ConversationReferenceStore } from '../../../src/channels/references/ConversationReferenceStore';
import { MongoConversationReferenceStore } from '../../../src/storage/mongo/MongoConversationReferenceStore';
import { useMongoDatabase } from '../../support/mongo';

function reference(conversationId: string, serviceUrl = 'https://smba.trafficmanager.net/emea/'): Partial<ConversationReference> {
  return {
    channelId: 'msteams',
    serviceUrl,
    conversation: { id: conversationId, conversationType: 'personal', isGroup: false, name: '', tenantId: 't1' } as ConversationReference['conversation'],
    user: { id: '29:user', name: 'Ann' },
    bot: { id: '28:bot', name: 'Order Assistant' },
    locale: 'en-GB',
  };
}

function referenceStoreConformance(make: () => ConversationReferenceStore): void {
  let n = 0;
  const id = (): string => `a:1${process.pid}-${Date.now()}-${++n};messageid=1`;

  it('should save, replace, read and delete a reference by conversation id', async () => {
    const store = make();
    const conv = id();
    assert.equal(await store.get(conv), undefined);
    await store.save(reference(conv));
    assert.deepEqual(await store.get(conv), reference(conv));
    await store.save(reference(conv, 'https://smba.trafficmanager.net/amer/'));
    assert.equal((await store.get(conv))?.serviceUrl, 'https://smba.trafficmanager.net/amer/');
    await store.delete(conv);
    assert.equal(await store.get(conv), undefined);
  });

  it('should keep channel data with any key shape and refuse a reference without a conversation', async () => {
    const store = make();
    const conv = id();
    const odd = { ...reference(conv), $kind: 'x', 'dotted.key': { $nested: 1 } } as Partial<ConversationReference>;
    await store.save(odd);
    assert.deepEqual(await store.get(conv), odd);
    await assert.rejects(store.save({ channelId: 'msteams' }));
  });
}

describe('Conversation references for proactive messages', () => {
  describe('MemoryConversationReferenceStore', () => {
    referenceStoreConformance(() => new MemoryConversationReferenceStore());

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

  describe('MongoConversationReferenceStore (MongoDB wire server)', () => {
    const mongo = useMongoDatabase('references');
    referenceStoreConformance(() => new MongoConversationReferenceStore(mongo.db));
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
