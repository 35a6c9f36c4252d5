import type { ConversationState, StatePropertyAccessor, Storage, TurnContext } from 'botbuilder';
import { UserState } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { Recognizer } from 'botbuilder-dialogs';
import { MainDialog } from '../../dialogs/MainDialog';
import type { HandoffRequester, OrderService, TurnRecognizer } from '../../dialogs/ports';
import { createStateAccessors, SupportBot } from '../bot/SupportBot';
import { createTurnErrorHandler } from '../bot/turnErrorHandler';
import type { AppConfig } from '../config/config';
import type { HandoffLayer } from '../handoff/createHandoffLayer';
import { LoggingHandoffRequester } from '../handoff/LoggingHandoffRequester';
import type { HealthRegistry } from '../server/health';
import { UnreadableItemStorage } from '../state/UnreadableItemStorage';
import { ParticipantConversationState } from '../groups/ParticipantConversationState';
import { InstrumentedHandoffRequester, InstrumentedRecognizer, InstrumentedStorage } from '../telemetry/instrumented';
import type { Logger } from '../telemetry/logger';
import type { Observability } from '../telemetry/observability';
import { CountingVerificationGuard } from '../verification/VerificationGuard';
import { createHandoffDesk } from './handoffDesk';
import { createOrderService } from './orders';
import { loadRecognizer } from './recognizer';
import type { AppStores } from './stores';

/** Parts of the core a test (or an embedding application) may supply instead of the configured ones. */
export interface CoreOverrides {
  orders?: OrderService;
  recognizer?: TurnRecognizer;
  storage?: Storage;
  handoff?: HandoffRequester;
  /** Clock of the human handoff's timers, business hours and order verification (tests move it). */
  now?: () => number;
}

export interface CoreDependencies {
  logger: Logger;
  observability: Observability;
  stores: AppStores;
  health: HealthRegistry;
  /** Where the core registers what must be closed at shutdown (run in reverse order). */
  closers: Array<() => Promise<void>>;
  overrides: CoreOverrides;
}

/** What every channel runs: the state, the dialogs, the bot and its one turn error handler. */
export interface BotCore {
  readonly conversationState: ConversationState;
  readonly userState: UserState;
  readonly dialog: MainDialog;
  readonly bot: SupportBot;
  /** Human handoff to agents in SLACK_HANDOFF_CHANNEL; undefined without it (requests are logged). */
  readonly handoffDesk: HandoffLayer | undefined;
  readonly onTurnError: (context: TurnContext, error: Error) => Promise<void>;
  /** The (timed) storage the states use, and the dialog stack's accessor (src/groups needs both). */
  readonly stateStorage: Storage;
  readonly dialogState: StatePropertyAccessor<DialogState>;
}

/** Builds the bot once: state, recognizer, orders, handoff desk, verification, dialogs, bot. */
export function buildBotCore(config: AppConfig, deps: CoreDependencies): BotCore {
  const { logger, observability, stores, overrides } = deps;
  const { conversationState, userState, storage: stateStorage } = buildState(config, deps);
  const accessors = createStateAccessors(conversationState);
  const recognizer = buildRecognizer(config, deps);
  const orders = overrides.orders ?? ownedOrderService(config, deps);
  const handoffDesk = createHandoffDesk(config, { stores, conversationState, observability, logger, ...(overrides.now ? { now: overrides.now } : {}) });
  const handoff = overrides.handoff ?? handoffDesk?.customer ?? new LoggingHandoffRequester(logger);
  const guard = buildVerificationGuard(config, deps);
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
      guard,
      rememberSeconds: config.verification.rememberSeconds,
      ...(overrides.now ? { now: overrides.now } : {}),
    },
  });
  // Waterfall start/step/complete/cancel events for every dialog in the tree.
  dialog.telemetryClient = observability.telemetry;
  const bot = new SupportBot({
    conversationState,
    userState,
    dialog,
    dialogState: accessors.dialogState,
    maxTextLength: config.limits.maxMessageChars,
    saveStateAfterTurn: false,
    gate: handoffDesk?.customer,
  });
  const onTurnError = createTurnErrorHandler(logger, config.nodeEnv !== 'production');
  return { conversationState, userState, dialog, bot, handoffDesk, onTurnError, stateStorage, dialogState: accessors.dialogState };
}

/**
 * Timed state reads and writes (supportbot_storage_duration_seconds), whichever store is used.
 * A state item whose stored JSON is corrupt reads as "unreadable" (the state guard starts that
 * conversation afresh) instead of failing every turn.
 */
function buildState(
  config: AppConfig,
  { stores, overrides, observability, logger, health }: CoreDependencies,
): {
  conversationState: ConversationState;
  userState: UserState;
  storage: Storage;
} {
  if (stores.layer.kind === 'mongodb') {
    health.register('storage', () => stores.layer.isReady());
    logger.info({ db: config.storage.mongodb?.dbName }, 'state, leases and transcripts in MongoDB');
  }
  const readable = new UnreadableItemStorage(overrides.storage ?? stores.layer.storage, (key, err) =>
    logger.warn({ key, err }, 'stored state item cannot be decoded'),
  );
  const storage = new InstrumentedStorage(readable, observability.metrics);
  // Per person in group conversations (Teams channels and group chats, Slack channels): src/groups.
  return { conversationState: new ParticipantConversationState(storage), userState: new UserState(storage), storage };
}

function buildRecognizer(config: AppConfig, { overrides, logger, health, observability }: CoreDependencies): TurnRecognizer {
  const recognizer = overrides.recognizer ?? loadRecognizer(config, logger);
  health.register('recognizer', () => true);
  // botbuilder Recognizers send a "LocalRecognizerResult" event per message to this client.
  if (recognizer instanceof Recognizer) recognizer.telemetryClient = observability.telemetry;
  return recognizer;
}

function ownedOrderService(config: AppConfig, { logger, observability, closers }: CoreDependencies): OrderService {
  const backend = createOrderService(config, logger, observability.metrics);
  if (backend.close) closers.push(backend.close);
  return backend.service;
}

/**
 * Who may see an order (ORDER_VERIFICATION); failed checks are counted in MongoDB when there is
 * one, so a lockout holds on every instance.
 */
function buildVerificationGuard(config: AppConfig, { stores, observability, logger, overrides }: CoreDependencies): CountingVerificationGuard {
  const guard = new CountingVerificationGuard({
    store: stores.verificationAttempts,
    maxFailures: config.verification.maxFailures,
    windowSeconds: config.verification.windowSeconds,
    metrics: observability.metrics,
    logger,
    hashKey: 'order-support-bot/verification-attempts/v1',
    ...(overrides.now ? { now: overrides.now } : {}),
  });
  logger.info({ policy: config.verification.policy }, 'order verification policy');
  return guard;
}
