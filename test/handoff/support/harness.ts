import { ActivityHandler, ConversationState, MemoryStorage, TestAdapter, type Activity, type ConversationReference, type TurnContext } from 'botbuilder';
import pino from 'pino';
import type { AgentDesk, ThreadPost } from '../../../src/handoff/AgentDesk';
import { AgentHandoff } from '../../../src/handoff/AgentHandoff';
import { BusinessHours } from '../../../src/config/businessHours';
import type { CustomerMessenger } from '../../../src/handoff/CustomerMessenger';
import { CustomerHandoff, type HandoffPointer } from '../../../src/handoff/CustomerHandoff';
import type { HandoffDependencies } from '../../../src/handoff/HandoffDependencies';
import { HandoffEvents } from '../../../src/handoff/handoffEvents';
import { HandoffSweeper } from '../../../src/handoff/HandoffSweeper';
import { RecentTranscript, type RecentLines } from '../../../src/handoff/recentTranscript';
import type { HandoffStore } from '../../../src/handoff/store/HandoffStore';
import { MemoryHandoffStore } from '../../../src/handoff/store/MemoryHandoffStore';
import type { DeskThread, Ticket } from '../../../src/handoff/ticket';
import { TicketNotifier } from '../../../src/handoff/TicketNotifier';

/** The agent desk's twin: records what agents would see. */
export class RecordingDesk implements AgentDesk {
  readonly opened: Ticket[] = [];
  readonly refreshed: Ticket[] = [];
  readonly posts: { ticketId: string; post: ThreadPost }[] = [];
  readonly told: { agentId: string; text: string }[] = [];
  failOpen = false;
  private ts = 0;

  async openTicket(ticket: Ticket): Promise<DeskThread> {
    if (this.failOpen) throw new Error('slack is down');
    this.opened.push(ticket);
    this.ts += 1;
    return { channel: 'CDESK', ts: `1700000000.${String(this.ts).padStart(6, '0')}` };
  }
  async refreshTicket(ticket: Ticket): Promise<void> {
    this.refreshed.push(ticket);
  }
  async postInThread(ticket: Ticket, post: ThreadPost): Promise<void> {
    this.posts.push({ ticketId: ticket.id, post });
  }
  async tellAgent(_thread: DeskThread, agentId: string, text: string): Promise<void> {
    this.told.push({ agentId, text });
  }
  postsOf(ticketId: string, kind?: ThreadPost['kind']): string[] {
    return this.posts.filter((p) => p.ticketId === ticketId && (!kind || p.post.kind === kind)).map((p) => p.post.text);
  }
}

/** Proactive messages' twin: records what customers would receive. */
export class RecordingMessenger implements CustomerMessenger {
  readonly sent: { conversationId: string; activities: Partial<Activity>[] }[] = [];
  fail = false;
  async send(reference: Partial<ConversationReference>, activities: Partial<Activity>[]): Promise<void> {
    if (this.fail) throw new Error('conversation gone');
    this.sent.push({ conversationId: reference.conversation?.id ?? '', activities });
  }
  /** Message texts sent to one conversation. */
  textsTo(conversationId: string): string[] {
    return this.sent
      .filter((s) => s.conversationId === conversationId)
      .flatMap((s) => s.activities.filter((a) => a.type === 'message').map((a) => a.text ?? ''));
  }
  eventsTo(conversationId: string): Partial<Activity>[] {
    return this.sent.filter((s) => s.conversationId === conversationId).flatMap((s) => s.activities.filter((a) => a.type === 'event'));
  }
}

export const silent = pino({ level: 'silent' });

/** A clock tests move by hand. */
export class ManualClock {
  constructor(public time = Date.parse('2026-03-02T10:00:00Z')) {}
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

export interface HarnessOptions {
  store?: HandoffStore;
  hours?: string;
  clock?: ManualClock;
  desk?: RecordingDesk;
  messenger?: RecordingMessenger;
}

/** The handoff layer on twins, with a tiny bot that asks for a human on "human". */
export class Harness {
  readonly store: HandoffStore;
  readonly desk: RecordingDesk;
  readonly messenger: RecordingMessenger;
  readonly clock: ManualClock;
  readonly metrics: { event: string; seconds?: number }[] = [];
  readonly deps: HandoffDependencies;
  readonly customer: CustomerHandoff;
  readonly agents: AgentHandoff;
  readonly storage = new MemoryStorage();
  readonly conversationState: ConversationState;
  readonly botSaw: string[] = [];
  private readonly notifier: TicketNotifier;

