import type { TurnContext } from 'botbuilder-core';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { webApi } from '@slack/bolt';
import { slackSdkLogger } from '../channels/slack/slackLogger';
import type { ConversationState } from 'botbuilder';
import type { HandoffConfig } from '../config/handoff';
import type { Logger } from '../telemetry/logger';
import { AgentHandoff } from './AgentHandoff';
import { ChannelMessenger, type LatestReference } from './CustomerMessenger';
import { CustomerHandoff, type HandoffPointer } from './CustomerHandoff';
import type { HandoffDependencies, HandoffMetrics } from './HandoffDependencies';
import { HandoffEvents } from './handoffEvents';
import { HandoffSweeper } from './HandoffSweeper';
import { RecentTranscript, type RecentLines } from './recentTranscript';
import { SlackAgentDesk } from './slack/SlackAgentDesk';
import { WebClientDeskApi, type SlackDeskApi } from './slack/SlackDeskApi';
import { SlackDeskEvents } from './slack/SlackDeskEvents';
import { AgentAuthorizer } from './slack/AgentAuthorizer';
import { TicketNotifier } from './TicketNotifier';
import type { HandoffStore } from './store/HandoffStore';
import type { ConversationEvents } from '../../dialogs/conversationEvents';

import { HandoffStateKeys } from './stateKeys';

export { HandoffStateKeys };

export interface HandoffLayerOptions {
  config: HandoffConfig;
  /** The Slack app the desk posts as (the same app as the Slack channel). */
  slack: { botToken: string; apiUrl: string; apiRetries: number };
  /** The tickets: MongoDB shared by every instance, or this process's memory (one instance only). */
  store: HandoffStore & { ensureIndexes?(): Promise<void> };
  /** Where the tickets live (for the start-up log line). */
  storeKind: 'mongodb' | 'memory';
  conversationState: ConversationState;
  metrics: HandoffMetrics;
  logger: Logger;
  /** Newest stored reference of a conversation (the channels' ConversationReferenceStore). */
  latestReference?: LatestReference;
  /** The clock for timers and business hours; tests move it. */
  now?: () => number;
  /** Rations new tickets (see HandoffDependencies.mayOpenTicket). */
  mayOpenTicket?: (context: TurnContext) => Promise<boolean>;
  /** Replaces the Slack Web API calls of the desk (tests). */
  deskApi?: SlackDeskApi;
  /** Conversation events (satisfaction ratings reach analytics, metrics and the transcript). */
  conversationEvents?: ConversationEvents;
}

/** The human handoff, built: what the composition root wires into the bot and the channels. */
export interface HandoffLayer {
  /** The dialogs' HandoffRequester and the bot's message gate. */
  readonly customer: CustomerHandoff;
  readonly agents: AgentHandoff;
  /** Slack traffic from the agents' channel; the Slack bridge hands it here. */
  readonly deskEvents: SlackDeskEvents;
  /** Register each channel's adapter here for proactive messages. */
  readonly messenger: ChannelMessenger;
  readonly sweeper: HandoffSweeper;
  /** handoff.initiate / handoff.status events, for other agent hubs to subscribe to. */
  readonly events: HandoffEvents;
  readonly store: HandoffStore;
  /** Creates indexes and starts the timer sweeper. */
  start(): Promise<void>;
  /** Stops the sweeper (waiting for a run in progress). */
  close(): Promise<void>;
}

/** Builds the handoff to agents in SLACK_HANDOFF_CHANNEL. */
export function createHandoffLayer(options: HandoffLayerOptions): HandoffLayer {
  const { config, logger: rootLogger } = options;
  if (!config.slackChannel) throw new Error('createHandoffLayer: SLACK_HANDOFF_CHANNEL is not set.');
  const logger = rootLogger.child({ component: 'handoff' });
  const now = options.now ?? Date.now;

  const { store } = options;
  const api = options.deskApi ?? new WebClientDeskApi(deskWebClient(options.slack, logger));
  const desk = new SlackAgentDesk(api, config.slackChannel);
  const messenger = new ChannelMessenger(options.latestReference);
  const events = new HandoffEvents(config.eventChannels);
  const deps: HandoffDependencies = {
    store,
    desk,
    messenger,
    events,
    metrics: options.metrics,
    hours: config.hours,
    timings: { queueTimeoutMs: config.queueTimeoutMs, idleTimeoutMs: config.idleTimeoutMs, followUpMs: config.followUpMs },
    logger,
    now,
    ...(options.conversationEvents ? { conversationEvents: options.conversationEvents } : {}),
    ...(options.mayOpenTicket ? { mayOpenTicket: options.mayOpenTicket } : {}),
  };
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const notifier = new TicketNotifier(deps, owner, config.outboxLeaseMs);
  const recent = new RecentTranscript(options.conversationState.createProperty<RecentLines>(HandoffStateKeys.recent), config.transcriptLines, now);
  const customer = new CustomerHandoff(deps, notifier, options.conversationState.createProperty<HandoffPointer>(HandoffStateKeys.pointer), recent);
  const agents = new AgentHandoff(deps, notifier);
  const authorizer = new AgentAuthorizer({
    userIds: config.agentUserIds,
    ...(config.agentUsergroup ? { usergroup: config.agentUsergroup } : {}),
    usergroupMembers: (group) => api.usergroupMembers(group),
    logger,
    now,
  });
  const deskEvents = new SlackDeskEvents({ agents, api, channel: config.slackChannel, logger, authorizer, now });
  const sweeper = new HandoffSweeper(deps, notifier, { owner, intervalMs: config.sweepIntervalMs });

  return {
    customer,
    agents,
    deskEvents,
    messenger,
    sweeper,
    events,
    store,
    async start() {
      await store.ensureIndexes?.();
      sweeper.start();
      logger.info({ channel: config.slackChannel, store: options.storeKind, businessHours: config.businessHours || 'always open' }, 'human handoff ready');
    },
    close: () => sweeper.stop(),
  };
}

/**
 * A WebClient that waits out 429s (Retry-After) instead of failing, and retries 5xx and network
 * errors with backoff: a busy Slack delays tickets, it does not lose them.
 */
function deskWebClient(slack: HandoffLayerOptions['slack'], logger: Logger): webApi.WebClient {
  return new webApi.WebClient(slack.botToken, {
    slackApiUrl: slack.apiUrl,
    logger: slackSdkLogger(logger),
    rejectRateLimitedCalls: false,
    timeout: 10_000,
    retryConfig: { retries: slack.apiRetries, factor: 2, minTimeout: 500, maxTimeout: 30_000, randomize: true },
  });
}
