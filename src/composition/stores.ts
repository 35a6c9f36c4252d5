import type { Db } from 'mongodb';
import type { AppConfig } from '../config/config';
import { MemoryDirectLineStore } from '../channels/directline/MemoryDirectLineStore';
import { MongoDirectLineStore } from '../channels/directline/MongoDirectLineStore';
import type { DirectLineStore } from '../channels/directline/store';
import { MemoryConversationReferenceStore, type ConversationReferenceStore } from '../channels/references/ConversationReferenceStore';
import { MongoConversationReferenceStore } from '../channels/references/MongoConversationReferenceStore';
import type { SlackStores } from '../channels/slack/SlackBridge';
import { MemoryKeyStore } from '../channels/slack/store/EventDeduplicator';
import type { HandoffStore } from '../handoff/store/HandoffStore';
import { MemoryHandoffStore } from '../handoff/store/MemoryHandoffStore';
import { MongoHandoffStore } from '../handoff/store/MongoHandoffStore';
import { createRateLimitStore, type RateLimitStore } from '../server/rateLimitStore';
import { createStorageLayer, type StorageLayer } from '../storage/createStorageLayer';
import type { Logger } from '../telemetry/logger';
import { MemoryAttemptStore, MongoAttemptStore, type AttemptStore } from '../verification/attemptStore';

/**
 * Every store the running bot uses, built in one place: MongoDB when the bot has a database,
 * else this process's memory. Channels, the handoff desk and the bot receive them from here.
 */
export interface AppStores {
  /** Where the stores live (for start-up log lines). */
  readonly kind: 'mongodb' | 'memory';
  /** Bot state, conversation leases and transcripts (connected and indexed). */
  readonly layer: StorageLayer;
  /** Latest conversation reference per conversation (proactive messages). */
  readonly references: ConversationReferenceStore;
  /** Counters of every rate limit (limits hold across instances with MongoDB). */
  readonly rateLimits: RateLimitStore;
  /** Failed order checks (ORDER_VERIFICATION lockouts). */
  readonly verificationAttempts: AttemptStore;
  /** The self-hosted Direct Line's activity log; undefined unless that endpoint is enabled. */
  readonly directLine?: DirectLineStore;
  /** Native Slack's delivery claims, thread marks and delivery inbox; undefined without Slack. */
  readonly slack?: SlackStores;
  /** Handoff tickets; undefined without an agent desk (SLACK_HANDOFF_CHANNEL). */
  readonly handoffTickets?: HandoffStore & { ensureIndexes?(): Promise<void> };
}

/** Parts a test may hand in instead of the configured storage layer. */
export interface StoreOverrides {
  storageLayer?: StorageLayer;
}

/** Connects the storage layer, then builds the stores the enabled features need. */
export async function buildStores(config: AppConfig, logger: Logger, overrides: StoreOverrides): Promise<AppStores> {
  const layer =
    overrides.storageLayer ??
    (await createStorageLayer(config.storage, {
      onBackgroundError: (err, what) => logger.warn({ err, what }, 'storage problem (the bot keeps running)'),
    }));
  const { db, cipher } = layer;
  const directLine = config.directLine;
  const directLineLimits = {
    maxActivitiesPerConversation: directLine.maxActivitiesPerConversation,
    historyTtlSeconds: directLine.historyTtlSeconds,
    maxConversationBytes: directLine.maxConversationBytes,
    maxMemoryBytes: directLine.maxMemoryBytes,
  };
  const selfHostedDirectLine = directLine.enabled && directLine.mode === 'self-hosted';
  const verificationAttempts = db ? new MongoAttemptStore(db) : new MemoryAttemptStore();
  if (verificationAttempts instanceof MongoAttemptStore) await verificationAttempts.ensureIndexes();
  return {
    kind: db ? 'mongodb' : 'memory',
    layer,
    references: db ? new MongoConversationReferenceStore(db, cipher ? { cipher } : {}) : new MemoryConversationReferenceStore(),
    rateLimits: createRateLimitStore(db),
    verificationAttempts,
    ...(selfHostedDirectLine ? { directLine: db ? new MongoDirectLineStore(db, directLineLimits) : new MemoryDirectLineStore(directLineLimits) } : {}),
    ...(config.slack ? { slack: slackStores(db) } : {}),
    ...(config.handoff.slackChannel && config.slack ? { handoffTickets: db ? MongoHandoffStore.fromDb(db, cipher) : new MemoryHandoffStore() } : {}),
  };
}

/**
 * Native Slack's stores, loaded only when Slack is configured: their modules pull in the MongoDB
 * driver, about 16 MB of idle memory on memory state (docs/performance.md).
 */
function slackStores(db: Db | undefined): SlackStores {
  const { MemoryDeliveryInbox, MongoDeliveryInbox } =
    require('../channels/slack/store/DeliveryInbox') as typeof import('../channels/slack/store/DeliveryInbox.js');
  if (!db) return { keys: new MemoryKeyStore(), inbox: new MemoryDeliveryInbox(), kind: 'memory' };
  const { MongoKeyStore } = require('../channels/slack/store/MongoKeyStore') as typeof import('../channels/slack/store/MongoKeyStore.js');
  return { keys: new MongoKeyStore(db, 'slackKeys'), inbox: new MongoDeliveryInbox(db), kind: 'mongodb' };
}
