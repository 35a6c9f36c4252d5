import type { AddressInfo } from 'node:net';
import { ConversationState, type Storage, type TurnContext, UserState, type CloudAdapter } from 'botbuilder';
import { Recognizer } from 'botbuilder-dialogs';
import type restify from 'restify';
import { MainDialog } from '../dialogs/MainDialog';
import type { HandoffRequester, OrderService, TurnRecognizer } from '../dialogs/ports';
import { LocalRecognizer, loadOrTrain, loadTrainingData } from '../recognizers';
import { CLIENT_ADDRESS_KEY, RateLimiter } from './bot/RateLimiter';
import { createStateAccessors, SupportBot } from './bot/SupportBot';
import { createTurnErrorHandler } from './bot/turnErrorHandler';
import { createCloudAdapter } from './channels/botFrameworkAdapter';
import { createChannelMiddleware } from './channels/channelMiddleware';
import { createDirectLineChannel, type DirectLineChannel } from './channels/directline';
import { AzureSlackChannelMiddleware } from './channels/slack/azureSlackChannel';
import type { SlackBridge } from './channels/slack/SlackBridge';
import { verifiedIdentityMiddleware } from './channels/identity';
import type { AppConfig } from './config/config';
import type { HandoffConfig } from './config/handoff';
import { SupportBotError } from './errors';
import type { HandoffLayer } from './handoff/createHandoffLayer';
import { LoggingHandoffRequester } from './handoff/LoggingHandoffRequester';
import { FileOrderService } from './orders/FileOrderService';
import { HttpOrderService } from './orders/HttpOrderService';
import { ResilientOrderService } from './orders/ResilientOrderService';
import { createServer } from './server/createServer';
import type { InboundLimits } from './server/inbound';
import { createRateLimitStore, type RateLimitStore } from './server/rateLimitStore';
import { SessionGate } from './server/sessionGate';
import { HealthRegistry } from './server/health';
import { createStorageLayer, type StorageLayer } from './storage/createStorageLayer';
import { createStateGuard } from './state/createStateGuard';
import { UnreadableItemStorage } from './state/UnreadableItemStorage';
import { InstrumentedHandoffRequester, InstrumentedRecognizer, InstrumentedStorage } from './telemetry/instrumented';
import { createLogger, type Logger } from './telemetry/logger';
import type { BotMetrics } from './telemetry/metrics';
import { createObservability, type Observability, type ObservabilityOverrides } from './telemetry/observability';
import { drainAndStop, runClosers } from './telemetry/shutdown';
import { MemoryAttemptStore, MongoAttemptStore } from './verification/attemptStore';
import { CountingVerificationGuard } from './verification/VerificationGuard';

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
 * The composition root: the only place that creates concrete objects. Everything else receives
 * its dependencies through constructors.
 */
