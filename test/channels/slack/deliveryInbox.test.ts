import { strict as assert } from 'node:assert';
import { MemoryDeliveryInbox, type DeliveryInbox } from '../../../src/channels/slack/store/DeliveryInbox';
import { MongoDeliveryInbox } from '../../../src/storage/mongo/MongoDeliveryInbox';
import { MemoryKeyStore } from '../../../src/channels/slack/store/EventDeduplicator';
import { MongoKeyStore } from '../../../src/storage/mongo/MongoKeyStore';
import { useMongoDatabase } from '../../support/mongo';

/** The behaviour every DeliveryInbox must have (memory twin and MongoDB). */
function runDeliveryInboxConformance(name: string, create: (clock: () => number, fresh: string) => DeliveryInbox): void {
  describe(`${name} (DeliveryInbox conformance)`, () => {
    let clock: number;
    let inbox: DeliveryInbox;
    let n = 0;
    let key: string;
    beforeEach(() => {
      clock = 1_000_000;
      key = `delivery:T:Ev${++n}-${Date.now()}`;
      inbox = create(() => clock, `slackDeliveries${n}`);
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

describe('Slack delivery inbox and holder-aware claims', function () {
  this.timeout(60_000);
  runDeliveryInboxConformance('MemoryDeliveryInbox', (clock) => new MemoryDeliveryInbox(clock));
  const mongo = useMongoDatabase('slackinbox');
  runDeliveryInboxConformance('MongoDeliveryInbox', (clock, fresh) => new MongoDeliveryInbox(mongo.db, fresh, clock));

  for (const [name, create] of [
    ['MemoryKeyStore', () => new MemoryKeyStore()],
    ['MongoKeyStore', () => new MongoKeyStore(mongo.db, 'slackKeysHolder')],
  ] as const) {
    it(`should give a claim back to its own delivery only when it is processed again (${name})`, async () => {
      const store = create();
      const k = `action:T:C:${Date.now()}:${name}`;
      assert.equal(await store.claim(k, 60_000, 'delivery-1'), true);
      assert.equal(await store.claim(k, 60_000, 'delivery-1'), false, 'a plain duplicate of the same delivery');
      assert.equal(await store.claim(k, 60_000, 'delivery-2', true), false, 'another delivery');
      assert.equal(await store.claim(k, 60_000, 'delivery-1', true), true, 'the same delivery, re-run after a crash');
    });
  }
});
