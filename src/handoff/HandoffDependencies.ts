import type { TurnContext } from 'botbuilder-core';
import type { BotMetrics } from '../telemetry/metrics';
import type { Logger } from '../telemetry/logger';
import type { AgentDesk } from './AgentDesk';
import type { BusinessHours } from '../config/businessHours';
import type { CustomerMessenger } from './CustomerMessenger';
import type { HandoffEvents } from './handoffEvents';
import type { HandoffStore } from './store/HandoffStore';
import type { TicketTimings } from './ticket';
import type { ConversationEvents } from '../../dialogs/conversationEvents';

/** The part of the metrics the handoff layer reports to. */
export type HandoffMetrics = Pick<BotMetrics, 'handoff'>;

/** What the customer side, the agent side and the sweeper share. Built by the composition root. */
export interface HandoffDependencies {
  store: HandoffStore;
  desk: AgentDesk;
  messenger: CustomerMessenger;
  events: HandoffEvents;
  metrics: HandoffMetrics;
  hours: BusinessHours;
  timings: TicketTimings;
  logger: Logger;
  now: () => number;
  /** Where customer-side outcomes (satisfaction ratings) are reported for analytics. */
  conversationEvents?: ConversationEvents;
  /**
   * Whether this conversation may open another ticket now (rationed per conversation and client
   * address, so anonymous visitors cannot flood the desk); every ticket is allowed when absent.
   */
  mayOpenTicket?: (context: TurnContext) => Promise<boolean>;
}
