import { App, type webApi } from '@slack/bolt';
import type { TurnContext } from 'botbuilder';
import type { Db } from 'mongodb';
import type restify from 'restify';
import type { SlackConfig, SlackMode } from '../../config/slack';
import { SupportBotError } from '../../errors';
import type { Logger } from '../../telemetry/logger';
import { SlackHttpReceiver } from './HttpReceiver';
import { fromBlockActions, fromEventCallback, type BotIdentity, type Inbound, type InboundTurn } from './inbound';
import { ChannelPacer, KeyedSerialQueue, YieldingStarter } from './pacer';
import { ActionIds, renderChoiceTaken } from './render';
import { SlackAdapter } from './SlackAdapter';
import { createSlackWebClient, SlackMessenger } from './SlackMessenger';
import { slackSdkLogger } from './slackLogger';
import { MemoryKeyStore, type EventDeduplicator, type ThreadRegistry } from './store/EventDeduplicator';
import { MongoKeyStore } from './store/MongoKeyStore';

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

export interface SlackBridgeOptions {
  config: SlackConfig;
  bot: TurnRunner;
  logger: Logger;
  /** The error sink for Slack turns (the same one the other adapters use). */
  onTurnError: (context: TurnContext, error: Error) => Promise<void>;
  /**
   * The shared MongoDB database. When given, delivery claims and thread marks live there (so
   * dedupe holds across instances); otherwise in this process's memory.
   */
  db?: Db;
  /** Largest Slack request body accepted (default 1 MiB; the app passes MAX_BODY_BYTES). */
  maxBodyBytes?: number;
  /** Deepest JSON nesting accepted (MAX_JSON_DEPTH). */
  maxJsonDepth?: number;
  /** First pause between Web API retries (default 500 ms); tests shorten it. */
  retryMinMs?: number;
  /** Observes the time from a Slack request's arrival to its ack, in ms. */
  onAck?: (ms: number) => void;
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
 * Order of work for each delivery: ack → skip if ignorable → claim (dedupe) → run the turn in
 * the conversation's queue. Claiming after the ack keeps the ack fast; a delivery whose turn
 * was lost to a crash after the claim is not retried (at most once, never twice).
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

  const store: EventDeduplicator & ThreadRegistry = options.db ? new MongoKeyStore(options.db, 'slackKeys') : new MemoryKeyStore();
  const conversations = new KeyedSerialQueue();
  const starter = new YieldingStarter();
  const inflight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>): void => {
    inflight.add(work);
    void work.finally(() => inflight.delete(work));
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

  const accept = async (inbound: Inbound, retryNum: unknown): Promise<void> => {
    if (inbound.kind === 'ignore') {
      logger.debug({ reason: inbound.reason }, 'Slack payload ignored');
      return;
    }
    if (inbound.requiresActiveThread && !(await store.isActive(inbound.requiresActiveThread))) {
      logger.debug('Slack thread message ignored: the bot was not asked in this thread by this person');
      return;
    }
    if (!(await claim(store, inbound.dedupeKey, logger))) {
      logger.info({ key: inbound.dedupeKey, retryNum }, 'Slack duplicate delivery dropped');
      return;
    }
    if (inbound.remembersThread) await store.remember(inbound.remembersThread, THREAD_TTL_MS);
    if (inbound.clicked) track(showChoice(messenger, inbound.clicked, logger));
    const conversationId = inbound.activity.conversation?.id ?? '';
    const turn = () => adapter.processActivity(inbound.activity, (context) => options.bot.run(context));
    track(starter.run(() => conversations.run(conversationId, turn)).catch((error: unknown) => {
      logger.error({ err: error, conversationId }, 'Slack turn failed outside the turn error handler');
    }));
  };

  const toDesk = (body: Record<string, unknown>): boolean => {
    const desk = options.desk;
    if (!desk?.owns(body)) return false;
    // Slack redelivers desk events too: an agent's message must reach the customer once.
    const eventKey = typeof body.event_id === 'string' ? `desk:${String(body.team_id)}:${body.event_id}` : undefined;
    const first = eventKey ? claim(store, eventKey, logger) : Promise.resolve(true);
    track(first.then((isFirst) => (isFirst ? desk.handle(body) : logger.info({ key: eventKey }, 'Slack duplicate desk delivery dropped'))));
    return true;
  };
  app.event('message', async ({ body, context }) => (toDesk(body) ? undefined : accept(fromEventCallback(body, identity), context.retryNum)));
  app.event('app_mention', async ({ body, context }) => (toDesk(body) ? undefined : accept(fromEventCallback(body, identity), context.retryNum)));
  if (options.desk) {
    app.action(new RegExp(`^${options.desk.actionPrefix}`), async ({ ack, body }) => {
      await ack();
      toDesk(body as unknown as Record<string, unknown>);
    });
  }
  app.action(new RegExp(`^${ActionIds.replyPrefix}`), async ({ ack, body }) => {
    await ack();
    await accept(fromBlockActions(body as unknown as Record<string, unknown>, identity), undefined);
  });
  app.action(new RegExp(`^${ActionIds.openLink}`), async ({ ack }) => {
    await ack(); // a link button opens the browser; Slack still tells us, and only wants an ack
  });
  app.error(async (error) => {
    logger.error({ err: error, code: error.code }, 'Slack listener failed');
  });

  let closed = false;
  const idle = async (): Promise<void> => {
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
  };
  logger.info({ mode: config.mode, team: identity.team, botUserId: identity.botUserId, dedupe: options.db ? 'mongodb' : 'memory' }, 'Slack channel ready');

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
    throw new SupportBotError('SLACK_AUTH_FAILED', `SLACK_BOT_TOKEN: Slack refused auth.test (${reason}) at ${config.apiUrl}; check the Bot User OAuth Token (xoxb-...) and that the app is installed.`, { cause: error });
  }
  if (!result.user_id || !result.bot_id || !result.team_id) {
    throw new SupportBotError('SLACK_AUTH_FAILED', 'SLACK_BOT_TOKEN: auth.test did not return a bot user; use the Bot User OAuth Token (xoxb-...), not a user token.');
  }
  return { botUserId: result.user_id, botId: result.bot_id, team: result.team_id, apiUrl: config.apiUrl };
}

/** Claims a delivery; if the store fails, the turn still runs (an answer beats silence). */
async function claim(store: EventDeduplicator, key: string, logger: Logger): Promise<boolean> {
  try {
    return await store.claim(key, key.startsWith('action:') ? CLICK_CLAIM_TTL_MS : EVENT_CLAIM_TTL_MS);
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
