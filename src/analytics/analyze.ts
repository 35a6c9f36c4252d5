import type { Activity } from 'botbuilder-core';
import { FUNNEL_STEPS, type AnalyticsReport, type DailyRow, type DropReason, type FunnelStep } from './report';
import { timestampOf, toTimeline, type StoredEvent } from './timeline';

/** One stored conversation. */
export interface ConversationTranscript {
  channelId: string;
  conversationId: string;
  /** Oldest first. */
  activities: Partial<Activity>[];
}

export interface AnalyzeOptions {
  /** How many misunderstood messages to list (default 20). */
  topUtterances?: number;
  /** Clock for `generatedAt` (tests). */
  now?: () => Date;
}

/** One run of the order form inside a conversation. */
interface FormRun {
  reached: number;
  invalidIds: number;
  denials: number;
  end?: DropReason | 'delivered';
}

const END_REASONS: Record<string, DropReason | 'delivered'> = {
  'form.status_delivered': 'delivered',
  'form.not_found': 'not_found',
  'form.backend_error': 'backend_error',
  'form.too_many_attempts': 'too_many_attempts',
  'verify.failed': 'not_verified',
  'verify.locked_out': 'locked_out',
};

/** Longest misunderstood message kept for the report; longer ones are cut. */
const MAX_UTTERANCE_CHARS = 200;

/**
 * Builds the report one conversation at a time, so any number of transcripts can be streamed
 * through it; memory grows only with the number of distinct misunderstood messages and days.
 */
export class ConversationAnalytics {
  private conversations = 0;
  private activeConversations = 0;
  private customerMessages = 0;
  private first?: Date;
  private last?: Date;
  private readonly runs: FormRun[] = [];
  private fallbackTotal = 0;
  private fallbackWithoutText = 0;
  private readonly fallbackStages = new Map<string, number>();
  private readonly utterances = new Map<string, number>();
  private handoffRequests = 0;
  private handoffConversations = 0;
  private readonly handoffReasons = new Map<string, number>();
  private handoffClaims = 0;
  private handoffResolutions = 0;
  private feedbackAsked = 0;
  private helpful = 0;
  private notHelpful = 0;
  private readonly ratings = new Map<string, number>();
  private ratingShares: number[] = [];
  private readonly days = new Map<string, DailyRow>();
  private readonly verify = { asked: 0, passed: new Map<string, number>(), failed: new Map<string, number>(), lockouts: 0, refusedLockedOut: 0, reused: 0 };

  constructor(private readonly options: AnalyzeOptions = {}) {}