export async function createApp(config: AppConfig, overrides: AppOverrides = {}): Promise<BotApp> {
  const { telemetry: telemetryConfig } = config;
  const logger =
    overrides.logger ?? createLogger({ level: config.logLevel, format: telemetryConfig.logFormat, logPersonalData: telemetryConfig.logPersonalData });
  const closers: Array<() => Promise<void>> = [];
  const health = new HealthRegistry();
  const observability = createObservability(telemetryConfig, logger, overrides.telemetry);
  closers.push(() => observability.close()); // runs last: flushes what the other closers tracked

  // Closed last (closers run in reverse), after the server stopped taking turns.
  const storageLayer =
    overrides.storageLayer ??
    (await createStorageLayer(config.storage, {
      onBackgroundError: (err, what) => logger.warn({ err, what }, 'storage problem (the bot keeps running)'),
    }));
  closers.push(() => storageLayer.close());
  if (storageLayer.kind === 'mongodb') {
    health.register('storage', () => storageLayer.isReady());
    logger.info({ db: config.storage.mongodb?.dbName }, 'state, leases and transcripts in MongoDB');
  }
  // Timed state reads and writes (supportbot_storage_duration_seconds), whichever store is used.
  // A state item whose stored JSON is corrupt reads as "unreadable" (the state guard starts
  // that conversation afresh) instead of failing every turn.
  const readable = new UnreadableItemStorage(overrides.storage ?? storageLayer.storage, (key, err) =>
    logger.warn({ key, err }, 'stored state item cannot be decoded'),
  );
  const storage = new InstrumentedStorage(readable, observability.metrics);
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const accessors = createStateAccessors(conversationState);

  const recognizer = overrides.recognizer ?? loadRecognizer(config, logger);
  health.register('recognizer', () => true);
  // botbuilder Recognizers send a "LocalRecognizerResult" event per message to this client.
  if (recognizer instanceof Recognizer) recognizer.telemetryClient = observability.telemetry;

  const orders = overrides.orders ?? createOrderService(config, logger, closers, observability.metrics);
  // Human handoff to agents in a Slack channel; without SLACK_HANDOFF_CHANNEL requests are logged.
  const rateLimitStore = createRateLimitStore(storageLayer.db);
  const handoffDesk =
    config.handoff.slackChannel && config.slack
      ? // Loaded only when used: the Slack SDK is about 13 MB of idle memory (docs/performance.md).
        (require('./handoff/createHandoffLayer') as typeof import('./handoff/createHandoffLayer.js')).createHandoffLayer({
          config: config.handoff,
          slack: config.slack,
          db: storageLayer.db,
          conversationState,
          metrics: observability.metrics,
          logger,
          latestReference: (conversationId) => channelMiddleware.references.get(conversationId),
          conversationEvents: observability.events,
          mayOpenTicket: ticketRation(rateLimitStore, config.handoff),
          ...(storageLayer.cipher ? { cipher: storageLayer.cipher } : {}),
          ...(overrides.now ? { now: overrides.now } : {}),
        })
      : undefined;
  const handoff = overrides.handoff ?? handoffDesk?.customer ?? new LoggingHandoffRequester(logger);

  // Who may see an order (ORDER_VERIFICATION); failed checks are counted in MongoDB when there
  // is one, so a lockout holds on every instance.
  const attemptStore = storageLayer.db ? new MongoAttemptStore(storageLayer.db) : new MemoryAttemptStore();
  if (attemptStore instanceof MongoAttemptStore) await attemptStore.ensureIndexes();
  const verificationGuard = new CountingVerificationGuard({
    store: attemptStore,
    maxFailures: config.verification.maxFailures,
    windowSeconds: config.verification.windowSeconds,
    metrics: observability.metrics,
    logger,
    hashKey: 'order-support-bot/verification-attempts/v1',
    ...(overrides.now ? { now: overrides.now } : {}),
  });
  logger.info({ policy: config.verification.policy }, 'order verification policy');

  const dialog = new MainDialog({
    recognizer: new InstrumentedRecognizer(recognizer, observability.metrics),
    orders,
    handoff: new InstrumentedHandoffRequester(handoff, observability.events),
    flags: accessors.mainFlags,
    orderIdRules: { pattern: config.nlu.orderIdPattern },
    maxOrderIdAttempts: config.dialog.maxOrderIdAttempts,
    events: observability.events,
    verification: {
      policy: config.verification.policy,
      guard: verificationGuard,
      rememberSeconds: config.verification.rememberSeconds,
      ...(overrides.now ? { now: overrides.now } : {}),
    },
  });
  // Waterfall start/step/complete/cancel events for every dialog in the tree.
  dialog.telemetryClient = observability.telemetry;
  // Every rate limit's counters: MongoDB when configured (limits hold across instances), else memory.
  const inboundLimits: InboundLimits = {
    maxBodyBytes: config.limits.maxBodyBytes,
    maxJsonDepth: config.limits.maxJsonDepth,
    maxMessageChars: config.limits.maxMessageChars,
    maxAttachments: config.limits.maxAttachments,
  };
  const sessions = new SessionGate(rateLimitStore, {
    perAddressPerMinute: config.limits.sessionsPerAddressPerMinute,
    perMinute: config.limits.sessionsPerMinute,
    trustProxyHops: config.limits.trustProxyHops,
    activitiesPerAddressPerMinute: 2 * config.limits.perAddressPerMinute,
  });
  const bot = new SupportBot({
    conversationState,
    userState,
    dialog,
    dialogState: accessors.dialogState,
    maxTextLength: config.limits.maxMessageChars,
    saveStateAfterTurn: false,
    gate: handoffDesk?.customer,
  });

  // Native Slack always owns channelId "slack"; the self-hosted Direct Line owns "directline"
  // unless credentials restrict /api/messages to Azure's channel service.
  const reservedChannelIds = [
    ...(config.slack ? ['slack'] : []),
    ...(config.directLine.enabled && config.directLine.mode === 'self-hosted' && !config.auth.MicrosoftAppId ? ['directline'] : []),
  ];
  const adapter = createCloudAdapter(config.auth, reservedChannelIds);
  if (!config.auth.MicrosoftAppId && config.auth.serviceUrlAllowedHosts.length === 0) {
    logger.warn(
      'MicrosoftAppId is not set: /api/messages accepts unauthenticated activities and posts replies to any serviceUrl they name (an open relay). ' +
        'Fine for the Emulator on this machine; elsewhere set MicrosoftAppId, or SERVICE_URL_ALLOWED_HOSTS (e.g. localhost,127.0.0.1) to limit where replies go.',
    );
  }
  adapter.onTurnError = createTurnErrorHandler(logger, config.nodeEnv !== 'production');
  // The same middleware, in the same order, on every adapter: outermost turn ids, latency and
  // activity telemetry; then the storage outage guard, one turn at a time per conversation
  // (loads and saves the states) and the transcript logger; then channel-aware replies and
  // stored conversation references.
  const channelMiddleware = createChannelMiddleware(conversationState, storageLayer.db, logger, storageLayer.cipher);
  const rateLimiter = new RateLimiter({
    perUserPerMinute: config.limits.perUserPerMinute,
    perConversationPerMinute: config.limits.perConversationPerMinute,
    perAddressPerMinute: config.limits.perAddressPerMinute,
    store: rateLimitStore,
  });
  const sharedMiddleware = [
    ...observability.middleware,
    // Before state, locks and transcripts: a dropped message is neither stored nor run.
    rateLimiter,
    ...storageLayer.middleware([conversationState, userState]),
    ...channelMiddleware.middleware,
    // Last before the bot: migrates or resets stored state it cannot read, leaves newer state
    // alone during rolling updates, and resets dialogs that fail twice alike (src/state).
    createStateGuard({ conversationState, userState, root: dialog, events: observability.events, logger, newerVersion: config.state.newerVersion }),
  ];
  adapter.use(...sharedMiddleware);
  // Teams identities are trusted only when /api/messages checks Bot Framework tokens.
  adapter.use(verifiedIdentityMiddleware('botframework', Boolean(config.auth.MicrosoftAppId)));
  // Proactive handoff messages: the CloudAdapter for Azure Bot Service channels and the Emulator.
  handoffDesk?.messenger.setFallback((reference, logic) => adapter.continueConversationAsync(config.auth.MicrosoftAppId, reference, logic));

  let draining = false;
  const server = createServer({
    adapter,
    bot,
    health,
    logger,
    maxBodyBytes: config.limits.maxBodyBytes,
    maxAttachments: config.limits.maxAttachments,
    maxMessageChars: config.limits.maxMessageChars,
    maxJsonDepth: config.limits.maxJsonDepth,
    metrics: observability.prometheus,
    metricsToken: telemetryConfig.metricsToken,
    isDraining: () => draining,
  });

  // Web Chat page and, unless Azure's is configured, the self-hosted Direct Line endpoint.
  const directLine = config.directLine.enabled
    ? createDirectLineChannel({
        config: config.directLine,
        logger,
        bot: { id: config.auth.MicrosoftAppId || 'order-support-bot', name: 'Order assistant' },
        db: storageLayer.db,
        limits: inboundLimits,
        sessions,
        userTokenSecret: config.verification.webchatUserTokenSecret,
      })
    : undefined;
  if (directLine?.adapter) {
    directLine.adapter.onTurnError = adapter.onTurnError;
    directLine.adapter.use(...sharedMiddleware, verifiedIdentityMiddleware('directline', true));
  }
  directLine?.mount(server, (context) => bot.run(context));
  const selfHostedDirectLine = directLine?.adapter;
  if (selfHostedDirectLine) {
    // Azure's Direct Line uses the same channel id; the self-hosted one's service URL tells them apart.
    const serviceUrl = config.directLine.publicUrl ?? 'http://localhost';
    handoffDesk?.messenger.addRoute({
      name: 'directline',
      owns: (reference) => reference.channelId === selfHostedDirectLine.channelId && reference.serviceUrl === serviceUrl,
      continueConversation: (reference, logic) => selfHostedDirectLine.continueConversationAsync('', reference, logic),
    });
  }

  // Slack through Azure Bot Service's Slack channel arrives on /api/messages; the native Slack
  // channel (Bolt) gets its own adapter with the same middleware and bot.
  adapter.use(new AzureSlackChannelMiddleware());
  const slack = config.slack
    ? await (require('./channels/slack/SlackBridge') as typeof import('./channels/slack/SlackBridge.js')).createSlackBridge({
        config: config.slack,
        bot,
        logger,
        onTurnError: adapter.onTurnError,
        db: storageLayer.db,
        maxBodyBytes: config.limits.maxBodyBytes,
        maxJsonDepth: config.limits.maxJsonDepth,
        onAck: (ms) => observability.metrics.slackAck(ms / 1000),
        deliveryLeaseMs: config.slack.deliveryLeaseMs,
        ...(handoffDesk ? { desk: handoffDesk.deskEvents } : {}),
      })
    : undefined;
  if (slack) {
    slack.adapter.use(...sharedMiddleware, verifiedIdentityMiddleware('slack', true));
    slack.mount(server);
    closers.push(() => slack.close());
    handoffDesk?.messenger.addRoute({
      name: 'slack',
      owns: (reference) => reference.channelId === 'slack',
      continueConversation: (reference, logic) => slack.adapter.continueConversationAsync('', reference, logic),
    });
  }
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
    adapter,
    bot,
    health,
    slack,
    handoffDesk,
    directLine,
    listen: async () => {
      const address = await new Promise<{ port: number; url: string }>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const { port } = server.address() as AddressInfo;
          const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
          resolve({ port, url: `http://${host}:${port}` });
        });
      });
      await slack?.start(); // Socket Mode connects once the bot is up
      return address;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      draining = true; // from here on, requests get 503 and load balancers move on
      // Open WebSocket streams would keep server.close() waiting forever: end them first.
      await directLine?.close();
      // Stop accepting, let turns in flight finish (bounded), then release locks, the database
      // and, last, flush telemetry.
      await drainAndStop(server, observability.turns, telemetryConfig.shutdownTimeoutMs, logger);
      await runClosers(closers, logger);
    },
  };
}

