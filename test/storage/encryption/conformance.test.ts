import { randomBytes } from 'node:crypto';
import { MongoHandoffStore, type SeenDocument, type TicketDocument } from '../../../src/storage/mongo/MongoHandoffStore';
import { EncryptedStorage } from '../../../src/storage/encryption/EncryptedStorage';
import { FieldCipher } from '../../../src/storage/encryption/FieldCipher';
import { MemoryStorage } from '../../../src/storage/MemoryStorage';
import { MongoStorage } from '../../../src/storage/mongo/MongoStorage';
import type { BotStateRecord } from '../../../src/storage/mongo/mongoDocuments';
import { runHandoffStoreConformance } from '../conformance/handoffTickets';
import { useMongoDatabase } from '../../support/mongo';
import { runStorageConformanceTests } from '../conformance/botState';

/** Encryption must not change what a store does: the same conformance suites, encrypted. */
describe('field encryption: stores keep their contracts', () => {
  const cipher = new FieldCipher([{ id: 'k1', key: randomBytes(32) }]);

  runStorageConformanceTests('EncryptedStorage(MemoryStorage)', (options) => new EncryptedStorage(new MemoryStorage(options), cipher));

  describe('on MongoDB', () => {
    const mongo = useMongoDatabase('encconf');
    let n = 0;
    runStorageConformanceTests('EncryptedStorage(MongoStorage)', (options) => {
      n += 1;
      return new EncryptedStorage(new MongoStorage(mongo.db.collection<BotStateRecord>(`state_${n}`), options), cipher);
    });
    runHandoffStoreConformance('MongoHandoffStore with field encryption', () => {
      n += 1;
      return new MongoHandoffStore(mongo.db.collection<TicketDocument>(`tickets_${n}`), mongo.db.collection<SeenDocument>(`seen_${n}`), cipher);
    });
  });
});
