import { ActivityTypes, TelemetryLoggerMiddleware, type Activity } from 'botbuilder-core';

/**
 * botbuilder's TelemetryLoggerMiddleware, minus the `BotMessageSend` events for typing
 * indicators and trace activities: they say nothing about the conversation (our traces are
 * already sent as their own events) and were two of every fifteen items exported per turn.
 */
export class ActivityTelemetryMiddleware extends TelemetryLoggerMiddleware {
  protected override async onSendActivity(activity: Activity): Promise<void> {
    if (activity.type === ActivityTypes.Typing || activity.type === ActivityTypes.Trace) return;
    await super.onSendActivity(activity);
  }
}
