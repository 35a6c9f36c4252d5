import { App, type webApi } from '@slack/bolt';
import type { TurnContext } from 'botbuilder';
import type restify from 'restify';
import type { SlackConfig, SlackMode } from '../../config/slack';
import { SupportBotError } from '../../errors';
import type { Logger } from '../../telemetry/logger';
import { SlackDeliveries } from './deliveries';
import { SlackHttpReceiver } from './HttpReceiver';
import { fromBlockActions, fromEventCallback, type BotIdentity } from './inbound';
import { ChannelPacer } from './pacer';
import { ActionIds } from './render';
import { SlackAdapter } from './SlackAdapter';
import { createSlackWebClient, SlackMessenger } from './SlackMessenger';
import { slackSdkLogger } from './slackLogger';
import type { EventDeduplicator, ThreadRegistry } from './store/EventDeduplicator';
import type { DeliveryInbox } from './store/DeliveryInbox';
import { type SlackDeskTraffic, SlackTraffic } from './traffic';

export { deliveryKey } from './deliveries';
export type { SlackDeskTraffic } from './traffic';

/** The route Slack's Events API and interactivity both post to (HTTP mode). */
export const SLACK_EVENTS_PATH = '/api/slack/events';

/** Longest close() waits for running turns. */
const CLOSE_WAIT_MS = 10_000;

/** The bot as the bridge needs it: one turn entry point. */
export interface TurnRunner {
  run(context: TurnContext): Promise<void>;
}

/** The Slack channel's stores (MongoDB shared by every instance, or this process's memory). */
export interface SlackStores {
  /** Delivery claims (dedupe) and the threads the bot was asked in. */
  keys: EventDeduplicator & ThreadRegistry;
  /** Deliveries recorded before their ack, leased to the instance processing them. */
  inbox: DeliveryInbox;
  /** Where they live (for the start-up log line). */
  kind: 'mongodb' | 'memory';
}

export interface SlackBridgeOptions {
  config: SlackConfig;
  bot: TurnRunner;
  logger: Logger;
  /** The error sink for Slack turns (the same one the other adapters use). */
  onTurnError: (context: TurnContext, error: Error) => Promise<void>;
  /** Delivery claims, thread marks and the delivery inbox (built with every other store). */
  stores: SlackStores;
  /** Largest Slack request body accepted (default 1 MiB; the app passes MAX_BODY_BYTES). */
  maxBodyBytes?: number;
  /** Deepest JSON nesting accepted (MAX_JSON_DEPTH). */
  maxJsonDepth?: number;
  /** First pause between Web API retries (default 500 ms); tests shorten it. */
  retryMinMs?: number;
  /** Observes the time from a Slack request's arrival to its ack, in ms. */
  onAck?: (ms: number) => void;
  /**
   * How long a recorded delivery stays this instance's before another instance (or Slack's
   * retry) processes it again; SLACK_DELIVERY_LEASE_SECONDS (default 60 s).
   */
  deliveryLeaseMs?: number;
  /**
   * The human-handoff desk (src/handoff/slack): messages in the agents' channel and clicks on
   * its ticket buttons go there instead of becoming customer turns.
   */
  desk?: SlackDeskTraffic;
}

