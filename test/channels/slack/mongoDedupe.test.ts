import { strict as assert } from 'node:assert';
import { MongoKeyStore } from '../../../src/storage/mongo/MongoKeyStore';
import { useMongoDatabase } from '../../support/mongo';
import { startSlackApiStub, type SlackApiStub } from '../../support/slackApiStub';
import { dm, startSlackApp, type SlackTestApp } from './support/slackTraffic';

describe('Slack dedupe in MongoDB (real wire server)', function () {
  this.timeout(60_000);
  const mongo = useMongoDatabase('slackdedupe');

  // The Slack key store contract (memory and MongoDB) is in test/storage/conformance/.
  describe('MongoKeyStore', () => {
    it('should hold a claim across two store instances (two bot processes)', async () => {
      const first = new MongoKeyStore(mongo.db, 'slackKeysShared');
      const second = new MongoKeyStore(mongo.db, 'slackKeysShared');

      assert.equal(await first.claim('event:T:Ev-shared', 60_000), true);
      assert.equal(await second.claim('event:T:Ev-shared', 60_000), false);
    });

    it('should create a TTL index on expiresAt', async () => {
      const store = new MongoKeyStore(mongo.db, 'slackKeysIndex');
      await store.ensureIndexes();

      const indexes = await mongo.db.collection('slackKeysIndex').indexes();

      assert.ok(indexes.some((i) => i.key.expiresAt === 1 && i.expireAfterSeconds === 0));
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
