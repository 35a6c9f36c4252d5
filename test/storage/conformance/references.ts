import { strict as assert } from 'node:assert';
import type { ConversationReference } from 'botbuilder';
import type { ConversationReferenceStore } from '../../../src/channels/references/ConversationReferenceStore';

export function reference(conversationId: string, serviceUrl = 'https://smba.trafficmanager.net/emea/'): Partial<ConversationReference> {
  return {
    channelId: 'msteams',
    serviceUrl,
    conversation: { id: conversationId, conversationType: 'personal', isGroup: false, name: '', tenantId: 't1' } as ConversationReference['conversation'],
    user: { id: '29:user', name: 'Ann' },
    bot: { id: '28:bot', name: 'Order Assistant' },
    locale: 'en-GB',
  };
}

export function runReferenceStoreConformance(name: string, make: () => ConversationReferenceStore | Promise<ConversationReferenceStore>): void {
  describe(`${name} (ConversationReferenceStore conformance)`, () => {
    let n = 0;
    const id = (): string => `a:1${process.pid}-${Date.now()}-${++n};messageid=1`;

    it('should save, replace, read and delete a reference by conversation id', async () => {
      const store = await make();
      const conv = id();
      assert.equal(await store.get(conv), undefined);
      await store.save(reference(conv));
      assert.deepEqual(await store.get(conv), reference(conv));
      await store.save(reference(conv, 'https://smba.trafficmanager.net/amer/'));
      assert.equal((await store.get(conv))?.serviceUrl, 'https://smba.trafficmanager.net/amer/');
      await store.delete(conv);
      assert.equal(await store.get(conv), undefined);
    });

    it('should keep the references of different conversations apart, and delete only the one named', async () => {
      const store = await make();
      const [a, b] = [id(), id()];
      await store.save(reference(a));
      await store.save(reference(b, 'https://smba.trafficmanager.net/amer/'));
      assert.equal((await store.get(a))?.serviceUrl, 'https://smba.trafficmanager.net/emea/');
      assert.equal((await store.get(b))?.serviceUrl, 'https://smba.trafficmanager.net/amer/');
      await store.delete(a);
      await store.delete(id());
      assert.equal(await store.get(a), undefined);
      assert.deepEqual(await store.get(b), reference(b, 'https://smba.trafficmanager.net/amer/'));
    });

    it('should hand out copies: changing a saved or read reference changes nothing stored', async () => {
      const store = await make();
      const conv = id();
      const saved = reference(conv);
      await store.save(saved);
      (saved.user as { name: string }).name = 'changed after save';
      const read = await store.get(conv);
      assert.equal(read?.user?.name, 'Ann');
      (read?.user as { name: string }).name = 'changed after read';
      assert.equal((await store.get(conv))?.user?.name, 'Ann');
    });

    it('should keep channel data with any key shape and refuse a reference without a conversation', async () => {
      const store = await make();
      const conv = id();
      const odd = { ...reference(conv), $kind: 'x', 'dotted.key': { $nested: 1 } } as Partial<ConversationReference>;
      await store.save(odd);
      assert.deepEqual(await store.get(conv), odd);
      await assert.rejects(store.save({ channelId: 'msteams' }));
    });
  });
}
