import { type BotState, ConversationState, MemoryStorage, TestAdapter, type TurnContext, UserState } from 'botbuilder';
import pino from 'pino';
import type { ConversationEvents } from '../../dialogs/conversationEvents';
import { createMainDialog } from '../../dialogs/createDialogs';
import type { MainDialog } from '../../dialogs/MainDialog';
import type { HandoffRequest, HandoffRequester, OrderService } from '../../dialogs/ports';
import { createStateAccessors, SupportBot } from '../../src/bot/SupportBot';
import { createTurnErrorHandler } from '../../src/bot/turnErrorHandler';
import { DEFAULT_ORDER_ID_PATTERN } from '../../src/config/config';
import { FileOrderService } from '../../src/orders/FileOrderService';
import { fromRoot } from '../../src/paths';
import { MemoryConversationLock } from '../../src/storage/ConversationLock';
import { TurnSerializer } from '../../src/storage/TurnSerializer';
import { DEFAULT_SCRIPT, ScriptedRecognizer } from './ScriptedRecognizer';
import type { VerificationOptions, VerificationPolicy } from '../../dialogs/verification';
import { NoopBotMetrics } from '../../src/telemetry/metrics';
import { MemoryAttemptStore, type AttemptStore } from '../../src/verification/attemptStore';
import { CountingVerificationGuard } from '../../src/verification/VerificationGuard';

/** Records handoff requests instead of contacting anyone; says a fixed sentence. */
export class RecordingHandoff implements HandoffRequester {
  readonly requests: HandoffRequest[] = [];
  async requestHandoff(context: TurnContext, request: HandoffRequest): Promise<void> {
    this.requests.push(request);
    await context.sendActivity('[handoff requested]');
  }
}

export const silentLogger = pino({ level: 'silent' });

/**
 * The one owner of state at the end of a turn, as the app registers it (the storage layer's
 * TurnSerializer, first on the adapter): loads `states` before the turn, saves them once after
 * it. Test bots use it so they save state the way production does; the memory lock stands in for
 * MongoDB's.
 */
export function turnStateMiddleware(...states: BotState[]): TurnSerializer {
  return new TurnSerializer({ lock: new MemoryConversationLock(), states });
}

export interface TestBot {
  adapter: TestAdapter;
  handoff: RecordingHandoff;
  /** The dialog tree (to attach a telemetry client, for example). */
  dialog: MainDialog;
}

/** A full bot (real dialogs, state, sample orders) on botbuilder's TestAdapter. */
export interface TestBotOptions {
  orders?: OrderService;
  maxAttempts?: number;
  events?: ConversationEvents;
  /** Order verification policy; default knowledge, as `npm start`. */
  policy?: VerificationPolicy;
  /** Failed checks before a lockout (per conversation, customer and order). */
  maxFailures?: number;
  rememberSeconds?: number;
  /** Clock of the verification memory and the failure windows. */
  now?: () => number;
  /** Shared failure counters (two bots = two instances). */
  attempts?: AttemptStore;
}

/**
 * The real dialog tree with the scripted recognizer, the sample orders and a recording handoff,
 * on state accessors the caller made (tests and benchmarks that build their own pipeline).
 */
export function createTestMainDialog(
  accessors: Pick<ReturnType<typeof createStateAccessors>, 'mainFlags'>,
  options: TestBotOptions & { handoff?: HandoffRequester } = {},
): MainDialog {
  return createMainDialog({
    recognizer: new ScriptedRecognizer(DEFAULT_SCRIPT),
    orders: options.orders ?? FileOrderService.fromFile(fromRoot('data/orders.json')),
    handoff: options.handoff ?? new RecordingHandoff(),
    flags: accessors.mainFlags,
    orderIdRules: { pattern: DEFAULT_ORDER_ID_PATTERN },
    maxOrderIdAttempts: options.maxAttempts ?? 3,
    events: options.events,
    verification: testVerification(options),
  });
}

export function createTestBot(options: TestBotOptions = {}): TestBot {
  const storage = new MemoryStorage();
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const accessors = createStateAccessors(conversationState);
  const handoff = new RecordingHandoff();
  const dialog = createTestMainDialog(accessors, { ...options, handoff });
  const bot = new SupportBot({ userState, dialog, dialogState: accessors.dialogState, maxTextLength: 2000 });
  const adapter = new TestAdapter((context) => bot.run(context)).use(turnStateMiddleware(conversationState, userState));
  adapter.onTurnError = createTurnErrorHandler(silentLogger, false);
  return { adapter, handoff, dialog };
}

/** Verification for in-process test bots: the policy (default knowledge) with real counters. */
export function testVerification(options: Pick<TestBotOptions, 'policy' | 'maxFailures' | 'rememberSeconds' | 'now' | 'attempts'> = {}): VerificationOptions {
  return {
    policy: options.policy ?? 'knowledge',
    guard: new CountingVerificationGuard({
      store: options.attempts ?? new MemoryAttemptStore(),
      maxFailures: options.maxFailures ?? 5,
      windowSeconds: 3600,
      metrics: new NoopBotMetrics(),
      logger: silentLogger,
      hashKey: 'test',
      ...(options.now ? { now: options.now } : {}),
    }),
    rememberSeconds: options.rememberSeconds ?? 1800,
    ...(options.now ? { now: options.now } : {}),
  };
}

/** The sample orders' second factors (data/orders.json), for tests that go through the check. */
export const SAMPLE_ANSWERS: Readonly<Record<string, string>> = {
  '12345': 'alex.morgan@example.com',
  '98765': 'SW1A 1AA',
  ABC123: 'sam.lee@example.org',
  '55555': '10115',
};
