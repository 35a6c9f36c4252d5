import { MongoHandoffStore } from '../../src/storage/mongo/MongoHandoffStore';
import { useMongoDatabase } from '../support/mongo';

// The HandoffStore contract (memory and MongoDB) is in test/storage/conformance/.
describe('Handoff stores', () => {
  describe('on MongoDB', () => {
    const mongo = useMongoDatabase('handoff');

    it('should create its indexes idempotently', async () => {
      const store = MongoHandoffStore.fromDb(mongo.db);
      await store.ensureIndexes();
      await store.ensureIndexes();
    });
  });
});
