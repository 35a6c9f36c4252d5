import { ActivityTypes, TelemetryLoggerMiddleware, type Activity, type BotTelemetryClient, type TurnContext } from 'botbuilder-core';
import { inSample } from './appInsights';

/**
 * botbuilder's TelemetryLoggerMiddleware with two savings:
 * - no `BotMessageSend` events for typing indicators and trace activities: they say nothing
 *   about the conversation (our traces are sent as their own events) and were two of every
 *   fifteen items exported per turn;
 * - conversations outside the Application Insights sample skip it entirely, instead of having
 *   every activity's properties built only to be dropped by the client.
 */
export class ActivityTelemetryMiddleware extends TelemetryLoggerMiddleware {
  constructor(
    telemetryClient: BotTelemetryClient,
    logPersonalInformation: boolean,
    private readonly samplingPercentage = 100,
  ) {
    super(telemetryClient, logPersonalInformation);
  }

  override async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    if (!inSample(context.activity?.conversation?.id, this.samplingPercentage)) return next();
    return super.onTurn(context, next);
  }

  protected override async onSendActivity(activity: Activity): Promise<void> {
    if (activity.type === ActivityTypes.Typing || activity.type === ActivityTypes.Trace) return;
    await super.onSendActivity(activity);
  }
}
