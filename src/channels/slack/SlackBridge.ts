import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { App, type webApi } from '@slack/bolt';
import type { TurnContext } from 'botbuilder';
import type restify from 'restify';
import type { SlackConfig, SlackMode } from '../../config/slack';
import { SupportBotError } from '../../errors';
import type { Logger } from '../../telemetry/logger';
import { SlackHttpReceiver } from './HttpReceiver';
import { fromBlockActions, fromEventCallback, type BotIdentity, type Inbound, type InboundTurn } from './inbound';
import { ChannelPacer, KeyedSerialQueue, YieldingStarter } from './pacer';
import { ActionIds, renderChoiceTaken } from './render';
import { SlackAdapter, slackChannelDataOf, type SlackDelivery } from './SlackAdapter';
import { createSlackWebClient, SlackMessenger } from './SlackMessenger';
import { slackSdkLogger } from './slackLogger';
import type { EventDeduplicator, ThreadRegistry } from './store/EventDeduplicator';
import type { DeliveryInbox } from './store/DeliveryInbox';

/** The route Slack's Events API and interactivity both post to (HTTP mode). */
export const SLACK_EVENTS_PATH = '/api/slack/events';

/** Slack retries a delivery for about an hour at most; an hour of memory covers every retry. */
const EVENT_CLAIM_TTL_MS = 60 * 60 * 1000;
/** A message's buttons count once, however often they are clicked. */
const CLICK_CLAIM_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a person's follow-ups in a channel thread reach the bot without a new @mention. */
const THREAD_TTL_MS = 24 * 60 * 60 * 1000;
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

/** What the bridge needs from the agent desk to route its traffic. */
export interface SlackDeskTraffic {
  /** action_id prefix of the desk's buttons. */
  readonly actionPrefix: string;
  /** True for events that belong to the desk (its channel). */
  owns(body: Record<string, unknown>): boolean;
  /** Acts on a desk payload after the ack; never rejects. */
  handle(body: Record<string, unknown>): Promise<void>;
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
  const { config, logger: rootLogger } = options;
  const logger = rootLogger.child({ channel: 'slack' });
  const identity = await identify(config, logger);

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

