import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The metrics every part of the bot reports, as named methods rather than raw Prometheus
 * objects: callers say what happened, this file decides names, labels and buckets. Two
 * implementations: {@link PromBotMetrics} (served at GET /metrics) and {@link NoopBotMetrics}.
 * Every method is synchronous and cheap; none throws.
 */
export interface BotMetrics {
  /** One turn finished (any activity type); `seconds` is the whole turn including state save. */
  turnCompleted(channel: string, seconds: number, outcome: TurnOutcome): void;
  /** Turns currently running, for dashboards and graceful shutdown. */
  turnStarted(): void;
  turnEnded(): void;
  /** The recognizer's answer for one message: top intent (`None` when out of scope) and its score. */
  recognized(intent: string, confidence: number): void;
  /** The bot did not understand; `stage` is which fallback answer the customer got. */
  fallback(stage: FallbackStage): void;
  /** A step of the order-status form. */
  form(event: FormEvent): void;
  /** One attempt against the order backend. */
  orderBackend(seconds: number, outcome: OrderBackendOutcome): void;
  /** One storage operation (state, locks, transcripts). */
  storage(op: StorageOp, seconds: number, ok: boolean): void;
  /**
   * A handoff transition. `seconds` is the customer's wait for `claimed` (requested → claimed)
   * and the agent's handle time for `resolved` (claimed → resolved).
   */
  handoff(event: HandoffEvent, seconds?: number): void;
  /** Time from receiving a Slack event to acknowledging it (must stay under 3 s). */
  slackAck(seconds: number): void;
  /** The customer's answer to "Was this helpful?". */
  feedback(helpful: boolean): void;
  /** Versioned state: a conversation migrated, reset (with why), or a newer version's state left alone. */
  stateRecovery(action: StateRecoveryAction, reason: string): void;
  /** One order-verification check: passed, failed, or refused because of a lockout. */
  verification(method: VerificationMetricMethod, outcome: VerificationOutcome): void;
}

export type StateRecoveryAction = 'migrated' | 'reset' | 'left_newer';
export type VerificationMetricMethod = 'knowledge' | 'identity' | 'none';
export type VerificationOutcome = 'passed' | 'failed' | 'locked_out';

export type TurnOutcome = 'ok' | 'error';
export type FallbackStage = 'did_you_mean' | 'explain' | 'offer_human';
/** started → id_given → confirmed → completed (status delivered); or abandoned / failed on the way. */
export type FormEvent = 'started' | 'id_given' | 'confirmed' | 'completed' | 'not_found' | 'backend_error' | 'abandoned' | 'too_many_attempts';
export type OrderBackendOutcome = 'found' | 'not_found' | 'timeout' | 'http_error' | 'network_error' | 'bad_response';
export type StorageOp = 'read' | 'write' | 'delete' | 'lock_acquire' | 'lock_release' | 'transcript_write' | 'transcript_read';
export type HandoffEvent = 'requested' | 'claimed' | 'resolved' | 'cancelled' | 'timed_out';

/** The one Prometheus metric name prefix of this product. */
export const METRIC_PREFIX = 'supportbot_';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const HUMAN_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];
const CONFIDENCE_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1];

/**
 * Prometheus implementation on its own {@link Registry} (never the global one), so two apps in
 * one process (tests, the benchmark) never share or clash on metrics.
 */
