import type { CloudAdapter, Storage } from 'botbuilder';
import type restify from 'restify';
import type { HandoffRequester, OrderService, TurnRecognizer } from '../dialogs/ports';
import type { SupportBot } from './bot/SupportBot';
import { botFrameworkChannel } from './channels/botframework';
import type { ChannelModule } from './channels/Channel';
import { type DirectLineChannel, directLineChannel } from './channels/directline';
import { slackChannel } from './channels/slack/channel';
import type { SlackBridge } from './channels/slack/SlackBridge';
import { createSessionGate, inboundLimits, openChannels, reservedChannelIds } from './composition/channels';
import { buildBotCore } from './composition/core';
import { buildMiddleware } from './composition/middleware';
import { buildStores } from './composition/stores';
import type { AppConfig } from './config/config';
import type { HandoffLayer } from './handoff/createHandoffLayer';
import { createServer } from './server/createServer';
import { HealthRegistry } from './server/health';
import { drainAndStop, listenOn, runClosers } from './server/lifecycle';
import type { StorageLayer } from './storage/createStorageLayer';
import { createLogger, type Logger } from './telemetry/logger';
import { createObservability, type Observability, type ObservabilityOverrides } from './telemetry/observability';

export { loadRecognizer } from './composition/recognizer';

/**
 * Every channel the bot can serve, in the order they are built and mounted. Adding a channel is
 * a new folder under src/channels implementing `ChannelModule`, and one entry here.
 */
const CHANNELS: readonly ChannelModule[] = [botFrameworkChannel, directLineChannel, slackChannel];

/** Parts a test (or an embedding application) may supply instead of the configured ones. */
export interface AppOverrides {
  logger?: Logger;
  orders?: OrderService;
  recognizer?: TurnRecognizer;
  storage?: Storage;
  /** A ready storage layer (tests and benchmarks build one with driver monitoring). */
  storageLayer?: StorageLayer;
  handoff?: HandoffRequester;
  /** Clock of the human handoff's timers and business hours (tests move it). */
  now?: () => number;
  /** Telemetry client or Application Insights exporter options (tests point it at a local stand-in). */
  telemetry?: ObservabilityOverrides;
}

/** A built, not yet listening, bot application. */
export interface BotApp {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly server: restify.Server;
  readonly adapter: CloudAdapter;
  readonly bot: SupportBot;
  readonly health: HealthRegistry;
  /** Metrics, telemetry, conversation events and turns in flight. */
  readonly observability: Observability;
  /** The native Slack channel, when SLACK_* settings are given. */
  readonly slack: SlackBridge | undefined;
  /** Human handoff to agents in SLACK_HANDOFF_CHANNEL; undefined without it (requests are logged). */
  readonly handoffDesk: HandoffLayer | undefined;
  /** The Web Chat channel (self-hosted Direct Line store and streams), when enabled. */
  readonly directLine: DirectLineChannel | undefined;
  /** Starts listening on config.host:config.port (port 0 picks a free one). */
  listen(): Promise<{ port: number; url: string }>;
  /** Stops taking requests and releases every resource. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * The composition root: the only place that creates concrete objects. It builds the core once
 * (config → observability → stores → recognizer, orders, dialogs, bot → one middleware list),
 * then attaches every enabled channel to it. Closers run in reverse order of registration.
 */
export async function createApp(config: AppConfig, overrides: AppOverrides = {}): Promise<BotApp> {
  const { telemetry } = config;
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, format: telemetry.logFormat, logPersonalData: telemetry.logPersonalData });
  const closers: Array<() => Promise<void>> = [];
  const health = new HealthRegistry();
  const observability = createObservability(telemetry, logger, overrides.telemetry);
  closers.push(() => observability.close()); // runs last: flushes what the other closers tracked
  const stores = await buildStores(config, logger, overrides); // the one place choosing memory or MongoDB
  closers.push(() => stores.layer.close()); // after the server stopped taking turns
  const core = buildBotCore(config, { logger, observability, stores, health, closers, overrides });
  const middleware = buildMiddleware(config, core, stores, observability, logger);

  let draining = false;
  const server = createServer({ health, logger, metrics: observability.prometheus, metricsToken: telemetry.metricsToken, isDraining: () => draining });
  const channels = await openChannels(
    CHANNELS,
    {
      config,
      logger,
      stores,
      bot: core.bot,
      onTurnError: core.onTurnError,
      limits: inboundLimits(config),
      sessions: createSessionGate(config, stores.rateLimits),
      reservedChannelIds: reservedChannelIds(CHANNELS, config),
      metrics: observability.metrics,
      ...(core.handoffDesk ? { desk: core.handoffDesk.deskEvents } : {}),
    },
    { server, middleware, closers, ...(core.handoffDesk ? { messenger: core.handoffDesk.messenger } : {}) },
  );
  const { handoffDesk } = core;
  if (handoffDesk) {
    await handoffDesk.start();
    closers.push(() => handoffDesk.close()); // before the database closes (closers run in reverse)
  }

  let closed = false;
  return {
    config,
    logger,
    server,
    observability,
    adapter: channels.required(botFrameworkChannel).adapter,
    bot: core.bot,
    health,
    slack: channels.get(slackChannel)?.bridge,
    handoffDesk,
    directLine: channels.get(directLineChannel),
    listen: async () => {
      const address = await listenOn(server, config.port, config.host);
      await channels.start(); // Socket Mode connects once the bot is up
      return address;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      draining = true; // from here on, requests get 503 and load balancers move on
      await channels.disconnect(); // open WebSocket streams would keep server.close() waiting forever
      // Stop accepting, let turns in flight finish (bounded), then release locks, the database and, last, flush telemetry.
      await drainAndStop(server, observability.turns, telemetry.shutdownTimeoutMs, logger);
      await runClosers(closers, logger);
    },
  };
}