/** The running Slack channel. */
export interface SlackBridge {
  readonly mode: SlackMode;
  readonly adapter: SlackAdapter;
  readonly identity: BotIdentity & { team: string };
  /** Adds POST /api/slack/events to the bot's server (HTTP mode; nothing in Socket Mode). */
  mount(server: restify.Server): void;
  /** Opens the Socket Mode connection (nothing to do in HTTP mode). */
  start(): Promise<void>;
  /** Resolves when every accepted Slack request has been fully processed (tests, shutdown). */
  idle(): Promise<void>;
  /** Stops taking Slack traffic and waits (up to 10 s) for running turns. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Builds the native Slack channel: Bolt receives Slack traffic (signed HTTP on the bot's server,
 * or Socket Mode), the listeners below map it to Bot Framework activities, and the
 * {@link SlackAdapter} runs the same bot every other channel reaches.
 *
 * Order of work for each delivery (HTTP mode): record it in the delivery inbox (durable, leased
 * to this instance) → ack → skip if ignorable → claim (dedupe) → run the turn in the
 * conversation's queue → mark the delivery done. A retry of a recorded delivery runs nothing;
 * a delivery whose instance died is taken over by Slack's retry (no ack went out) or by any
 * instance's sweep once its lease lapses (the ack did), and its turn runs again: replies are
 * tagged with the delivery and checked in the conversation first, so none is lost or doubled.
 */
export async function createSlackBridge(options: SlackBridgeOptions): Promise<SlackBridge> {
  const { config, stores } = options;
  const logger = options.logger.child({ channel: 'slack' });
  const identity = await identify(config, logger);
  const work = new InflightWork();
  const track = (promise: Promise<unknown>): void => work.track(promise);
  const { adapter, messenger } = buildAdapter(options, logger);
  const deliveries = new SlackDeliveries({
    inbox: stores.inbox,
    claims: stores.keys,
    leaseMs: options.deliveryLeaseMs ?? 60_000,
    ...(options.desk ? { deskPrefix: options.desk.actionPrefix } : {}),
    logger,
    track,
  });
  const traffic = new SlackTraffic({
    adapter,
    messenger,
    logic: (context) => options.bot.run(context),
    deliveries,
    threads: stores.keys,
    ...(options.desk ? { desk: options.desk } : {}),
    logger,
    track,
  });
  const receiver = config.mode === 'http' ? buildHttpReceiver(options, logger, track, deliveries) : undefined;
  const app = buildBoltApp(config, identity, logger, receiver);
  listen(app, traffic, deliveries, identity, options.desk);
  const sweeper = receiver ? new DeliverySweeper(app, deliveries, logger) : undefined;
  logger.info({ mode: config.mode, team: identity.team, botUserId: identity.botUserId, dedupe: stores.kind }, 'Slack channel ready');

  let closed = false;
  return {
    mode: config.mode,
    adapter,
    identity,
    mount(server) {
      if (receiver) server.post(SLACK_EVENTS_PATH, receiver.handle);
    },
    async start() {
      if (config.mode === 'socket') {
        await app.start();
        logger.info('Slack Socket Mode connected');
      }
    },
    idle: () => work.idle(),
    async close() {
      if (closed) return;
      closed = true;
      await sweeper?.stop();
      await app.stop().catch((error: unknown) => logger.warn({ err: error }, 'Slack receiver did not stop cleanly'));
      if (!(await work.idleWithin(CLOSE_WAIT_MS))) logger.warn({ running: work.size }, 'Slack turns still running at shutdown');
    },
  };
}

/** The Web API client (paced, retried), the messenger posting replies, and the adapter running turns. */
function buildAdapter(options: SlackBridgeOptions, logger: Logger): { adapter: SlackAdapter; messenger: SlackMessenger } {
  const { config } = options;
  const client = createSlackWebClient({
    token: config.botToken,
    apiUrl: config.apiUrl,
    retries: config.apiRetries,
    logger,
    ...(options.retryMinMs !== undefined ? { retryMinMs: options.retryMinMs } : {}),
  });
  const messenger = new SlackMessenger(client, new ChannelPacer({ intervalMs: config.postIntervalMs }), logger);
  const adapter = new SlackAdapter(messenger, logger);
  adapter.onTurnError = options.onTurnError;
  return { adapter, messenger };
}

/** HTTP mode: the signed-request receiver, which records each delivery in the inbox before its ack. */
function buildHttpReceiver(
  options: SlackBridgeOptions,
  logger: Logger,
  track: (work: Promise<unknown>) => void,
  deliveries: SlackDeliveries,
): SlackHttpReceiver {
  return new SlackHttpReceiver({
    signingSecret: options.config.signingSecret ?? '',
    logger,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    ...(options.maxJsonDepth ? { maxJsonDepth: options.maxJsonDepth } : {}),
    track,
    ...(options.onAck ? { onAck: options.onAck } : {}),
    intake: (body) => deliveries.intake(body),
  });
}

/** Bolt, on our HTTP receiver or in Socket Mode. */
function buildBoltApp(config: SlackConfig, identity: BotIdentity, logger: Logger, receiver: SlackHttpReceiver | undefined): App {
  const app = new App({
    token: config.botToken,
    botId: identity.botId,
    botUserId: identity.botUserId,
    logger: slackSdkLogger(logger),
    clientOptions: { slackApiUrl: config.apiUrl },
    convoStore: false,
    ...(receiver ? { receiver } : { socketMode: true, appToken: config.appToken ?? '' }),
  });
  app.error(async (error) => {
    logger.error({ err: error, code: error.code }, 'Slack listener failed');
  });
  return app;
}

/** Bolt listeners: messages and mentions, the bot's reply buttons, link buttons and the desk's buttons. */
function listen(app: App, traffic: SlackTraffic, deliveries: SlackDeliveries, identity: BotIdentity, desk: SlackDeskTraffic | undefined): void {
  const onEvent = async ({ body, context }: { body: unknown; context: { retryNum?: number } }): Promise<void> => {
    const json = body as Record<string, unknown>;
    if (!traffic.desk(json)) await traffic.customer(fromEventCallback(json, identity), context.retryNum, deliveries.keyOf(json));
  };
  app.event('message', onEvent);
  app.event('app_mention', onEvent);
  if (desk) {
    app.action(new RegExp(`^${desk.actionPrefix}`), async ({ ack, body }) => {
      await ack();
      traffic.desk(body as unknown as Record<string, unknown>);
    });
  }
  app.action(new RegExp(`^${ActionIds.replyPrefix}`), async ({ ack, body }) => {
    await ack();
    const json = body as unknown as Record<string, unknown>;
    await traffic.customer(fromBlockActions(json, identity), undefined, deliveries.keyOf(json));
  });
  app.action(new RegExp(`^${ActionIds.openLink}`), async ({ ack }) => {
    await ack(); // a link button opens the browser; Slack still tells us, and only wants an ack
  });
}

/**
 * Deliveries acknowledged by an instance that died before finishing them: Slack will not send
 * them again, so every instance looks for lapsed leases and processes them once more.
 */
class DeliverySweeper {
  private sweeping: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly app: App,
    private readonly deliveries: SlackDeliveries,
    private readonly logger: Logger,
  ) {
    this.timer = setInterval(() => this.sweep(), deliveries.sweepIntervalMs);
    this.timer.unref();
  }

