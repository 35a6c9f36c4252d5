import { ActivityTypes, type BotTelemetryClient, type TurnContext } from 'botbuilder-core';
import {
  CONVERSATION_EVENT_TRACE_NAME,
  CONVERSATION_EVENT_VALUE_TYPE,
  type ConversationEvent,
  type ConversationEvents,
} from '../../dialogs/conversationEvents';
import { eventLabel } from './eventLabel';
import type { Logger } from './logger';
import type { BotMetrics, FormEvent } from './metrics';

export interface ConversationEventRecorderDependencies {
  metrics: BotMetrics;
  telemetry: BotTelemetryClient;
  logger: Logger;
}

/** Form events as the metrics name them (the funnel's "completed" is a delivered status). */
const FORM_METRIC: Partial<Record<ConversationEvent['name'], FormEvent>> = {
  'form.started': 'started',
  'form.id_given': 'id_given',
  'form.confirmed': 'confirmed',
  'form.status_delivered': 'completed',
  'form.not_found': 'not_found',
  'form.backend_error': 'backend_error',
  'form.abandoned': 'abandoned',
  'form.too_many_attempts': 'too_many_attempts',
};

/**
 * Turns each conversation event into three records:
 * - a Prometheus metric (live dashboards and alerts);
 * - an Application Insights custom event named after the event (ad-hoc queries);
 * - a trace activity in the conversation, which the transcript logger stores and
 *   `npm run analytics` reads back. Bot Framework channels never deliver traces to customers
 *   (the Emulator shows them in its inspector); callers using `expectReplies` receive them
 *   among the replies and must keep only `message` activities, as Web Chat does.
 */
export class ConversationEventRecorder implements ConversationEvents {
  constructor(private readonly deps: ConversationEventRecorderDependencies) {}

  async record(context: TurnContext, event: ConversationEvent): Promise<void> {
    try {
      this.count(event);
      const { name, ...fields } = event;
      this.deps.telemetry.trackEvent({
        name,
        properties: {
          ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)])),
          channelId: context.activity.channelId ?? '',
          conversationId: context.activity.conversation?.id ?? '',
        },
      });
      this.deps.logger.debug({ event: name, ...fields }, 'conversation event');
      await context.sendActivity({
        type: ActivityTypes.Trace,
        name: CONVERSATION_EVENT_TRACE_NAME,
        // The label repeats the event in a compact form: readable in the Emulator's inspector,
        // and what analytics falls back on when transcript redaction dropped `value`.
        label: eventLabel(event),
        valueType: CONVERSATION_EVENT_VALUE_TYPE,
        value: event,
      });
    } catch (err) {
      // An event we could not record must never cost the customer their answer.
      this.deps.logger.warn({ err, event: event.name }, 'could not record a conversation event');
    }
  }

  private count(event: ConversationEvent): void {
    const form = FORM_METRIC[event.name];
    if (form) this.deps.metrics.form(form);
    switch (event.name) {
      case 'fallback':
        this.deps.metrics.fallback(event.stage);
        break;
      case 'feedback':
        this.deps.metrics.feedback(event.helpful);
        break;
      case 'state.migrated':
        this.deps.metrics.stateRecovery('migrated', `v${event.from}`);
        break;
      case 'state.reset':
        this.deps.metrics.stateRecovery('reset', event.reason);
        break;
      case 'state.left_newer':
        this.deps.metrics.stateRecovery('left_newer', `v${event.version}`);
        break;
      // handoff.* events are not counted here: the handoff layer reports them to the metrics
      // itself, with the wait and handle times only it knows.
      default:
        break;
    }
  }
}