export class PromBotMetrics implements BotMetrics {
  readonly registry = new Registry();
  private readonly turns: Counter<'channel' | 'outcome'>;
  private readonly turnSeconds: Histogram<'channel'>;
  private readonly turnsInFlight: Gauge;
  private readonly recognitions: Counter<'intent'>;
  private readonly confidence: Histogram;
  private readonly fallbacks: Counter<'stage'>;
  private readonly formEvents: Counter<'event'>;
  private readonly orderSeconds: Histogram<'outcome'>;
  private readonly orderErrors: Counter<'outcome'>;
  private readonly storageSeconds: Histogram<'op' | 'ok'>;
  private readonly storageErrors: Counter<'op'>;
  private readonly handoffs: Counter<'event'>;
  private readonly handoffWait: Histogram;
  private readonly handoffHandle: Histogram;
  private readonly slackAckSeconds: Histogram;
  private readonly feedbacks: Counter<'helpful'>;
  private readonly stateRecoveries: Counter<'action' | 'reason'>;
  private readonly verifications: Counter<'method' | 'outcome'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const p = METRIC_PREFIX;
    this.turns = new Counter({ name: `${p}turns_total`, help: 'Turns processed, by channel and outcome.', labelNames: ['channel', 'outcome'], registers });
    this.turnSeconds = new Histogram({
      name: `${p}turn_duration_seconds`,
      help: 'Turn latency from activity received to state saved.',
      labelNames: ['channel'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.turnsInFlight = new Gauge({ name: `${p}turns_in_flight`, help: 'Turns currently being processed.', registers });
    this.recognitions = new Counter({
      name: `${p}recognitions_total`,
      help: 'Recognized messages by top intent (None = not understood).',
      labelNames: ['intent'],
      registers,
    });
    this.confidence = new Histogram({
      name: `${p}recognizer_confidence`,
      help: 'Top-intent confidence of the recognizer.',
      buckets: CONFIDENCE_BUCKETS,
      registers,
    });
    this.fallbacks = new Counter({ name: `${p}fallbacks_total`, help: 'Fallback answers given, by stage.', labelNames: ['stage'], registers });
    this.formEvents = new Counter({
      name: `${p}form_events_total`,
      help: 'Order-status form steps: started, id_given, confirmed, completed, abandoned, ...',
      labelNames: ['event'],
      registers,
    });
    this.orderSeconds = new Histogram({
      name: `${p}order_backend_duration_seconds`,
      help: 'Order backend attempt latency, by outcome.',
      labelNames: ['outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.orderErrors = new Counter({
      name: `${p}order_backend_errors_total`,
      help: 'Failed order backend attempts, by kind.',
      labelNames: ['outcome'],
      registers,
    });
    this.storageSeconds = new Histogram({
      name: `${p}storage_duration_seconds`,
      help: 'Storage operation latency.',
      labelNames: ['op', 'ok'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.storageErrors = new Counter({ name: `${p}storage_errors_total`, help: 'Failed storage operations.', labelNames: ['op'], registers });
    this.handoffs = new Counter({
      name: `${p}handoffs_total`,
      help: 'Handoff transitions: requested, claimed, resolved, cancelled, timed_out.',
      labelNames: ['event'],
      registers,
    });
    this.handoffWait = new Histogram({
      name: `${p}handoff_wait_seconds`,
      help: 'Customer wait from handoff request to an agent claiming it.',
      buckets: HUMAN_BUCKETS,
      registers,
    });
    this.handoffHandle = new Histogram({
      name: `${p}handoff_handle_seconds`,
      help: 'Agent handle time from claim to resolution.',
      buckets: HUMAN_BUCKETS,
      registers,
    });
    this.slackAckSeconds = new Histogram({
      name: `${p}slack_ack_seconds`,
      help: 'Time to acknowledge a Slack event (Slack retries after 3 s).',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
      registers,
    });
    this.feedbacks = new Counter({ name: `${p}feedback_total`, help: 'Answers to "Was this helpful?".', labelNames: ['helpful'], registers });
    this.stateRecoveries = new Counter({
      name: `${p}state_recoveries_total`,
      help: 'Stored conversation state migrated, reset (by reason) or, when newer, left alone.',
      labelNames: ['action', 'reason'],
      registers,
    });
    this.verifications = new Counter({
      name: `${p}order_verifications_total`,
      help: 'Order verification checks, by method (knowledge, identity) and outcome (passed, failed, locked_out).',
      labelNames: ['method', 'outcome'],
      registers,
    });
    // No prefix: process_* and nodejs_* keep their standard names, so stock Node.js dashboards work.
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The exposition text for GET /metrics. */
  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  turnCompleted(channel: string, seconds: number, outcome: TurnOutcome): void {
    const label = channelLabel(channel);
    this.turns.inc({ channel: label, outcome });
    this.turnSeconds.observe({ channel: label }, seconds);
  }

  turnStarted(): void {
    this.turnsInFlight.inc();
  }

  turnEnded(): void {
    this.turnsInFlight.dec();
  }

  recognized(intent: string, confidence: number): void {
    this.recognitions.inc({ intent: boundedLabel(intent) });
    if (Number.isFinite(confidence)) this.confidence.observe(Math.min(1, Math.max(0, confidence)));
  }

  fallback(stage: FallbackStage): void {
    this.fallbacks.inc({ stage });
  }

  form(event: FormEvent): void {
    this.formEvents.inc({ event });
  }

  orderBackend(seconds: number, outcome: OrderBackendOutcome): void {
    this.orderSeconds.observe({ outcome }, seconds);
    if (outcome !== 'found' && outcome !== 'not_found') this.orderErrors.inc({ outcome });
  }

  storage(op: StorageOp, seconds: number, ok: boolean): void {
    this.storageSeconds.observe({ op, ok: ok ? 'true' : 'false' }, seconds);
    if (!ok) this.storageErrors.inc({ op });
  }

  handoff(event: HandoffEvent, seconds?: number): void {
    this.handoffs.inc({ event });
    if (seconds === undefined || !Number.isFinite(seconds)) return;
    if (event === 'claimed') this.handoffWait.observe(seconds);
    if (event === 'resolved') this.handoffHandle.observe(seconds);
  }

  slackAck(seconds: number): void {
    this.slackAckSeconds.observe(seconds);
  }

  feedback(helpful: boolean): void {
    this.feedbacks.inc({ helpful: helpful ? 'yes' : 'no' });
  }

  stateRecovery(action: StateRecoveryAction, reason: string): void {
    this.stateRecoveries.inc({ action, reason: boundedLabel(reason) });
  }

  verification(method: VerificationMetricMethod, outcome: VerificationOutcome): void {
    this.verifications.inc({ method, outcome });
  }
}

/** Does nothing; used when metrics are switched off and in unit tests. */
export class NoopBotMetrics implements BotMetrics {
  turnCompleted(): void {}
  turnStarted(): void {}
  turnEnded(): void {}
  recognized(): void {}
  fallback(): void {}
  form(): void {}
  orderBackend(): void {}
  storage(): void {}
  handoff(): void {}
  slackAck(): void {}
  feedback(): void {}
  stateRecovery(): void {}
  verification(): void {}
}

/** Channel ids come from requests: keep label cardinality bounded to known channels. */
const KNOWN_CHANNELS = new Set(['emulator', 'msteams', 'webchat', 'directline', 'slack', 'test', 'shell']);

function channelLabel(channel: string): string {
  return KNOWN_CHANNELS.has(channel) ? channel : 'other';
}

/** Intent names come from training data (bounded), but guard against garbage anyway. */
function boundedLabel(value: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(value) ? value : 'other';
}

/** Seconds elapsed since `startNs` (from `process.hrtime.bigint()`). */
export function secondsSince(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}