  add(transcript: ConversationTranscript): void {
    const timeline = toTimeline(transcript.activities);
    this.conversations += 1;
    const customer = timeline.filter((i) => i.kind === 'customer').length;
    this.customerMessages += customer;
    if (customer > 0) this.activeConversations += 1;
    const times = transcript.activities.map(timestampOf).filter((t): t is Date => t !== undefined);
    this.widenPeriod(times);
    const day = this.dayOf(times[0]);
    day.conversations += 1;
    day.customerMessages += customer;

    let run: FormRun | undefined;
    // The message an event answers: by reply id (robust to clock skew between the channel and
    // the bot, which can reorder a transcript), else the customer's latest message.
    const customerText = new Map<string, string | undefined>();
    for (const item of timeline) if (item.kind === 'customer' && item.id) customerText.set(item.id, item.text);
    let lastCustomerText: string | undefined;
    let handoffHere = false;
    for (const item of timeline) {
      if (item.kind === 'customer') {
        lastCustomerText = item.text;
        continue;
      }
      const { event } = item;
      if (event.name === 'form.started') {
        if (run && !run.end) run.end = 'no_reply';
        run = { reached: 1, invalidIds: 0, denials: 0 };
        this.runs.push(run);
      } else if (run && !run.end) {
        this.advance(run, event);
        if (run.end === 'delivered') day.statusesDelivered += 1;
      }
      switch (event.name) {
        case 'fallback':
          this.countFallback(event, item.replyToId !== undefined && customerText.has(item.replyToId) ? customerText.get(item.replyToId) : lastCustomerText);
          day.fallbacks += 1;
          break;
        case 'handoff.requested':
          this.handoffRequests += 1;
          handoffHere = true;
          day.handoffs += 1;
          increment(this.handoffReasons, String(event.reason ?? 'unknown'));
          break;
        case 'handoff.claimed':
          this.handoffClaims += 1;
          break;
        case 'handoff.resolved':
          this.handoffResolutions += 1;
          break;
        case 'feedback.asked':
          this.feedbackAsked += 1;
          break;
        case 'feedback':
          if (event.helpful === true) this.helpful += 1;
          else if (event.helpful === false) this.notHelpful += 1;
          break;
        case 'satisfaction':
          this.countRating(event);
          break;
        case 'verify.asked':
          this.verify.asked += 1;
          break;
        case 'verify.passed':
          increment(this.verify.passed, String(event.method ?? 'unknown'));
          break;
        case 'verify.failed':
          increment(this.verify.failed, String(event.method ?? 'unknown'));
          if (event.lockedOut === true) this.verify.lockouts += 1;
          break;
        case 'verify.locked_out':
          this.verify.refusedLockedOut += 1;
          break;
        case 'verify.reused':
          this.verify.reused += 1;
          break;
        default:
          break;
      }
    }
    // A form still open when the transcript ends: the customer stopped answering.
    if (run && !run.end) run.end = 'no_reply';
    if (handoffHere) this.handoffConversations += 1;
  }

  report(): AnalyticsReport {
    const top = this.options.topUtterances ?? 20;
    return {
      generatedAt: (this.options.now?.() ?? new Date()).toISOString(),
      period: { from: this.first?.toISOString(), to: this.last?.toISOString() },
      conversations: this.conversations,
      activeConversations: this.activeConversations,
      customerMessages: this.customerMessages,
      funnel: this.funnelReport(),
      fallbacks: {
        total: this.fallbackTotal,
        rate: ratio(this.fallbackTotal, this.customerMessages) ?? 0,
        byStage: Object.fromEntries(this.fallbackStages),
        topUtterances: [...this.utterances.entries()]
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .slice(0, top)
          .map(([text, count]) => ({ text, count })),
        withoutText: this.fallbackWithoutText,
      },
      handoffs: {
        requested: this.handoffRequests,
        conversations: this.handoffConversations,
        rate: ratio(this.handoffConversations, this.activeConversations) ?? 0,
        byReason: Object.fromEntries(this.handoffReasons),
        claimed: this.handoffClaims,
        resolved: this.handoffResolutions,
      },
      feedback: {
        asked: this.feedbackAsked,
        answered: this.helpful + this.notHelpful,
        helpful: this.helpful,
        notHelpful: this.notHelpful,
        helpfulRate: ratio(this.helpful, this.helpful + this.notHelpful),
        responseRate: ratio(this.helpful + this.notHelpful, this.feedbackAsked),
      },
      satisfaction: {
        ratings: this.ratingShares.length,
        averageShare: this.ratingShares.length ? round(this.ratingShares.reduce((a, b) => a + b, 0) / this.ratingShares.length) : undefined,
        distribution: Object.fromEntries([...this.ratings.entries()].sort()),
      },
      verification: this.verificationReport(),
      daily: [...this.days.values()].sort((a, b) => a.date.localeCompare(b.date)),
    };
  }

  private verificationReport(): AnalyticsReport['verification'] {
    const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
    const passed = sum(this.verify.passed);
    return {
      asked: this.verify.asked,
      passed: Object.fromEntries(this.verify.passed),
      failed: Object.fromEntries(this.verify.failed),
      lockouts: this.verify.lockouts,
      refusedLockedOut: this.verify.refusedLockedOut,
      reused: this.verify.reused,
      passRate: ratio(passed, passed + sum(this.verify.failed)),
    };
  }

