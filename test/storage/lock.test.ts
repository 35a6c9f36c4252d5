import { MemoryConversationLock } from '../../src/storage/ConversationLock';
import { MongoConversationLock } from '../../src/storage/MongoConversationLock';
import type { BotStateRecord } from '../../src/storage/mongoDocuments';
import { useMongoDatabase } from '../support/mongo';
import { runConversationLockTests } from './lockConformance';

describe('ConversationLock', () => {
  runConversationLockTests('MemoryConversationLock', (clock) => new MemoryConversationLock(clock));

  describe('on MongoDB', () => {
    const mongo = useMongoDatabase('lock');
    let counter = 0;
    runConversationLockTests('MongoConversationLock', (clock) => {
      counter += 1;
      return new MongoConversationLock(mongo.db.collection<BotStateRecord>(`lock_${counter}`), clock);
    });
  });
});