  constructor(options: HarnessOptions = {}) {
    this.store = options.store ?? new MemoryHandoffStore();
    this.desk = options.desk ?? new RecordingDesk();
    this.messenger = options.messenger ?? new RecordingMessenger();
    this.clock = options.clock ?? new ManualClock();
    this.deps = {
      store: this.store,
      desk: this.desk,
      messenger: this.messenger,
      events: new HandoffEvents(['test']),
      metrics: { handoff: (event, seconds) => void this.metrics.push({ event, seconds }) },
      hours: BusinessHours.parse(options.hours ?? ''),
      timings: { queueTimeoutMs: 300_000, idleTimeoutMs: 900_000, followUpMs: 600_000 },
      logger: silent,
      now: this.clock.now,
    };
    this.notifier = new TicketNotifier(this.deps);
    this.conversationState = new ConversationState(this.storage);
    const recent = new RecentTranscript(this.conversationState.createProperty<RecentLines>('handoffRecent'), 10, this.clock.now);
    this.customer = new CustomerHandoff(this.deps, this.notifier, this.conversationState.createProperty<HandoffPointer>('handoff'), recent);
    this.agents = new AgentHandoff(this.deps, this.notifier);
  }

  /** Another instance on the same store, desk and messenger (for timers that must fire once). */
  sweeper(owner: string): HandoffSweeper {
    return new HandoffSweeper(this.deps, this.notifier, { owner, intervalMs: 60_000 });
  }

  /** A customer in a conversation (their own, or one shared with others: pass a `userId`). */
  customerIn(conversationId: string, name = 'Carla', userId = `user-${conversationId}`): Customer {
    const bot = new TinyBot(this);
    const adapter = new TestAdapter((context) => bot.run(context), {
      channelId: 'test',
      conversation: { id: conversationId, isGroup: false, name: '', conversationType: 'personal' },
      from: { id: userId, name, role: 'user' },
      recipient: { id: 'bot', name: 'bot', role: 'bot' },
      serviceUrl: 'http://127.0.0.1:1',
    });
    return new Customer(adapter, conversationId);
  }

  async ticketOf(conversationId: string): Promise<Ticket> {
    const opened = [...this.desk.opened].reverse().find((t) => t.reference.conversation?.id === conversationId);
    if (!opened) throw new Error(`no ticket for ${conversationId}`);
    return (await this.store.get(opened.id)) as Ticket;
  }
}

class TinyBot extends ActivityHandler {
  constructor(private readonly h: Harness) {
    super();
    this.onMessage(async (context, next) => {
      if (!(await h.customer.onMessage(context))) await this.answer(context);
      await next();
    });
  }
  private async answer(context: TurnContext): Promise<void> {
    const text = context.activity.text ?? '';
    this.h.botSaw.push(text);
    if (text === 'human') await this.h.customer.requestHandoff(context, { reason: 'user_request', intent: 'ask_order_status', orderId: '12345' });
    else await context.sendActivity(`bot heard: ${text}`);
  }
  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.h.conversationState.saveChanges(context);
  }
}

/** One customer's conversation on the TestAdapter. */
export class Customer {
  constructor(
    readonly adapter: TestAdapter,
    readonly conversationId: string,
  ) {}

  /** Sends a message; resolves with every activity the bot sent in that turn. */
  async say(text: string): Promise<Partial<Activity>[]> {
    this.adapter.activeQueue.length = 0;
    await this.adapter.receiveActivity(text);
    return this.adapter.activeQueue.splice(0);
  }

  async texts(text: string): Promise<string[]> {
    return (await this.say(text)).filter((a) => a.type === 'message').map((a) => a.text ?? '');
  }
}

export const alice = { id: 'UALICE', name: 'Alice' };
export const bob = { id: 'UBOB', name: 'Bob' };

/** Where the agents act: the ticket's thread. */
export function threadOf(ticket: Ticket): DeskThread {
  if (!ticket.thread) throw new Error(`ticket ${ticket.id} has no thread`);
  return ticket.thread;
}
