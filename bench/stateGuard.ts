import { ConversationState, MemoryStorage, TestAdapter, UserState, type Middleware } from 'botbuilder';
import { IGNORE_CONVERSATION_EVENTS } from '../dialogs/conversationEvents';
import { createStateAccessors, SupportBot } from '../src/bot/SupportBot';
import { createStateGuard } from '../src/state/createStateGuard';
import { MemoryConversationLock } from '../src/storage/ConversationLock';
import { TurnSerializer } from '../src/storage/TurnSerializer';
import { silentLogger, createTestMainDialog } from '../test/support/testBot';
import { arg } from './lib/args';

/**
 * `npm run bench:state`: what the versioned-state check costs per turn. Two copies of the bot's
 * turn pipeline run in this process (real dialogs, state loaded and saved by the turn
 * serializer on memory storage, as the app does), one with the StateGuard and one without.
 * Each round runs the same full order conversations (greet, ask with an ID, confirm, answer the
 * feedback question) through both, alternating which goes first; the figure is the median of
 * the per-round ratios of CPU time per turn (guard / no guard). The scripted recognizer keeps
 * NLU out of the comparison, so the ratio is against the cheapest real turn, not a typical one.
 *
 *   npm run bench:state -- [--rounds 15] [--conversations 300]
 */
const ROUNDS = Number(arg('rounds', '15'));
const CONVERSATIONS = Number(arg('conversations', '300'));
const SCRIPT = ['hi', 'where is my order 12345', 'yes', 'yes'];

function pipeline(withGuard: boolean): { adapter: TestAdapter; guard: Middleware } {
  const storage = new MemoryStorage();
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const accessors = createStateAccessors(conversationState);
  const dialog = createTestMainDialog(accessors, { handoff: { requestHandoff: async () => undefined }, policy: 'none' });
  const bot = new SupportBot({ userState, dialog, dialogState: accessors.dialogState, maxTextLength: 2000 });
  const adapter = new TestAdapter((context) => bot.run(context));
  const middleware: Middleware[] = [new TurnSerializer({ lock: new MemoryConversationLock(), states: [conversationState, userState] })];
  const guard = createStateGuard({
    conversationState,
    userState,
    root: dialog,
    events: IGNORE_CONVERSATION_EVENTS,
    logger: silentLogger,
    newerVersion: 'wait',
  });
  if (withGuard) middleware.push(guard);
  adapter.use(...middleware);
  return { adapter, guard };
}

/**
 * The check alone: the guard run many times inside one turn of a conversation that waits at the
 * order-ID confirmation (the deepest stack the bot stores), with nothing after it.
 */
async function checkAloneMicros(adapter: TestAdapter, guard: Middleware): Promise<number> {
  const conversation = { id: 'bench-check', isGroup: false, conversationType: 'personal', name: '' };
  const from = { id: 'user-check', name: 'customer' };
  await adapter.processActivity({ type: 'message', text: 'where is my order 12345', conversation, from, channelId: 'test' });
  const calls = 20_000;
  let micros = NaN;
  await adapter.processActivity({ type: 'message', text: 'yes', conversation, from, channelId: 'test' }, async (context) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await guard.onTurn(context, async () => undefined);
    micros = Number(process.hrtime.bigint() - started) / 1000 / calls;
  });
  adapter.activeQueue.length = 0;
  return micros;
}

let run = 0;
/** CPU microseconds per turn for `CONVERSATIONS` conversations through `adapter`. */
async function measure(adapter: TestAdapter): Promise<number> {
  run += 1;
  const before = process.cpuUsage();
  let turns = 0;
  for (let c = 0; c < CONVERSATIONS; c++) {
    const conversation = { id: `bench-${run}-${c}`, isGroup: false, conversationType: 'personal', name: '' };
    for (const text of SCRIPT) {
      await adapter.processActivity({ type: 'message', text, conversation, from: { id: `user-${run}-${c}`, name: 'customer' }, channelId: 'test' });
      turns += 1;
    }
    // Both pipelines must hold real conversations, or the comparison means nothing.
    if (!adapter.activeQueue.some((a) => /^Order 12345 is/.test(a.text ?? ''))) throw new Error('a conversation did not reach the order status');
    adapter.activeQueue.length = 0;
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / turns;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const { adapter: guarded } = pipeline(true);
  const { adapter: bare, guard: unusedGuard } = pipeline(false);
  await measure(guarded);
  await measure(bare); // warm-up
  const withGuard: number[] = [];
  const without: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [true, false] : [false, true];
    const sample: Record<string, number> = {};
    for (const guard of order) sample[String(guard)] = await measure(guard ? guarded : bare);
    withGuard.push(sample.true!);
    without.push(sample.false!);
    ratios.push(sample.true! / sample.false!);
  }
  const alone = await checkAloneMicros(bare, unusedGuard);
  const turns = CONVERSATIONS * SCRIPT.length;
  console.log(`state guard cost: ${ROUNDS} rounds x ${turns} turns per pipeline, CPU time per turn (median)`);
  console.log(`  without the check : ${median(without).toFixed(1)} µs`);
  console.log(`  with the check    : ${median(withGuard).toFixed(1)} µs`);
  console.log(`  difference        : ${(median(withGuard) - median(without)).toFixed(1)} µs per turn`);
  console.log(
    `  the check alone   : ${alone.toFixed(1)} µs per call (mid-form state), i.e. ${((alone / median(without)) * 100).toFixed(1)}% of a turn without it`,
  );
  console.log(
    `  ratio (median of per-round ratios): ${median(ratios).toFixed(3)}  [min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}]`,
  );
}

void main();
