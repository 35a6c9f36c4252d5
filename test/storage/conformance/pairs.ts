import { MemoryTranscriptStore, type Storage, type TranscriptStore } from 'botbuilder';
import { type ConversationReferenceStore, MemoryConversationReferenceStore } from '../../../src/channels/references/ConversationReferenceStore';
import { MemoryDirectLineStore } from '../../../src/channels/directline/MemoryDirectLineStore';
import type { DirectLineStore } from '../../../src/channels/directline/store';
import { type DeliveryInbox, MemoryDeliveryInbox } from '../../../src/channels/slack/store/DeliveryInbox';
import { type Clock, type EventDeduplicator, MemoryKeyStore, type ThreadRegistry } from '../../../src/channels/slack/store/EventDeduplicator';
import type { HandoffStore } from '../../../src/handoff/store/HandoffStore';
import { MemoryHandoffStore } from '../../../src/handoff/store/MemoryHandoffStore';
import { MemoryRateLimitStore, type RateLimitStore } from '../../../src/server/rateLimitStore';
import { type ConversationLock, MemoryConversationLock } from '../../../src/storage/ConversationLock';
import { MemoryStorage } from '../../../src/storage/MemoryStorage';
import { MongoConversationLock } from '../../../src/storage/mongo/MongoConversationLock';
import type { BotStateRecord } from '../../../src/storage/mongo/mongoDocuments';
import { MongoStorage } from '../../../src/storage/mongo/MongoStorage';
import { MongoTranscriptStore, type TranscriptDocument } from '../../../src/storage/mongo/MongoTranscriptStore';
import { MongoAttemptStore } from '../../../src/storage/mongo/MongoAttemptStore';
import { MongoConversationReferenceStore } from '../../../src/storage/mongo/MongoConversationReferenceStore';
import { MongoDeliveryInbox } from '../../../src/storage/mongo/MongoDeliveryInbox';
import { MongoDirectLineStore } from '../../../src/storage/mongo/MongoDirectLineStore';
import { MongoHandoffStore, type SeenDocument, type TicketDocument } from '../../../src/storage/mongo/MongoHandoffStore';
import { MongoKeyStore } from '../../../src/storage/mongo/MongoKeyStore';
import { MongoRateLimitStore } from '../../../src/storage/mongo/MongoRateLimitStore';
import { type AttemptStore, MemoryAttemptStore } from '../../../src/verification/attemptStore';
import { type ConformanceStorageOptions, runStorageConformanceTests } from './botState';
import { runConversationLockTests } from './conversationLock';
import { runDirectLineStoreConformance } from './directLine';
import { runHandoffStoreConformance } from './handoffTickets';
import { type ConformancePair, definePair } from './harness';
import { runRateLimitStoreConformance } from './rateLimits';
import { runReferenceStoreConformance } from './references';
import { runDeliveryInboxConformance } from './slackDeliveries';
import { runSlackKeyStoreConformance } from './slackKeys';
import { runTranscriptStoreTests } from './transcripts';
import { runAttemptStoreConformance } from './verificationAttempts';

/**
 * Every store pair of src/storage/createStores.ts, registered once: the conformance test runs
 * each suite against the memory twin and against MongoDB. A new store adds one entry here.
 */