  private advance(run: FormRun, event: StoredEvent): void {
    switch (event.name) {
      case 'form.id_given':
        run.reached = Math.max(run.reached, 2);
        break;
      case 'form.id_invalid':
        run.invalidIds += 1;
        break;
      case 'form.confirmed':
        run.reached = Math.max(run.reached, 3);
        break;
      case 'form.denied':
        run.denials += 1;
        break;
      case 'form.abandoned':
        run.end = event.reason === 'handoff' ? 'handoff' : 'cancelled';
        break;
      default: {
        const end = END_REASONS[event.name];
        if (end) {
          run.end = end;
          if (end === 'delivered') run.reached = 4;
        }
      }
    }
  }

  private funnelReport(): AnalyticsReport['funnel'] {
    const forms = this.runs.length;
    const drops = new Map<string, { lastStep: FunnelStep; reason: DropReason; forms: number }>();
    for (const run of this.runs) {
      if (run.end === 'delivered' || run.end === undefined) continue;
      const lastStep = FUNNEL_STEPS[run.reached - 1] as FunnelStep;
      const key = `${lastStep}/${run.end}`;
      const entry = drops.get(key) ?? { lastStep, reason: run.end, forms: 0 };
      entry.forms += 1;
      drops.set(key, entry);
    }
    return {
      forms,
      steps: FUNNEL_STEPS.map((step, index) => {
        const reached = this.runs.filter((r) => r.reached > index).length;
        return { step, forms: reached, share: ratio(reached, forms) ?? 0 };
      }),
      dropOffs: [...drops.values()]
        .sort((a, b) => b.forms - a.forms || FUNNEL_STEPS.indexOf(a.lastStep) - FUNNEL_STEPS.indexOf(b.lastStep))
        .map((d) => ({ ...d, share: ratio(d.forms, forms) ?? 0 })),
      formsWithInvalidIds: this.runs.filter((r) => r.invalidIds > 0).length,
      invalidIds: this.runs.reduce((sum, r) => sum + r.invalidIds, 0),
      formsWithDenials: this.runs.filter((r) => r.denials > 0).length,
    };
  }

  private countFallback(event: StoredEvent, text: string | undefined): void {
    this.fallbackTotal += 1;
    increment(this.fallbackStages, String(event.stage ?? 'unknown'));
    const normalised = text === undefined ? '' : normaliseUtterance(text);
    if (normalised === '') this.fallbackWithoutText += 1;
    else increment(this.utterances, normalised);
  }

  private countRating(event: StoredEvent): void {
    const rating = Number(event.rating);
    const scale = Number(event.scale);
    if (!Number.isFinite(rating) || !Number.isFinite(scale) || scale <= 0) return;
    increment(this.ratings, `${rating}/${scale}`);
    this.ratingShares.push(rating / scale);
  }

  private widenPeriod(times: Date[]): void {
    for (const at of times) {
      if (!this.first || at < this.first) this.first = at;
      if (!this.last || at > this.last) this.last = at;
    }
  }

  private dayOf(at: Date | undefined): DailyRow {
    const date = at ? at.toISOString().slice(0, 10) : 'unknown';
    let row = this.days.get(date);
    if (!row) {
      row = { date, conversations: 0, customerMessages: 0, fallbacks: 0, statusesDelivered: 0, handoffs: 0 };
      this.days.set(date, row);
    }
    return row;
  }
}

/** Lower case, single spaces, trimmed, at most MAX_UTTERANCE_CHARS characters. */
export function normaliseUtterance(text: string): string {
  const flat = text.toLowerCase().replace(/\s+/g, ' ').trim();
  return Array.from(flat).slice(0, MAX_UTTERANCE_CHARS).join('');
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function ratio(part: number, whole: number): number | undefined {
  return whole > 0 ? round(part / whole) : undefined;
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
