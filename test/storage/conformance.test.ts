import { MemoryStorage as BotbuilderMemoryStorage } from 'botbuilder';
import { MemoryStorage } from '../../src/storage/MemoryStorage';
import { MongoStorage } from '../../src/storage/MongoStorage';
import type { BotStateRecord } from '../../src/storage/mongoDocuments';
import { useMongoDatabase } from '../support/mongo';
import { runStorageConformanceTests } from './storageConformance';

describe('Storage conformance', () => {
  runStorageConformanceTests('MemoryStorage', (options) => new MemoryStorage(options));

  describe('on MongoDB', () => {
    const mongo = useMongoDatabase('conformance');
    let collectionCounter = 0;
    runStorageConformanceTests('MongoStorage', (options) => {
      collectionCounter += 1;
      return new MongoStorage(mongo.db.collection<BotStateRecord>(`state_${collectionCounter}`), options);
    });
  });

  it('should show why botbuilder MemoryStorage is not our twin: it accepts an eTag for a missing item', async () => {
    const storage = new BotbuilderMemoryStorage();
    await storage.write({ k: { n: 1, eTag: 'never-issued' } });
    const read = await storage.read(['k']);
    if (read.k?.n !== 1) throw new Error('botbuilder MemoryStorage changed; re-check whether our twin is still needed');
  });
});
