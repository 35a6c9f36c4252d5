import { strict as assert } from 'node:assert';
import type { DeliveryInbox } from '../../../src/channels/slack/store/DeliveryInbox';

/** The behaviour every DeliveryInbox must have (memory twin and MongoDB). */
export function runDeliveryInboxConformance(name: string, create: (clock: () => number) => DeliveryInbox | Promise<DeliveryInbox>): void {
  describe(`${name} (DeliveryInbox conformance)`, () => {
    let clock: number;
    let inbox: DeliveryInbox;
    let n = 0;
    let key: string;
    beforeEach(async () => {
      clock = 1_000_000;
      key = `delivery:T:Ev${++n}-${Date.now()}`;
      inbox = await create(() => clock);
    });

    it('should record a delivery once, and refuse retries while it runs and after it is done', async () => {
      assert.equal(await inbox.record(key, '{"a":1}', 'one', 5_000), 'new');
      assert.equal(await inbox.record(key, '{"a":1}', 'two', 5_000), 'duplicate');
      await inbox.complete(key);
      clock += 10_000;
      assert.equal(await inbox.record(key, '{"a":1}', 'two', 5_000), 'duplicate', 'done stays done');
      assert.equal(await inbox.claimStale('two', 5_000), undefined);
    });

    it('should let exactly one of concurrent records win', async () => {
      const results = await Promise.all(['a', 'b', 'c', 'd'].map((owner) => inbox.record(key, '{}', owner, 5_000)));
      assert.deepEqual(results.filter((r) => r === 'new').length, 1);
    });

    it('should hand a delivery whose lease lapsed to a retry, or to one sweeper, with its payload', async () => {
      assert.equal(await inbox.record(key, '{"event":"x"}', 'dead', 5_000), 'new');
      assert.equal(await inbox.claimStale('sweeper', 5_000), undefined, 'the lease is live');
      clock += 5_000;
      const [a, b] = await Promise.all([inbox.claimStale('s1', 5_000), inbox.claimStale('s2', 5_000)]);
      const taken = a ?? b;
      assert.ok(taken && !(a && b), 'exactly one sweeper takes it');
      assert.deepEqual(taken, { key, body: '{"event":"x"}' });
      assert.equal(await inbox.record(key, '{"event":"x"}', 'retry', 5_000), 'duplicate', 'the sweeper holds it now');
      clock += 5_000;
      assert.equal(await inbox.record(key, '{"event":"x"}', 'retry', 5_000), 'taken_over', 'a retry after the lease lapsed');
      await inbox.complete(key);
      clock += 10_000;
      assert.equal(await inbox.claimStale('sweeper', 5_000), undefined);
    });
  });
}
