import { strict as assert } from 'node:assert';
import type { RateLimitStore } from '../../../src/server/rateLimitStore';

/**
 * The behaviour every rate-limit store must have within one window. (Memory refills a token
 * bucket continuously and MongoDB counts fixed windows; what happens after a window is each
 * implementation's own test, since MongoDB's counters follow the database's clock.)
 */
export function runRateLimitStoreConformance(name: string, make: () => RateLimitStore | Promise<RateLimitStore>): void {
  describe(`${name} (RateLimitStore conformance)`, () => {
    let store: RateLimitStore;
    let n = 0;
    const key = (label: string): string => `${label}:${name}:${++n}`;
    beforeEach(async () => {
      store = await make();
    });

    it('should allow the limit, then refuse with a Retry-After within the window', async () => {
      const k = key('user');
      for (let i = 0; i < 3; i++) assert.deepEqual(await store.take(k, 3, 60), { allowed: true, firstRefusal: false, retryAfterMs: 0 });
      const refused = await store.take(k, 3, 60);
      assert.equal(refused.allowed, false);
      assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 60_000, `retryAfterMs ${refused.retryAfterMs}`);
    });

    it('should flag only the first refusal of a key in its window', async () => {
      const k = key('conversation');
      await store.take(k, 1, 60);
      assert.equal((await store.take(k, 1, 60)).firstRefusal, true);
      assert.equal((await store.take(k, 1, 60)).firstRefusal, false);
      assert.equal((await store.take(k, 1, 60)).firstRefusal, false);
    });

    it('should keep the budgets of different keys apart', async () => {
      const [a, b] = [key('address'), key('address')];
      assert.equal((await store.take(a, 1, 60)).allowed, true);
      assert.equal((await store.take(a, 1, 60)).allowed, false);
      assert.equal((await store.take(b, 1, 60)).allowed, true);
    });

    it('should allow exactly the limit of many concurrent takes', async () => {
      const k = key('burst');
      const results = await Promise.all(Array.from({ length: 12 }, () => store.take(k, 5, 60)));
      assert.equal(results.filter((r) => r.allowed).length, 5);
    });
  });
}