export const STORE_PAIRS: readonly ConformancePair[] = [
  definePair<Storage, ConformanceStorageOptions | undefined>({
    store: 'layer.storage',
    memory: { name: 'MemoryStorage', make: (options) => new MemoryStorage(options) },
    mongo: { name: 'MongoStorage', make: (db, options, fresh) => new MongoStorage(db.collection<BotStateRecord>(fresh), options) },
    cases: (name, make) => runStorageConformanceTests(name, make),
  }),
  definePair<ConversationLock, Clock>({
    store: 'layer.lock',
    memory: { name: 'MemoryConversationLock', make: (clock) => new MemoryConversationLock(clock) },
    mongo: { name: 'MongoConversationLock', make: (db, clock, fresh) => new MongoConversationLock(db.collection<BotStateRecord>(fresh), clock) },
    cases: (name, make) => runConversationLockTests(name, make),
  }),
  definePair<TranscriptStore, void>({
    store: 'layer.transcripts',
    // The memory layer logs to botbuilder's own MemoryTranscriptStore.
    memory: { name: 'MemoryTranscriptStore', make: () => new MemoryTranscriptStore() },
    mongo: { name: 'MongoTranscriptStore', make: (db, _options, fresh) => new MongoTranscriptStore(db.collection<TranscriptDocument>(fresh)) },
    cases: (name, make) => runTranscriptStoreTests(name, make),
  }),
  definePair<ConversationReferenceStore, void>({
    store: 'references',
    memory: { name: 'MemoryConversationReferenceStore', make: () => new MemoryConversationReferenceStore() },
    mongo: { name: 'MongoConversationReferenceStore', make: (db, _options, fresh) => new MongoConversationReferenceStore(db, { collection: fresh }) },
    cases: (name, make) => runReferenceStoreConformance(name, make),
  }),
  definePair<EventDeduplicator & ThreadRegistry, Clock>({
    store: 'slack.keys',
    memory: { name: 'MemoryKeyStore', make: (clock) => new MemoryKeyStore(clock) },
    mongo: { name: 'MongoKeyStore', make: (db, clock, fresh) => new MongoKeyStore(db, fresh, clock) },
    cases: (name, make) => runSlackKeyStoreConformance(name, make),
  }),
  definePair<DeliveryInbox, Clock>({
    store: 'slack.inbox',
    memory: { name: 'MemoryDeliveryInbox', make: (clock) => new MemoryDeliveryInbox(clock) },
    mongo: { name: 'MongoDeliveryInbox', make: (db, clock, fresh) => new MongoDeliveryInbox(db, fresh, clock) },
    cases: (name, make) => runDeliveryInboxConformance(name, make),
  }),
  definePair<DirectLineStore, number>({
    store: 'directLine',
    memory: { name: 'MemoryDirectLineStore', make: (max) => new MemoryDirectLineStore({ maxActivitiesPerConversation: max, historyTtlSeconds: 3600 }) },
    mongo: {
      name: 'MongoDirectLineStore',
      make: (db, max, fresh) => new MongoDirectLineStore(db, { maxActivitiesPerConversation: max, historyTtlSeconds: 3600, prefix: `${fresh}_` }),
    },
    close: (store) => store.close(),
    cases: (name, make) => runDirectLineStoreConformance(name, make),
  }),
  definePair<HandoffStore, void>({
    store: 'handoffTickets',
    memory: { name: 'MemoryHandoffStore', make: () => new MemoryHandoffStore() },
    mongo: {
      name: 'MongoHandoffStore',
      make: (db, _options, fresh) => new MongoHandoffStore(db.collection<TicketDocument>(`${fresh}_tickets`), db.collection<SeenDocument>(`${fresh}_seen`)),
    },
    cases: (name, make) => runHandoffStoreConformance(name, make),
  }),
  definePair<RateLimitStore, void>({
    store: 'rateLimits',
    memory: { name: 'MemoryRateLimitStore', make: () => new MemoryRateLimitStore() },
    mongo: { name: 'MongoRateLimitStore', make: (db, _options, fresh) => new MongoRateLimitStore(db, fresh) },
    cases: (name, make) => runRateLimitStoreConformance(name, make),
  }),
  definePair<AttemptStore, void>({
    store: 'verificationAttempts',
    memory: { name: 'MemoryAttemptStore', make: () => new MemoryAttemptStore() },
    // One fixed collection (the class names it); the suite's keys are unique per test.
    mongo: { name: 'MongoAttemptStore', make: (db) => new MongoAttemptStore(db) },
    cases: (name, make) => runAttemptStoreConformance(name, make),
  }),
];
