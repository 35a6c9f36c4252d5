import type { BotAdapter, ConversationReference, Middleware, TurnContext } from 'botbuilder';
import type restify from 'restify';
import type { AppConfig } from '../config/config';
import type { DirectLineStore } from './directline/store';
import type { SlackDeskTraffic, SlackStores } from './slack/SlackBridge';
import type { InboundLimits } from '../server/inbound';
import type { SessionGate } from '../server/sessionGate';
import type { Logger } from '../telemetry/logger';
import type { BotMetrics } from '../telemetry/metrics';

/** Runs `logic` in a turn of the conversation `reference` points to (a proactive message). */
export type ContinueConversation = (reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>) => Promise<void>;

/** What a channel does with the proactive messages (agents' replies) of its conversations. */
export interface ProactiveSender {
  /**
   * True for the conversation references this channel owns; absent: the channel takes every
   * conversation no other channel owns (the Bot Framework channel: Teams, Azure Web Chat, Emulator).
   */
  owns?(reference: Partial<ConversationReference>): boolean;
  continueConversation: ContinueConversation;
}

/**
 * One way customers reach the bot. The composition root runs the same bot and the same
 * middleware list behind every channel: it attaches the list to `adapter`, mounts the routes,
 * registers `proactive` with the handoff desk and closes the channel at shutdown.
 */
export interface Channel {
  /** Short name for logs and proactive routing: `botframework`, `directline`, `slack`. */
  readonly name: string;
  /** The adapter running this channel's turns; undefined when it runs none here (Azure-hosted Direct Line: only the page). */
  readonly adapter?: BotAdapter;
  /** Middleware after the shared list, on this adapter only (which identities it may trust). */
  readonly ownMiddleware: readonly Middleware[];
  /** Proactive messages into this channel's conversations; undefined when it has no adapter. */
  readonly proactive?: ProactiveSender;
  /** Adds the channel's routes (and WebSocket upgrades, pages) to the bot's server. */
  mount(server: restify.Server): void;
  /** Called once the server listens (Socket Mode connects here). */
  start(): Promise<void>;
  /** Ends long-lived connections (WebSocket streams) before the server drains; optional. */
  disconnect?(): Promise<void>;
  /** Stops taking traffic and releases what the channel holds, after turns in flight finished. */
  close(): Promise<void>;
}

/** The bot as a channel needs it: one turn entry point. */
export interface TurnRunner {
  run(context: TurnContext): Promise<void>;
}

/** The stores channels keep (a part of the composition root's AppStores). */
export interface ChannelStores {
  readonly directLine?: DirectLineStore;
  readonly slack?: SlackStores;
}

/** What the composition root gives every channel it builds. */
export interface ChannelContext {
  readonly config: AppConfig;
  readonly logger: Logger;
  /** The channels' stores, built with every other store in the composition root. */
  readonly stores: ChannelStores;
  readonly bot: TurnRunner;
  /** The one turn error handler every adapter uses. */
  readonly onTurnError: (context: TurnContext, error: Error) => Promise<void>;
  /** The shared inbound gate's limits (size, depth, text, attachments). */
  readonly limits: InboundLimits;
  /** Rations anonymous sessions per client address and globally. */
  readonly sessions: SessionGate;
  /** Channel ids that enabled channels serve natively: /api/messages must refuse them. */
  readonly reservedChannelIds: readonly string[];
  /** The bot's metrics (channels observe their own: Slack's time to ack). */
  readonly metrics: BotMetrics;
  /** The agent desk's Slack traffic (handoff), when the desk is enabled. */
  readonly desk?: SlackDeskTraffic;
}

/** A channel's entry in the composition root's list: when it is on, and how it is built. */
export interface ChannelModule<C extends Channel = Channel> {
  readonly name: string;
  enabled(config: AppConfig): boolean;
  /** Channel ids whose conversations this channel serves natively (refused on /api/messages). */
  ownedChannelIds(config: AppConfig): readonly string[];
  create(context: ChannelContext): Promise<C>;
}
