import { NullTelemetryClient, type BotTelemetryClient, type Middleware } from 'botbuilder-core';
import type { ConversationEvents } from '../../dialogs/conversationEvents';
import type { TelemetryConfig } from '../config/telemetry';
import { ActivityTelemetryMiddleware } from './activityTelemetry';
import { AppInsightsTelemetryClient, type ClosableTelemetryClient } from './appInsights';
import { ConversationEventRecorder } from './conversationEventRecorder';
import type { Logger } from './logger';
import { NoopBotMetrics, PromBotMetrics, type BotMetrics } from './metrics';
import { TurnObserverMiddleware } from './turnMiddleware';
import { TurnTracker } from './turnTracker';

/** Everything the composition root needs to observe the bot, built from one config section. */
export interface Observability {
  metrics: BotMetrics;
  /** Set when metrics are on: what GET /metrics serves. */
  prometheus?: PromBotMetrics;
  /** Application Insights, or botbuilder's NullTelemetryClient when no connection string is set. */
  telemetry: BotTelemetryClient;
  events: ConversationEvents;
  turns: TurnTracker;
  /**
   * Middleware for every adapter, outermost first: the turn observer (ids, latency, in-flight)
   * and botbuilder's TelemetryLoggerMiddleware (activity events to Application Insights; see
   * ActivityTelemetryMiddleware).
   */
  middleware: Middleware[];
  /** Sends what is batched and stops exporters; call last on shutdown. */
  close(): Promise<void>;
}

export interface ObservabilityOverrides {
  /** Replaces the Application Insights client (tests, embeddings). */
  telemetry?: BotTelemetryClient;
  /** Extra exporter options for the Application Insights client (tests trust a local CA). */
  exporterOptions?: Record<string, unknown>;
}

/**
 * Builds metrics, telemetry and the turn middleware. With no connection string the telemetry
 * client is a no-op and the OpenTelemetry SDK is never loaded; with metrics off, a no-op twin
 * takes every call.
 */
export function createObservability(config: TelemetryConfig, logger: Logger, overrides: ObservabilityOverrides = {}): Observability {
  const prometheus = config.metricsEnabled ? new PromBotMetrics() : undefined;
  const metrics: BotMetrics = prometheus ?? new NoopBotMetrics();

  let closable: ClosableTelemetryClient | undefined;
  let telemetry: BotTelemetryClient;
  if (overrides.telemetry) {
    telemetry = overrides.telemetry;
  } else if (config.appInsightsConnectionString) {
    closable = AppInsightsTelemetryClient.create({
      connectionString: config.appInsightsConnectionString,
      logPersonalData: config.logPersonalData,
      exporterOptions: overrides.exporterOptions,
      samplingPercentage: config.samplingPercentage,
      onProblem: (message, err) => logger.warn({ err }, message),
    });
    telemetry = closable;
    logger.info({ personalData: config.logPersonalData, samplingPercentage: config.samplingPercentage }, 'Application Insights telemetry on');
  } else {
    telemetry = new NullTelemetryClient();
  }

  const turns = new TurnTracker();
  const middleware: Middleware[] = [new TurnObserverMiddleware({ logger, metrics, tracker: turns, telemetry })];
  if (!(telemetry instanceof NullTelemetryClient)) {
    middleware.push(new ActivityTelemetryMiddleware(telemetry, config.logPersonalData, overrides.telemetry ? 100 : config.samplingPercentage));
  }

  return {
    metrics,
    prometheus,
    telemetry,
    events: new ConversationEventRecorder({ metrics, telemetry, logger }),
    turns,
    middleware,
    close: async () => {
      try {
        if (closable) await closable.shutdown();
        else await telemetry.flush();
      } catch (err) {
        logger.warn({ err }, 'could not flush telemetry');
      }
    },
  };
}
