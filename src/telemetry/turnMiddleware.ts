import { ActivityTypes, Severity, type BotTelemetryClient, type Middleware, type TurnContext } from 'botbuilder-core';
import type { Logger } from './logger';
import { newTurnId, withLogContext } from './logContext';
import { secondsSince, type BotMetrics } from './metrics';
import type { TurnTracker } from './turnTracker';

export interface TurnObserverDependencies {
  logger: Logger;
  metrics: BotMetrics;
  tracker: TurnTracker;
  /** Failed turns are sent as exceptions (the turn error handler still answers the customer). */
  telemetry: BotTelemetryClient;
}

/**
 * The outermost middleware of every adapter: gives the turn its id (on every log line written
 * during it), counts it in flight for graceful shutdown, and records its latency and outcome.
 * One info line per turn; what the customer wrote only at debug level, masked by default.
 */
export class TurnObserverMiddleware implements Middleware {
  constructor(private readonly deps: TurnObserverDependencies) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const { activity } = context;
    const channel = activity.channelId ?? 'unknown';
    const fields = { turnId: newTurnId(), conversationId: activity.conversation?.id, channelId: channel };
    await withLogContext(fields, async () => {
      const end = this.deps.tracker.begin();
      const started = process.hrtime.bigint();
      this.deps.metrics.turnStarted();
      let outcome: 'ok' | 'error' = 'ok';
      if (activity.type === ActivityTypes.Message) {
        this.deps.logger.debug({ activityId: activity.id, customerText: activity.text }, 'message received');
      }
      try {
        await next();
      } catch (err) {
        outcome = 'error';
        this.deps.telemetry.trackException({
          exception: err instanceof Error ? err : new Error(String(err)),
          handledAt: 'TurnObserverMiddleware',
          severityLevel: Severity.Error,
          properties: { channelId: channel, conversationId: fields.conversationId ?? '', turnId: fields.turnId },
        });
        throw err;
      } finally {
        const seconds = secondsSince(started);
        this.deps.metrics.turnEnded();
        this.deps.metrics.turnCompleted(channel, seconds, outcome);
        end();
        this.deps.logger.info({ activityType: activity.type, ms: Math.round(seconds * 1000), outcome }, 'turn completed');
      }
    });
  }
}