  const store: EventDeduplicator & ThreadRegistry = options.stores.keys;
  const conversations = new KeyedSerialQueue();
  const starter = new YieldingStarter();
  const inflight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>): void => {
    inflight.add(work);
    void work.finally(() => inflight.delete(work));
  };

  const inbox: DeliveryInbox = options.stores.inbox;
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const leaseMs = options.deliveryLeaseMs ?? 60_000;
  /** Deliveries being processed again after their first instance died (their replies are checked first). */
  const redoing = new Set<string>();
  const deliveryKeyOf = (body: Record<string, unknown>): string | undefined => deliveryKey(body, options.desk?.actionPrefix);
  const finish = (delivery: string | undefined): void => {
    if (delivery) redoing.delete(delivery);
    if (delivery)
      track(inbox.complete(delivery).catch((error: unknown) => logger.warn({ err: error }, 'could not mark a Slack delivery done; it may be processed again')));
  };

  const receiver =
    config.mode === 'http'
      ? new SlackHttpReceiver({
          signingSecret: config.signingSecret ?? '',
          logger,
          maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
          ...(options.maxJsonDepth ? { maxJsonDepth: options.maxJsonDepth } : {}),
          track,
          ...(options.onAck ? { onAck: options.onAck } : {}),
          intake: async (body) => {
            const key = deliveryKeyOf(body);
            if (!key) return 'process';
            const recorded = await inbox.record(key, JSON.stringify(body), owner, leaseMs);
            if (recorded === 'duplicate') {
              logger.info({ key }, 'Slack duplicate delivery dropped');
              return 'duplicate';
            }
            // Slack's retry of a delivery whose instance died mid-way: process it again, carefully.
            if (recorded === 'taken_over') redoing.add(key);
            return 'process';
          },
        })
      : undefined;
  const app = new App({
    token: config.botToken,
    botId: identity.botId,
    botUserId: identity.botUserId,
    logger: slackSdkLogger(logger),
    clientOptions: { slackApiUrl: config.apiUrl },
    convoStore: false,
    ...(receiver ? { receiver } : { socketMode: true, appToken: config.appToken ?? '' }),
  });

  const accept = async (inbound: Inbound, retryNum: unknown, delivery: string | undefined): Promise<void> => {
    if (inbound.kind === 'ignore') {
      logger.debug({ reason: inbound.reason }, 'Slack payload ignored');
      finish(delivery);
      return;
    }
    if (inbound.requiresActiveThread && !(await store.isActive(inbound.requiresActiveThread))) {
      logger.debug('Slack thread message ignored: the bot was not asked in this thread by this person');
      finish(delivery);
      return;
    }
    if (!(await claim(store, inbound.dedupeKey, logger, delivery, delivery !== undefined && redoing.has(delivery)))) {
      logger.info({ key: inbound.dedupeKey, retryNum }, 'Slack duplicate delivery dropped');
      finish(delivery);
      return;
    }
    if (inbound.remembersThread) await store.remember(inbound.remembersThread, THREAD_TTL_MS);
    if (inbound.clicked) track(showChoice(messenger, inbound.clicked, logger));
    if (delivery) markDelivery(inbound.activity, { key: delivery, redo: redoing.has(delivery) });
    const conversationId = inbound.activity.conversation?.id ?? '';
    const turn = () => adapter.processActivity(inbound.activity, (context) => options.bot.run(context));
    track(
      starter
        .run(() => conversations.run(conversationId, turn))
        .catch((error: unknown) => {
          logger.error({ err: error, conversationId }, 'Slack turn failed outside the turn error handler');
        })
        .finally(() => finish(delivery)),
    );
  };

  const toDesk = (body: Record<string, unknown>): boolean => {
    const desk = options.desk;
    if (!desk?.owns(body)) return false;
    const delivery = deliveryKeyOf(body);
    // Slack redelivers desk events too: an agent's message must reach the customer once.
    const eventKey = typeof body.event_id === 'string' ? `desk:${String(body.team_id)}:${body.event_id}` : undefined;
    const first = eventKey ? claim(store, eventKey, logger, delivery, delivery !== undefined && redoing.has(delivery)) : Promise.resolve(true);
    track(
      first
        .then((isFirst) => (isFirst ? desk.handle(body) : logger.info({ key: eventKey }, 'Slack duplicate desk delivery dropped')))
        .finally(() => finish(delivery)),
    );
    return true;
  };
  const onEvent = async ({ body, context }: { body: unknown; context: { retryNum?: number } }): Promise<void> => {
    const json = body as Record<string, unknown>;
    if (!toDesk(json)) await accept(fromEventCallback(json, identity), context.retryNum, deliveryKeyOf(json));
  };
  app.event('message', onEvent);
  app.event('app_mention', onEvent);
  if (options.desk) {
    app.action(new RegExp(`^${options.desk.actionPrefix}`), async ({ ack, body }) => {
      await ack();
      toDesk(body as unknown as Record<string, unknown>);
    });
  }
  app.action(new RegExp(`^${ActionIds.replyPrefix}`), async ({ ack, body }) => {
    await ack();
    const json = body as unknown as Record<string, unknown>;
    await accept(fromBlockActions(json, identity), undefined, deliveryKeyOf(json));
  });
  app.action(new RegExp(`^${ActionIds.openLink}`), async ({ ack }) => {
    await ack(); // a link button opens the browser; Slack still tells us, and only wants an ack
  });

  /**
   * Deliveries acknowledged by an instance that died before finishing them: Slack will not send
   * them again, so every instance looks for lapsed leases and processes them once more.
   */
  const redeliver = async (): Promise<void> => {
    for (let taken = 0; taken < 20; taken += 1) {
      const stale = await inbox.claimStale(owner, leaseMs);
      if (!stale) return;
      logger.warn({ key: stale.key }, 'processing a Slack delivery left unfinished by an instance that stopped');
      redoing.add(stale.key); // until its processing finishes (finish())
      await app.processEvent({ body: JSON.parse(stale.body) as Record<string, unknown>, ack: async () => undefined });
    }
  };
  let sweeping: Promise<void> | undefined;
  const sweepTimer = receiver
    ? setInterval(
        () => {
          sweeping ??= redeliver()
            .catch((error: unknown) => logger.warn({ err: error }, 'Slack delivery sweep failed; retrying at the next one'))
            .finally(() => {
              sweeping = undefined;
            });
        },
        Math.min(15_000, Math.max(250, Math.floor(leaseMs / 4))),
      )
    : undefined;
  sweepTimer?.unref();

  app.error(async (error) => {
    logger.error({ err: error, code: error.code }, 'Slack listener failed');
  });

  let closed = false;
  const idle = async (): Promise<void> => {
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
  };
  logger.info({ mode: config.mode, team: identity.team, botUserId: identity.botUserId, dedupe: options.stores.kind }, 'Slack channel ready');

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
    idle,
    async close() {
      if (closed) return;
      closed = true;
      if (sweepTimer) clearInterval(sweepTimer);
      await sweeping;
      await app.stop().catch((error: unknown) => logger.warn({ err: error }, 'Slack receiver did not stop cleanly'));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), CLOSE_WAIT_MS);
      });
      const result = await Promise.race([idle().then(() => 'idle' as const), timeout]);
      clearTimeout(timer);
      if (result === 'timeout') logger.warn({ running: inflight.size }, 'Slack turns still running at shutdown');
    },
  };
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

