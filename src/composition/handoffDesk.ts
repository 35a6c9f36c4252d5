import type { ConversationState, TurnContext } from 'botbuilder';
import type { AppConfig } from '../config/config';
import type { HandoffConfig } from '../config/handoff';
import { CLIENT_ADDRESS_KEY } from '../bot/RateLimiter';
import type { HandoffLayer } from '../handoff/createHandoffLayer';
import type { RateLimitStore } from '../server/rateLimitStore';
import type { Logger } from '../telemetry/logger';
import type { Observability } from '../telemetry/observability';
import type { AppStores } from './stores';

export interface HandoffDeskDependencies {
  stores: AppStores;
  conversationState: ConversationState;
  observability: Observability;
  logger: Logger;
  /** Clock of the handoff's timers and business hours (tests move it). */
  now?: () => number;
}

/** Human handoff to agents in SLACK_HANDOFF_CHANNEL; undefined without it (requests are then logged). */
export function createHandoffDesk(config: AppConfig, deps: HandoffDeskDependencies): HandoffLayer | undefined {
  const { stores } = deps;
  if (!config.handoff.slackChannel || !config.slack || !stores.handoffTickets) return undefined;
  // Loaded only when used: the Slack SDK is about 13 MB of idle memory (docs/performance.md).
  const { createHandoffLayer } = require('../handoff/createHandoffLayer') as typeof import('../handoff/createHandoffLayer.js');
  return createHandoffLayer({
    config: config.handoff,
    slack: config.slack,
    store: stores.handoffTickets,
    storeKind: stores.kind,
    conversationState: deps.conversationState,
    metrics: deps.observability.metrics,
    logger: deps.logger,
    latestReference: (conversationId) => stores.references.get(conversationId),
    conversationEvents: deps.observability.events,
    mayOpenTicket: ticketRation(stores.rateLimits, config.handoff),
    ...(deps.now ? { now: deps.now } : {}),
  });
}

/**
 * New handoff tickets per conversation and per Web Chat client address per hour: every fresh
 * anonymous conversation could otherwise post another ticket to the agents' channel.
 */
function ticketRation(
  store: RateLimitStore,
  limits: Pick<HandoffConfig, 'requestsPerConversationPerHour' | 'requestsPerAddressPerHour'>,
): (context: TurnContext) => Promise<boolean> {
  return async (context) => {
    const { channelId, conversation } = context.activity;
    const address = context.turnState.get(CLIENT_ADDRESS_KEY) as string | undefined;
    const budgets: Array<[string, number]> = [[`handoff:c:${channelId}:${conversation?.id ?? 'none'}`, limits.requestsPerConversationPerHour]];
    if (address) budgets.push([`handoff:a:${address}`, limits.requestsPerAddressPerHour]);
    for (const [key, perHour] of budgets) {
      if (perHour > 0 && !(await store.take(key, perHour, 3600)).allowed) return false;
    }
    return true;
  };
}
