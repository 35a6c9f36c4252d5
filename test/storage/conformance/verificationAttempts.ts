import { strict as assert } from 'node:assert';
import type { AttemptStore } from '../../../src/verification/attemptStore';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const HOUR = 3_600_000;

/** One behaviour for every failed-check counter: the memory twin and MongoDB. */
export function runAttemptStoreConformance(name: string, make: () => AttemptStore | Promise<AttemptStore>): void {
  describe(`${name} (attempt store conformance)`, () => {
    let store: AttemptStore;
    let n = 0;
    const key = (label: string): string => `${label}-${name}-${++n}`;
    beforeEach(async () => {
      store = await make();
    });

    it('should count failures per key within the window', async () => {
      const [a, b] = [key('a'), key('b')];
      assert.deepEqual(await store.hit([a, b], T0, HOUR), [1, 1]);
      assert.deepEqual(await store.hit([a], T0 + 1000, HOUR), [2]);
      assert.deepEqual(await store.counts([a, b, key('never')], T0 + 2000), [2, 1, 0]);
    });

    it('should start again after the window that began at the first failure', async () => {
      const a = key('a');
      await store.hit([a], T0, HOUR);
      await store.hit([a], T0 + HOUR - 1, HOUR);
      assert.deepEqual(await store.counts([a], T0 + HOUR - 1), [2]);
      assert.deepEqual(await store.counts([a], T0 + HOUR), [0]);
      assert.deepEqual(await store.hit([a], T0 + HOUR, HOUR), [1]);
    });

    it('should count every one of many concurrent failures exactly once', async () => {
      const a = key('a');
      await Promise.all(Array.from({ length: 25 }, () => store.hit([a], T0, HOUR)));
      assert.deepEqual(await store.counts([a], T0 + 1), [25]);
    });

    it('should give back one count per release, never below zero and never after the window', async () => {
      const [a, b] = [key('a'), key('b')];
      await store.hit([a], T0, HOUR);
      await store.hit([a], T0, HOUR);
      await store.release([a, b], T0 + 1);
      assert.deepEqual(await store.counts([a, b], T0 + 2), [1, 0]);
      await store.release([a], T0 + 3);
      await store.release([a], T0 + 4);
      assert.deepEqual(await store.counts([a], T0 + 5), [0]);
      await store.hit([a], T0 + 6, HOUR);
      await store.release([a], T0 + HOUR + 1);
      assert.deepEqual(await store.hit([a], T0 + 7, HOUR), [2]);
    });
  });
}