/** Claims a delivery; if the store fails, the turn still runs (an answer beats silence). */
async function claim(store: EventDeduplicator, key: string, logger: Logger, holder?: string, reclaim = false): Promise<boolean> {
  try {
    return await store.claim(key, key.startsWith('action:') ? CLICK_CLAIM_TTL_MS : EVENT_CLAIM_TTL_MS, holder, reclaim);
  } catch (error) {
    logger.error({ err: error, key }, 'Slack dedupe store failed; processing the delivery without dedupe');
    return true;
  }
}

/** Replaces the clicked buttons with the choice, so the message shows what was answered. */
async function showChoice(messenger: SlackMessenger, clicked: NonNullable<InboundTurn['clicked']>, logger: Logger): Promise<void> {
  try {
    const blocks = renderChoiceTaken(clicked.blocks as Parameters<typeof renderChoiceTaken>[0], clicked.label, clicked.slackUser);
    await messenger.update(clicked.channel, clicked.ts, { text: clicked.text || ' ', blocks });
  } catch (error) {
    // Cosmetic: the answer matters more than the old buttons, so the turn goes on.
    logger.warn({ err: error, channel: clicked.channel }, 'could not mark the clicked Slack buttons as used');
  }
}

/**
 * The inbox key of a delivery the bridge acts on (messages, mentions, clicks on its buttons);
 * undefined for payloads it only acknowledges. One key per Slack delivery, the same on retries.
 */
export function deliveryKey(body: Record<string, unknown>, deskPrefix?: string): string | undefined {
  if (body.type === 'event_callback') {
    const event = body.event as { type?: unknown } | undefined;
    if (event?.type !== 'message' && event?.type !== 'app_mention') return undefined;
    return typeof body.event_id === 'string' && body.event_id ? `delivery:${String(body.team_id)}:${body.event_id}` : undefined;
  }
  if (body.type === 'block_actions') {
    const actions = Array.isArray(body.actions) ? (body.actions as Array<{ action_id?: unknown }>) : [];
    const actionId = typeof actions[0]?.action_id === 'string' ? actions[0].action_id : '';
    if (!actionId.startsWith(ActionIds.replyPrefix) && !(deskPrefix && actionId.startsWith(deskPrefix))) return undefined;
    const team = (body.team as { id?: unknown } | undefined)?.id;
    return typeof body.trigger_id === 'string' && body.trigger_id ? `delivery:${String(team)}:${body.trigger_id}` : undefined;
  }
  return undefined;
}

/** Tells the adapter which delivery a turn comes from, so its replies can be posted once. */
function markDelivery(activity: InboundTurn['activity'], delivery: SlackDelivery): void {
  const data = slackChannelDataOf(activity);
  if (data) data.delivery = delivery;
}
