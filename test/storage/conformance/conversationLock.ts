import assert from 'node:assert/strict';
import type { Clock, ConversationLock } from '../../../src/storage/ConversationLock';

/** Makes a fresh lock whose notion of "now" is `clock`. */
export type LockFactory = (clock: Clock) => ConversationLock | Promise<ConversationLock>;

/** One specification for every ConversationLock. */
export function runConversationLockTests(name: string, factory: LockFactory): void {
  describe(`${name} (lock conformance)`, () => {
    let now: number;
    let lock: ConversationLock;
    const key = 'msteams/conversations/a:1.$x';

    beforeEach(async () => {
      now = 1_700_000_000_000;
      lock = await factory(() => now);
    });

    it('should grant a free lease and refuse it to another owner', async () => {
      assert.equal(await lock.acquire(key, 'a', 1000), true);
      assert.equal(await lock.acquire(key, 'b', 1000), false);
    });

    it('should let the holder acquire again', async () => {
      assert.equal(await lock.acquire(key, 'a', 1000), true);
      assert.equal(await lock.acquire(key, 'a', 1000), true);
    });

    it('should keep leases of different conversations apart', async () => {
      assert.equal(await lock.acquire(key, 'a', 1000), true);
      assert.equal(await lock.acquire(`${key}-other`, 'b', 1000), true);
    });

    it('should hand a lapsed lease to another owner', async () => {
      await lock.acquire(key, 'a', 1000);
      now += 1001;
      assert.equal(await lock.acquire(key, 'b', 1000), true);
      assert.equal(await lock.renew(key, 'a', 1000), false);
    });

    it('should extend the lease on renew by its holder only', async () => {
      await lock.acquire(key, 'a', 1000);
      now += 900;
      assert.equal(await lock.renew(key, 'a', 1000), true);
      assert.equal(await lock.renew(key, 'b', 1000), false);
      now += 900;
      assert.equal(await lock.acquire(key, 'b', 1000), false);
    });

    it('should free the lease on release by its holder and ignore others', async () => {
      await lock.acquire(key, 'a', 1000);
      await lock.release(key, 'b');
      assert.equal(await lock.acquire(key, 'b', 1000), false);
      await lock.release(key, 'a');
      assert.equal(await lock.acquire(key, 'b', 1000), true);
      await lock.release('never-held', 'a');
    });

    it('should grant exactly one of many concurrent acquires', async () => {
      const owners = Array.from({ length: 12 }, (_, i) => `owner-${i}`);
      const results = await Promise.all(owners.map((owner) => lock.acquire(`${key}-race`, owner, 1000)));
      assert.equal(results.filter(Boolean).length, 1);
    });
  });
}
