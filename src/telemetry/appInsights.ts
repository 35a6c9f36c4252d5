import path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  Severity as BotSeverity,
  type BotPageViewTelemetryClient,
  type BotTelemetryClient,
  type TelemetryDependency,
  type TelemetryEvent,
  type TelemetryException,
  type TelemetryPageView,
  type TelemetryTrace,
} from 'botbuilder-core';
import type { FromWorker, Severity, TelemetryItem, ToWorker, WorkerInit } from './appInsightsProtocol';
import { currentLogContext } from './logContext';
import { scrubProperties } from './personalData';

export interface AppInsightsOptions {
  connectionString: string;
  /** Send customer text, names and raw user ids (off by default). */
  logPersonalData: boolean;
  /**
   * Extra options for the Azure Monitor exporter's HTTP pipeline, merged over ours. Tests use
   * `{ tlsOptions: { ca } }` to trust a local stand-in for the ingestion service.
   */
  exporterOptions?: Record<string, unknown>;
  /** Share of conversations sent (0-100, default 100); see {@link inSample}. */
  samplingPercentage?: number;
  /** Told about a worker failure or dropped items (at most once a minute). */
  onProblem?: (message: string, err?: unknown) => void;
}

/** A telemetry client the composition root can flush and shut down. */
export interface ClosableTelemetryClient extends BotTelemetryClient, BotPageViewTelemetryClient {
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

const SEVERITY: Record<BotSeverity, Severity> = {
  [BotSeverity.Verbose]: 'Verbose',
  [BotSeverity.Information]: 'Information',
  [BotSeverity.Warning]: 'Warning',
  [BotSeverity.Error]: 'Error',
  [BotSeverity.Critical]: 'Critical',
};

/** Items handed over at once; a turn produces about a dozen. */
const MAX_BATCH = 256;
/** Items posted but not yet taken by the worker beyond which new ones are dropped (memory bound). */
const MAX_OUTSTANDING = 20_000;
const PROBLEM_REPORT_INTERVAL_MS = 60_000;

/**
 * botbuilder's `BotTelemetryClient` over the public API of applicationinsights 3.x
 * (botbuilder-applicationinsights wraps 2.x internals that 3.x no longer has).
 *
 * The 3.x SDK is an OpenTelemetry pipeline costing tens of microseconds per item, and a turn
 * produces about a dozen items (activities, dialog steps, recognizer result, conversation
 * events). So the SDK runs in a worker thread (appInsightsWorker.ts): this thread only scrubs
 * personal data and hands items over in batches, once per tick. If the worker falls far
 * behind, new items are dropped rather than queued without bound.
 */
export class AppInsightsTelemetryClient implements ClosableTelemetryClient {
  private pending: TelemetryItem[] = [];
  private scheduled = false;
  private outstanding = 0;
  private dropped = 0;
  private broken = false;
  private lastProblemAt = 0;
  private nextRequestId = 0;
  private readonly requests = new Map<number, (error?: string) => void>();
  private closed?: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly options: AppInsightsOptions,
  ) {
    worker.on('message', (message: FromWorker) => this.onMessage(message));
    worker.on('error', (err) => this.fail('the Application Insights worker failed; telemetry is off until restart', err));
    worker.on('exit', () => this.fail('the Application Insights worker exited'));
    // The worker must not keep the process alive; flush() and shutdown() hold it while they wait.
    worker.unref();
  }

  static create(options: AppInsightsOptions): AppInsightsTelemetryClient {
    const init: WorkerInit = { connectionString: options.connectionString, exporterOptions: options.exporterOptions };
    // Same extension as this file: .ts under tsx (tests, `npm run dev`), .js once built.
    const ext = path.extname(__filename);
    const worker = new Worker(path.join(__dirname, `appInsightsWorker${ext}`), {
      workerData: init,
      execArgv: ext === '.ts' ? ['--require', 'tsx/cjs'] : [],
    });
    return new AppInsightsTelemetryClient(worker, options);
  }

  trackEvent(telemetry: TelemetryEvent): void {
    if (this.sampledOut()) return;
    this.enqueue({ kind: 'event', name: telemetry.name, properties: this.scrub(telemetry.properties), measurements: telemetry.metrics });
  }

  trackTrace(telemetry: TelemetryTrace): void {
    if (this.sampledOut()) return;
    this.enqueue({
      kind: 'trace',
      message: telemetry.message,
      severity: SEVERITY[telemetry.severityLevel ?? BotSeverity.Information],
      properties: this.scrub(telemetry.properties),
    });
  }

