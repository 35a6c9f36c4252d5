import { strict as assert } from 'node:assert';
import { MongoDirectLineStore } from '../../../src/storage/mongo/MongoDirectLineStore';
import { useMongoDatabase } from '../../support/mongo';

describe('MongoDirectLineStore (MongoDB wire server)', () => {
  const mongo = useMongoDatabase('directline');
  // The DirectLineStore contract (memory and MongoDB) is in test/storage/conformance/.

  it('should create a TTL index so idle conversations expire in MongoDB', async () => {
    const store = new MongoDirectLineStore(mongo.db, { maxActivitiesPerConversation: 10, historyTtlSeconds: 60, prefix: 'ttl_' });
    await store.createConversation('c', 'dl_a');
    const indexes = await mongo.db.collection('ttl_activities').indexes();
    assert.ok(indexes.some((i) => i.name === 'ttl' && i.expireAfterSeconds === 0));
    assert.ok(indexes.some((i) => i.name === 'conv_seq' && i.unique === true));
  });

  it('should wait on a fresh hole in the watermarks and skip an old one', async () => {
    let now = 5_000_000;
    const store = new MongoDirectLineStore(mongo.db, {
      maxActivitiesPerConversation: 100,
      historyTtlSeconds: 3600,
      prefix: 'gap_',
      gapGraceMs: 1000,
      now: () => now,
    });
    await store.createConversation('c', 'dl_a');
    await store.append('c', { type: 'message', text: 'one' });
    // A writer that took watermark 2 but has not inserted yet:
    await mongo.db.collection('gap_conversations').updateOne({ _id: 'c' as never }, { $inc: { seq: 1 } });
    await store.append('c', { type: 'message', text: 'three' });
    assert.deepEqual(
      (await store.list('c', 1, 10)).activities.map((a) => a.text),
      [],
    );
    now += 1500;
    const later = await store.list('c', 1, 10);
    assert.deepEqual(
      later.activities.map((a) => a.text),
      ['three'],
    );
    assert.equal(later.watermark, 3);
  });
});