/**
 * The recognizer from the cached model file when it was trained on exactly this data and these
 * options; otherwise trained now (well under a second for the bot's own data) and cached.
 */
export function loadRecognizer(config: AppConfig, logger: Logger): LocalRecognizer {
  const { nlu } = config;
  const options = { threshold: nlu.threshold, orderIdPattern: nlu.orderIdPattern, builtinEntities: nlu.builtinEntities };
  const started = process.hrtime.bigint();
  const elapsedMs = (): number => Math.round(Number(process.hrtime.bigint() - started) / 1e6);
  const warn = (message: string): void => logger.warn({ trainingFile: nlu.trainingFile }, `training data: ${message}`);
  try {
    if (nlu.modelFile) {
      try {
        const { recognizer, info } = loadOrTrain(nlu.trainingFile, nlu.modelFile, options, warn);
        logger.info(
          { trainingFile: nlu.trainingFile, modelFile: nlu.modelFile, retrained: info.retrained, ms: elapsedMs() },
          info.retrained ? 'recognizer trained and cached' : 'recognizer loaded from its model file',
        );
        return recognizer;
      } catch (err) {
        // A read-only file system (containers) must not stop the bot: train in memory instead.
        if (!['EACCES', 'EROFS', 'EPERM'].includes(String((err as NodeJS.ErrnoException).code))) throw err;
        logger.warn({ modelFile: nlu.modelFile, err: (err as Error).message }, 'cannot write the model file; training in memory at every start');
      }
    }
    const recognizer = LocalRecognizer.train(loadTrainingData(nlu.trainingFile, { warn }), options);
    logger.info({ trainingFile: nlu.trainingFile, ms: elapsedMs() }, 'recognizer trained');
    return recognizer;
  } catch (err) {
    throw new SupportBotError(
      'NLU_TRAINING_FAILED',
      `NLU_FILE / NLU_MODEL_FILE: could not load or train the recognizer from "${nlu.trainingFile}": ${(err as Error).message}`,
      { cause: err },
    );
  }
}

function createOrderService(config: AppConfig, logger: Logger, closers: Array<() => Promise<void>>, metrics: BotMetrics): OrderService {
  const { orders } = config;
  if (orders.apiUrl) {
    logger.info({ baseUrl: orders.apiUrl }, 'using the HTTP orders API');
    const client = new HttpOrderService({
      baseUrl: orders.apiUrl,
      apiKey: orders.apiKey,
      timeoutMs: orders.timeoutMs,
      retries: orders.retries,
      logger,
      metrics,
    });
    const resilient = new ResilientOrderService(client, {
      maxConcurrency: orders.maxConcurrency,
      maxQueue: orders.maxQueue,
      errorThresholdPercentage: orders.breakerErrorPercent,
      volumeThreshold: orders.breakerMinCalls,
      resetTimeoutMs: orders.breakerResetMs,
      logger,
    });
    closers.push(async () => resilient.shutdown());
    return resilient;
  }
  const service = FileOrderService.fromFile(orders.file);
  logger.info({ file: orders.file, orders: service.size }, 'using the sample order backend');
  return service;
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