  trackException(telemetry: TelemetryException): void {
    const { exception } = telemetry;
    this.enqueue({
      kind: 'exception',
      error: { name: exception.name, message: exception.message, stack: exception.stack },
      severity: SEVERITY[telemetry.severityLevel ?? BotSeverity.Error],
      properties: { ...this.scrub(telemetry.properties), ...(telemetry.handledAt ? { handledAt: telemetry.handledAt } : {}) },
      measurements: telemetry.measurements,
    });
  }

  trackDependency(telemetry: TelemetryDependency): void {
    if (this.sampledOut()) return;
    this.enqueue({ kind: 'dependency', ...telemetry });
  }

  /**
   * botbuilder reports every dialog start as a "page view" (two per order-form turn), which
   * repeats the `WaterfallStart` event of the same dialog. They are not sent: a sixth of the
   * items per turn, for nothing new. (Implemented rather than left out, because botbuilder
   * would then send them as traces.)
   */
  trackPageView(_telemetry: TelemetryPageView): void {}

  /** Sends everything tracked so far; resolves when the ingestion endpoint has answered. */
  async flush(): Promise<void> {
    await this.request('flush');
  }

  /** Flushes, stops the exporters and the worker. Safe to call twice. */
  shutdown(): Promise<void> {
    this.closed ??= this.request('shutdown').finally(() => {
      this.broken = true;
      void this.worker.terminate();
    });
    return this.closed;
  }

  /** Decided before any work on the item: a sampled-out conversation costs one hash. */
  private sampledOut(): boolean {
    const percentage = this.options.samplingPercentage ?? 100;
    return percentage < 100 && !inSample(currentLogContext()?.conversationId, percentage);
  }

  private enqueue(item: TelemetryItem): void {
    if (this.broken) return;
    if (this.outstanding + this.pending.length >= MAX_OUTSTANDING) {
      this.dropped += 1;
      this.problem(`Application Insights is falling behind: ${this.dropped} items dropped so far`);
      return;
    }
    this.pending.push(item);
    if (this.pending.length >= MAX_BATCH) this.post();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.post());
    }
  }

  private post(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.broken) return;
    const items = this.pending;
    this.pending = [];
    this.outstanding += items.length;
    this.send({ type: 'items', items: JSON.stringify(items) });
  }

  private async request(type: 'flush' | 'shutdown'): Promise<void> {
    if (this.broken) return;
    this.post();
    const id = ++this.nextRequestId;
    this.worker.ref();
    try {
      const error = await new Promise<string | undefined>((resolve) => {
        this.requests.set(id, resolve);
        this.send({ type, id });
      });
      if (error) throw new Error(`Application Insights ${type} failed: ${error}`);
    } finally {
      this.requests.delete(id);
      if (this.requests.size === 0) this.worker.unref();
    }
  }

  private send(message: ToWorker): void {
    try {
      this.worker.postMessage(message);
    } catch (err) {
      this.fail('could not hand telemetry to the Application Insights worker', err);
    }
  }

  private onMessage(message: FromWorker): void {
    if (message.type === 'ack') {
      this.outstanding = Math.max(0, this.outstanding - message.count);
    } else {
      this.requests.get(message.id)?.(message.error);
    }
  }

  private fail(message: string, err?: unknown): void {
    if (this.broken) return;
    this.broken = true;
    this.pending = [];
    for (const resolve of this.requests.values()) resolve();
    this.options.onProblem?.(message, err);
  }

  private problem(message: string): void {
    const now = Date.now();
    if (now - this.lastProblemAt < PROBLEM_REPORT_INTERVAL_MS) return;
    this.lastProblemAt = now;
    this.options.onProblem?.(message);
  }

  private scrub(properties: Record<string, unknown> | undefined): Record<string, string> {
    return scrubProperties(properties, this.options.logPersonalData);
  }
}

/**
 * Whether a conversation's telemetry is sent: decided by a hash of the conversation id, so a
 * conversation is kept or dropped whole and its events still tell a story. Items outside any
 * conversation are always kept. The conversation comes from the turn's log context, because
 * dialog events do not carry it.
 */
export function inSample(conversationId: string | undefined, percentage: number): boolean {
  if (percentage >= 100 || conversationId === undefined) return true;
  if (percentage <= 0) return false;
  // FNV-1a: fast, and uniform enough to split conversations into buckets of 0.01%.
  let hash = 0x811c9dc5;
  for (let i = 0; i < conversationId.length; i++) {
    hash ^= conversationId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 10_000 < percentage * 100;
}
