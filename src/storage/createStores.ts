import { type ConversationReferenceStore, MemoryConversationReferenceStore } from '../channels/references/ConversationReferenceStore';
import type { DirectLineStore, DirectLineStoreLimits } from '../channels/directline/store';
import { MemoryDirectLineStore } from '../channels/directline/MemoryDirectLineStore';
import type { SlackStores } from '../channels/slack/SlackBridge';
import { MemoryDeliveryInbox } from '../channels/slack/store/DeliveryInbox';
import { MemoryKeyStore } from '../channels/slack/store/EventDeduplicator';
import type { StorageConfig } from '../config/storage';
import type { HandoffStore } from '../handoff/store/HandoffStore';
import { MemoryHandoffStore } from '../handoff/store/MemoryHandoffStore';
import { MemoryRateLimitStore, type RateLimitStore } from '../server/rateLimitStore';
import { type AttemptStore, MemoryAttemptStore } from '../verification/attemptStore';
import { createStorageLayer, type StorageLayer, type StorageLayerDeps } from './createStorageLayer';

/** Collection of the Slack channel's delivery claims and thread marks. */
export const SLACK_KEYS_COLLECTION = 'slackKeys';

/**
 * Every store of the bot, of one kind: all in this process's memory, or all in MongoDB. This
 * factory is the only place that chooses; the rest of the code sees the interfaces (which live
 * next to their consumers) and never imports `mongodb`.
 */
export interface Stores {
  readonly kind: StorageConfig['kind'];
  /** Bot state (botbuilder `Storage`), the conversation lock and transcripts, with the turn middleware built on them. */
  readonly layer: StorageLayer;
  /** Latest ConversationReference per conversation (proactive messages, handoff relay). */
  readonly references: ConversationReferenceStore;
  /** The Slack channel's delivery claims (dedupe), thread marks and delivery inbox. */
  readonly slack: SlackStores;
  /** Human-handoff tickets and their outbox. */
  readonly handoffTickets: HandoffStore;
  /** Counters of every rate limit (bot, HTTP edge, handoff tickets). */
  readonly rateLimits: RateLimitStore;
  /** Failed order-verification checks per hashed key. */
  readonly verificationAttempts: AttemptStore;
  /**
   * Opens the Direct Line activity log with the channel's limits. A method, not a field: the log
   * runs a sweeper, so it exists only while the self-hosted channel does (which closes it).
   */
  directLine(limits: DirectLineStoreLimits): DirectLineStore;
  /** Readiness: true when the database answers a ping quickly (always true in memory). */
  isReady(): Promise<boolean>;
  /** Closes the connection pool (the layer's). Safe to call twice. */
  close(): Promise<void>;
}

export interface StoresDeps extends StorageLayerDeps {
  /**
   * A state layer built already (tests and benchmarks build one with driver monitoring): every
   * other store then uses its kind and database instead of connecting again.
   */
  layer?: StorageLayer;
}

/**
 * Builds every store from configuration: connects to MongoDB once (bounded wait, indexes of the
 * state and of the verification attempts ensured) or keeps everything in memory. Never falls
 * back from one to the other. Stores whose indexes are created lazily (Slack keys and
 * deliveries, references, Direct Line) or by their owner's start (handoff tickets) keep doing so.
 */
export async function createStores(config: StorageConfig, deps: StoresDeps = {}): Promise<Stores> {
  const { layer: given, ...layerDeps } = deps;
  const layer = given ?? (await createStorageLayer(config, layerDeps));
  const { db, cipher } = layer;
  const common = { kind: layer.kind, layer, isReady: () => layer.isReady(), close: () => layer.close() };
  if (!db) {
    return {
      ...common,
      references: new MemoryConversationReferenceStore(),
      slack: { keys: new MemoryKeyStore(), inbox: new MemoryDeliveryInbox(), kind: 'memory' },
      handoffTickets: new MemoryHandoffStore(),
      rateLimits: new MemoryRateLimitStore(),
      verificationAttempts: new MemoryAttemptStore(),
      directLine: (limits) => new MemoryDirectLineStore(limits),
    };
  }
  // The MongoDB stores (and through them the driver, about 16 MB of idle memory) load only for
  // a database (docs/performance.md).
  const { MongoAttemptStore } = require('./mongo/MongoAttemptStore') as typeof import('./mongo/MongoAttemptStore.js');
  const { MongoConversationReferenceStore } = require('./mongo/MongoConversationReferenceStore') as typeof import('./mongo/MongoConversationReferenceStore.js');
  const { MongoDeliveryInbox } = require('./mongo/MongoDeliveryInbox') as typeof import('./mongo/MongoDeliveryInbox.js');
  const { MongoDirectLineStore } = require('./mongo/MongoDirectLineStore') as typeof import('./mongo/MongoDirectLineStore.js');
  const { MongoHandoffStore } = require('./mongo/MongoHandoffStore') as typeof import('./mongo/MongoHandoffStore.js');
  const { MongoKeyStore } = require('./mongo/MongoKeyStore') as typeof import('./mongo/MongoKeyStore.js');
  const { MongoRateLimitStore } = require('./mongo/MongoRateLimitStore') as typeof import('./mongo/MongoRateLimitStore.js');
  const verificationAttempts = new MongoAttemptStore(db);
  try {
    await verificationAttempts.ensureIndexes();
  } catch (error) {
    if (!given) await layer.close().catch(() => undefined);
    throw error;
  }
  return {
    ...common,
    references: new MongoConversationReferenceStore(db, cipher ? { cipher } : {}),
    slack: { keys: new MongoKeyStore(db, SLACK_KEYS_COLLECTION), inbox: new MongoDeliveryInbox(db), kind: 'mongodb' },
    handoffTickets: MongoHandoffStore.fromDb(db, cipher),
    rateLimits: new MongoRateLimitStore(db),
    verificationAttempts,
    directLine: (limits) => new MongoDirectLineStore(db, limits),
  };
}
