import { ConversationState, MemoryStorage, TestAdapter, TurnContext, UserState } from 'botbuilder';
import pino from 'pino';
import type { ConversationEvents } from '../../dialogs/conversationEvents';
import { MainDialog } from '../../dialogs/MainDialog';
import type { HandoffRequest, HandoffRequester, OrderService } from '../../dialogs/ports';
import { createStateAccessors, SupportBot } from '../../src/bot/SupportBot';
import { createTurnErrorHandler } from '../../src/bot/turnErrorHandler';
import { DEFAULT_ORDER_ID_PATTERN } from '../../src/config/config';
import { FileOrderService } from '../../src/orders/FileOrderService';
import { fromRoot } from '../../src/paths';
import { DEFAULT_SCRIPT, ScriptedRecognizer } from './ScriptedRecognizer';

/** Records handoff requests instead of contacting anyone; says a fixed sentence. */
export class RecordingHandoff implements HandoffRequester {
  readonly requests: HandoffRequest[] = [];
  async requestHandoff(context: TurnContext, request: HandoffRequest): Promise<void> {
    this.requests.push(request);
    await context.sendActivity('[handoff requested]');
  }
}

export const silentLogger = pino({ level: 'silent' });

export interface TestBot {
  adapter: TestAdapter;
  handoff: RecordingHandoff;
}

/** A full bot (real dialogs, state, sample orders) on botbuilder's TestAdapter. */
export function createTestBot(options: { orders?: OrderService; maxAttempts?: number; events?: ConversationEvents } = {}): TestBot {
  const storage = new MemoryStorage();
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const accessors = createStateAccessors(conversationState);
  const handoff = new RecordingHandoff();
  const dialog = new MainDialog({
    recognizer: new ScriptedRecognizer(DEFAULT_SCRIPT),
    orders: options.orders ?? FileOrderService.fromFile(fromRoot('data/orders.json')),
    handoff,
    flags: accessors.mainFlags,
    orderIdRules: { pattern: DEFAULT_ORDER_ID_PATTERN },
    maxOrderIdAttempts: options.maxAttempts ?? 3,
    events: options.events,
  });
  const bot = new SupportBot({ conversationState, userState, dialog, dialogState: accessors.dialogState, maxTextLength: 2000 });
  const adapter = new TestAdapter((context) => bot.run(context));
  adapter.onTurnError = createTurnErrorHandler(silentLogger, false);
  return { adapter, handoff };
}