  private sweep(): void {
    this.sweeping ??= this.redeliver()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'Slack delivery sweep failed; retrying at the next one'))
      .finally(() => {
        this.sweeping = undefined;
      });
  }

  private async redeliver(): Promise<void> {
    for (let taken = 0; taken < 20; taken += 1) {
      const stale = await this.deliveries.takeStale();
      if (!stale) return;
      this.logger.warn({ key: stale.key }, 'processing a Slack delivery left unfinished by an instance that stopped');
      await this.app.processEvent({ body: JSON.parse(stale.body) as Record<string, unknown>, ack: async () => undefined });
    }
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }
}

/** Background work of accepted Slack requests, so shutdown and tests can wait for it. */
class InflightWork {
  private readonly inflight = new Set<Promise<unknown>>();

  get size(): number {
    return this.inflight.size;
  }

  track(work: Promise<unknown>): void {
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work));
  }

  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Waits for idle at most `ms`; false when work was still running then. */
  async idleWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    });
    const result = await Promise.race([this.idle().then(() => 'idle' as const), timeout]);
    clearTimeout(timer);
    return result === 'idle';
  }
}

/** Asks Slack who the bot is; a wrong token stops start-up with a message saying what to fix. */
async function identify(config: SlackConfig, logger: Logger): Promise<BotIdentity & { team: string }> {
  const probe = createSlackWebClient({ token: config.botToken, apiUrl: config.apiUrl, retries: 2, retryMinMs: 200, logger });
  let result: webApi.AuthTestResponse;
  try {
    result = await probe.auth.test();
  } catch (error) {
    const reason = (error as { data?: { error?: string } }).data?.error ?? (error as Error).message;
    throw new SupportBotError(
      'SLACK_AUTH_FAILED',
      `SLACK_BOT_TOKEN: Slack refused auth.test (${reason}) at ${config.apiUrl}; check the Bot User OAuth Token (xoxb-...) and that the app is installed.`,
      { cause: error },
    );
  }
  if (!result.user_id || !result.bot_id || !result.team_id) {
    throw new SupportBotError(
      'SLACK_AUTH_FAILED',
      'SLACK_BOT_TOKEN: auth.test did not return a bot user; use the Bot User OAuth Token (xoxb-...), not a user token.',
    );
  }
  return { botUserId: result.user_id, botId: result.bot_id, team: result.team_id, apiUrl: config.apiUrl };
}
