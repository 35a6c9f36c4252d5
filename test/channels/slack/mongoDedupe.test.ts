import { strict as assert } from 'node:assert';
import { MongoKeyStore } from '../../../src/storage/mongo/MongoKeyStore';
import { useMongoDatabase } from '../../support/mongo';
import { startSlackApiStub, type SlackApiStub } from '../../support/slackApiStub';
import { dm, startSlackApp, type SlackTestApp } from './support/slackTraffic';

describe('Slack dedupe in MongoDB (real wire server)', function () {
  this.timeout(60_000);
  const mongo = useMongoDatabase('slackdedupe');

  describe('MongoKeyStore', () => {
    it('should let exactly one of many concurrent claims win', async () => {
      const store = new MongoKeyStore(mongo.db, 'slackKeysClaims');

      const results = await Promise.all(Array.from({ length: 20 }, () => store.claim('event:T:Ev-race', 60_000)));

      assert.equal(results.filter(Boolean).length, 1);
    });

    it('should hold a claim across two store instances (two bot processes)', async () => {
      const first = new MongoKeyStore(mongo.db, 'slackKeysShared');
      const second = new MongoKeyStore(mongo.db, 'slackKeysShared');

      assert.equal(await first.claim('event:T:Ev-shared', 60_000), true);
      assert.equal(await second.claim('event:T:Ev-shared', 60_000), false);
    });

    it('should take over an expired claim even when the TTL monitor has not deleted it yet', async () => {
      let clock = 1_000_000;
      const store = new MongoKeyStore(mongo.db, 'slackKeysExpiry', () => clock);
      assert.equal(await store.claim('event:T:Ev-old', 1000), true);

      clock += 999;
      assert.equal(await store.claim('event:T:Ev-old', 1000), false);
      clock += 1;
      assert.equal(await store.claim('event:T:Ev-old', 1000), true);
      assert.equal(await store.claim('event:T:Ev-old', 1000), false);
    });

    it('should create a TTL index on expiresAt', async () => {
      const store = new MongoKeyStore(mongo.db, 'slackKeysIndex');
      await store.ensureIndexes();

      const indexes = await mongo.db.collection('slackKeysIndex').indexes();

      assert.ok(indexes.some((i) => i.key.expiresAt === 1 && i.expireAfterSeconds === 0));
    });

    it('should remember threads with an expiry', async () => {
      let clock = 5_000_000;
      const store = new MongoKeyStore(mongo.db, 'slackKeysThreads', () => clock);
      await store.remember('thread:T:C:1.1:U', 1000);

      assert.equal(await store.isActive('thread:T:C:1.1:U'), true);
      assert.equal(await store.isActive('thread:T:C:2.2:U'), false);
      clock += 1000;
      assert.equal(await store.isActive('thread:T:C:1.1:U'), false);
    });
  });

  describe('two bot instances sharing one MongoDB', () => {
    let stub: SlackApiStub;
    let instances: SlackTestApp[];

    before(async () => {
      stub = await startSlackApiStub();
      const env = { MONGODB_URI: mongo.uri, MONGODB_DB: mongo.db.databaseName };
      instances = [await startSlackApp(stub, env), await startSlackApp(stub, env)];
    });
    after(async () => {
      for (const instance of instances ?? []) await instance.close();
      await stub?.stop();
    });

    it('should reply once per event when every delivery reaches both instances, twice each', async () => {
      const events = Array.from({ length: 20 }, (_, i) => dm(`U-x${i}`, `D-x${i}`, 'where is my order 12345'));

      await Promise.all(
        events.flatMap((event) => instances.flatMap((instance) => [instance.sender.event(event), instance.sender.event(event, { retryNum: 1 })])),
      );
      for (const instance of instances) await instance.idle();

      assert.equal(stub.succeeded('chat.postMessage').length, 20);
      assert.equal(new Set(stub.succeeded('chat.postMessage').map((c) => c.params.channel)).size, 20);
    });
  });
});
