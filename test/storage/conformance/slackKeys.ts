import { strict as assert } from 'node:assert';
import type { Clock, EventDeduplicator, ThreadRegistry } from '../../../src/channels/slack/store/EventDeduplicator';

type KeyStore = EventDeduplicator & ThreadRegistry;

/** The behaviour every Slack key store must have: delivery claims (dedupe) and thread marks. */
export function runSlackKeyStoreConformance(name: string, make: (clock: Clock) => KeyStore | Promise<KeyStore>): void {
  describe(`${name} (Slack key store conformance)`, () => {
    let clock: number;
    let store: KeyStore;
    let n = 0;
    const key = (label: string): string => `${label}:T:Ev-${++n}`;
    beforeEach(async () => {
      clock = 1_000_000;
      store = await make(() => clock);
    });

    it('should let exactly one of many concurrent claims win', async () => {
      const k = key('event');
      const results = await Promise.all(Array.from({ length: 20 }, () => store.claim(k, 60_000)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    it('should keep claims of different keys apart', async () => {
      const [a, b] = [key('event'), key('event')];
      assert.equal(await store.claim(a, 60_000), true);
      assert.equal(await store.claim(b, 60_000), true);
      assert.equal(await store.claim(a, 60_000), false);
    });

    it('should take over an expired claim even when the TTL monitor has not deleted it yet', async () => {
      const k = key('event');
      assert.equal(await store.claim(k, 1000), true);
      clock += 999;
      assert.equal(await store.claim(k, 1000), false);
      clock += 1;
      assert.equal(await store.claim(k, 1000), true);
      assert.equal(await store.claim(k, 1000), false);
    });

    it('should give a claim back to its own delivery only when it is processed again', async () => {
      const k = key('action');
      assert.equal(await store.claim(k, 60_000, 'delivery-1'), true);
      assert.equal(await store.claim(k, 60_000, 'delivery-1'), false, 'a plain duplicate of the same delivery');
      assert.equal(await store.claim(k, 60_000, 'delivery-2', true), false, 'another delivery');
      assert.equal(await store.claim(k, 60_000, 'delivery-1', true), true, 'the same delivery, re-run after a crash');
    });

    it('should remember threads with an expiry, and extend a mark when remembered again', async () => {
      const [thread, other] = [key('thread'), key('thread')];
      await store.remember(thread, 1000);
      assert.equal(await store.isActive(thread), true);
      assert.equal(await store.isActive(other), false);
      clock += 500;
      await store.remember(thread, 1000);
      clock += 999;
      assert.equal(await store.isActive(thread), true);
      clock += 1;
      assert.equal(await store.isActive(thread), false);
    });
  });
}
