import type { AppConfig } from '../config/config';
import type { DirectLineStore } from '../channels/directline/store';
import type { ConversationReferenceStore } from '../channels/references/ConversationReferenceStore';
import type { SlackStores } from '../channels/slack/SlackBridge';
import type { HandoffStore } from '../handoff/store/HandoffStore';
import type { RateLimitStore } from '../server/rateLimitStore';
import type { StorageLayer } from '../storage/createStorageLayer';
import { createStores } from '../storage/createStores';
import type { Logger } from '../telemetry/logger';
import type { AttemptStore } from '../verification/attemptStore';

/**
 * Every store the running bot uses, from the store factory (src/storage/createStores.ts: MongoDB
 * when the bot has a database, else this process's memory). Channels, the handoff desk and the
 * bot receive them from here.
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

/**
 * Connects the storage layer, then hands out the stores the enabled features need. Memory or
 * MongoDB is chosen in one place, src/storage/createStores.ts; this only picks by feature.
 */
export async function buildStores(config: AppConfig, logger: Logger, overrides: StoreOverrides): Promise<AppStores> {
  const stores = await createStores(config.storage, {
    onBackgroundError: (err, what) => logger.warn({ err, what }, 'storage problem (the bot keeps running)'),
    ...(overrides.storageLayer ? { layer: overrides.storageLayer } : {}),
  });
  const directLine = config.directLine;
  const selfHostedDirectLine = directLine.enabled && directLine.mode === 'self-hosted';
  return {
    kind: stores.kind,
    layer: stores.layer,
    references: stores.references,
    rateLimits: stores.rateLimits,
    verificationAttempts: stores.verificationAttempts,
    ...(selfHostedDirectLine
      ? {
          directLine: stores.directLine({
            maxActivitiesPerConversation: directLine.maxActivitiesPerConversation,
            historyTtlSeconds: directLine.historyTtlSeconds,
            maxConversationBytes: directLine.maxConversationBytes,
            maxMemoryBytes: directLine.maxMemoryBytes,
          }),
        }
      : {}),
    ...(config.slack ? { slack: stores.slack } : {}),
    ...(config.handoff.slackChannel && config.slack ? { handoffTickets: stores.handoffTickets } : {}),
  };
}
