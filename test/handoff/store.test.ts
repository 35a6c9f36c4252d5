import { MemoryHandoffStore } from '../../src/handoff/store/MemoryHandoffStore';
import { MongoHandoffStore, type SeenDocument, type TicketDocument } from '../../src/storage/mongo/MongoHandoffStore';
import { useMongoDatabase } from '../support/mongo';
import { runHandoffStoreConformance } from './storeConformance';

describe('Handoff stores', () => {
  runHandoffStoreConformance('MemoryHandoffStore', () => new MemoryHandoffStore());

  describe('on MongoDB', () => {
    const mongo = useMongoDatabase('handoff');
    let n = 0;
    const stores: MongoHandoffStore[] = [];
    runHandoffStoreConformance('MongoHandoffStore', () => {
      n += 1;
      const store = new MongoHandoffStore(mongo.db.collection<TicketDocument>(`tickets_${n}`), mongo.db.collection<SeenDocument>(`seen_${n}`));
      stores.push(store);
      return store;
    });

    it('should create its indexes idempotently', async () => {
      const store = MongoHandoffStore.fromDb(mongo.db);
      await store.ensureIndexes();
      await store.ensureIndexes();
    });
  });
});
