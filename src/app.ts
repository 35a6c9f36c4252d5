import type { AddressInfo } from 'node:net';
import { ConversationState, Storage, UserState, type CloudAdapter } from 'botbuilder';
import type restify from 'restify';
import { MainDialog } from '../dialogs/MainDialog';
import type { HandoffRequester, OrderService, TurnRecognizer } from '../dialogs/ports';
import { LocalRecognizer, loadTrainingData } from '../recognizers';
import { RateLimiter } from './bot/RateLimiter';
import { createStateAccessors, SupportBot } from './bot/SupportBot';
import { createTurnErrorHandler } from './bot/turnErrorHandler';
import { createCloudAdapter } from './channels/botFrameworkAdapter';
import type { AppConfig } from './config/config';
import { SupportBotError } from './errors';
import { LoggingHandoffRequester } from './handoff/LoggingHandoffRequester';
import { FileOrderService } from './orders/FileOrderService';
import { HttpOrderService } from './orders/HttpOrderService';
import { ResilientOrderService } from './orders/ResilientOrderService';
import { createServer } from './server/createServer';
import { HealthRegistry } from './server/health';
import { createStorageLayer, type StorageLayer } from './storage/createStorageLayer';
import { createLogger, type Logger } from './telemetry/logger';

/** Parts a test (or an embedding application) may supply instead of the configured ones. */
export interface AppOverrides {
  logger?: Logger;
  orders?: OrderService;
  recognizer?: TurnRecognizer;
  storage?: Storage;
  /** A ready storage layer (tests and benchmarks build one with driver monitoring). */
  storageLayer?: StorageLayer;
  handoff?: HandoffRequester;
}

/** A built, not yet listening, bot application. */
export interface BotApp {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly server: restify.Server;
  readonly adapter: CloudAdapter;
  readonly bot: SupportBot;
  readonly health: HealthRegistry;
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
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const closers: Array<() => Promise<void>> = [];
  const health = new HealthRegistry();

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
  const storage = overrides.storage ?? storageLayer.storage;
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const accessors = createStateAccessors(conversationState);

  const recognizer = overrides.recognizer ?? trainRecognizer(config, logger);
  health.register('recognizer', () => true);

  const orders = overrides.orders ?? createOrderService(config, logger, closers);
  const handoff = overrides.handoff ?? new LoggingHandoffRequester(logger);

  const dialog = new MainDialog({
    recognizer,
    orders,
    handoff,
    flags: accessors.mainFlags,
    orderIdRules: { pattern: config.nlu.orderIdPattern },
    maxOrderIdAttempts: config.dialog.maxOrderIdAttempts,
  });
  const bot = new SupportBot({
    conversationState,
    userState,
    dialog,
    dialogState: accessors.dialogState,
    maxTextLength: config.limits.maxMessageChars,
    saveStateAfterTurn: false,
    rateLimiter: new RateLimiter({
      perUserPerMinute: config.limits.perUserPerMinute,
      perConversationPerMinute: config.limits.perConversationPerMinute,
    }),
  });

  const adapter = createCloudAdapter(config.auth);
  adapter.onTurnError = createTurnErrorHandler(logger, config.nodeEnv !== 'production');
  // First: outage guard, then one turn at a time per conversation (loads and saves the states),
  // then the transcript logger.
  for (const middleware of storageLayer.middleware([conversationState, userState])) adapter.use(middleware);

  const server = createServer({ adapter, bot, health, logger, maxBodyBytes: config.limits.maxBodyBytes, maxAttachments: config.limits.maxAttachments });

  let closed = false;
  return {
    config,
    logger,
    server,
    adapter,
    bot,
    health,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const { port } = server.address() as AddressInfo;
          const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
          resolve({ port, url: `http://${host}:${port}` });
        });
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const close of closers.reverse()) await close();
    },
  };
}

function trainRecognizer(config: AppConfig, logger: Logger): LocalRecognizer {
  const started = process.hrtime.bigint();
  try {
    const recognizer = LocalRecognizer.train(loadTrainingData(config.nlu.trainingFile), {
      threshold: config.nlu.threshold,
      orderIdPattern: config.nlu.orderIdPattern,
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    logger.info({ trainingFile: config.nlu.trainingFile, ms: Math.round(ms) }, 'recognizer trained');
    return recognizer;
  } catch (err) {
    throw new SupportBotError('NLU_TRAINING_FAILED', `NLU_FILE: could not train the recognizer from "${config.nlu.trainingFile}": ${(err as Error).message}`, { cause: err });
  }
}

function createOrderService(config: AppConfig, logger: Logger, closers: Array<() => Promise<void>>): OrderService {
  const { orders } = config;
  if (orders.apiUrl) {
    logger.info({ baseUrl: orders.apiUrl }, 'using the HTTP orders API');
    const client = new HttpOrderService({
      baseUrl: orders.apiUrl,
      apiKey: orders.apiKey,
      timeoutMs: orders.timeoutMs,
      retries: orders.retries,
      logger,
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
