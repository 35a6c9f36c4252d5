import type { Activity } from 'botbuilder-core';
import { CONVERSATION_EVENT_TRACE_NAME, CONVERSATION_EVENT_VALUE_TYPE, type ConversationEvent } from '../../dialogs/conversationEvents';
import type { ConversationTranscript } from '../../src/analytics/analyze';
import { eventLabel } from '../../src/telemetry/eventLabel';

/**
 * Builds transcripts the way the bot stores them: customer messages with ids, the bot's
 * replies and event traces answering them (`replyToId`), one second apart.
 */
export class TranscriptBuilder {
  private readonly activities: Partial<Activity>[] = [];
  private clock: number;
  private counter = 0;
  private lastCustomerId?: string;

  constructor(
    private readonly conversationId: string,
    start = '2026-11-20T10:00:00Z',
    private readonly channelId = 'webchat',
  ) {
    this.clock = Date.parse(start);
  }

  customer(text: string): this {
    const id = `${this.conversationId}-u${++this.counter}`;
    this.lastCustomerId = id;
    return this.push({ type: 'message', id, text, from: { id: 'user-1', name: 'Ann', role: 'user' }, recipient: { id: 'bot', name: 'bot', role: 'bot' } });
  }

  bot(text: string): this {
    return this.push({
      type: 'message',
      id: `${this.conversationId}-b${++this.counter}`,
      text,
      from: { id: 'bot', name: 'bot', role: 'bot' },
      replyToId: this.lastCustomerId,
    });
  }

  /** An event trace; `redacted` drops its value as TRANSCRIPT_REDACT_TEXT does. */
  event(event: ConversationEvent, redacted = false): this {
    return this.push({
      type: 'trace',
      id: `${this.conversationId}-t${++this.counter}`,
      name: CONVERSATION_EVENT_TRACE_NAME,
      label: eventLabel(event),
      valueType: CONVERSATION_EVENT_VALUE_TYPE,
      ...(redacted ? {} : { value: event }),
      from: { id: 'bot', name: 'bot' },
      replyToId: this.lastCustomerId,
    });
  }

  raw(activity: Partial<Activity>): this {
    return this.push(activity);
  }

  build(): ConversationTranscript {
    return { channelId: this.channelId, conversationId: this.conversationId, activities: this.activities };
  }

  private push(activity: Partial<Activity>): this {
    this.clock += 1000;
    this.activities.push({
      channelId: this.channelId,
      conversation: { id: this.conversationId, isGroup: false, conversationType: 'personal', name: '' },
      timestamp: new Date(this.clock),
      ...activity,
    });
    return this;
  }
}

/** A complete, successful order conversation with a "helpful" answer. */
export function happyConversation(id: string, start?: string): ConversationTranscript {
  return new TranscriptBuilder(id, start)
    .customer('where is my order 12345')
    .event({ name: 'form.started', withOrderId: true })
    .event({ name: 'form.id_given' })
    .bot('You asked about order 12345. Is that correct?')
    .customer('yes')
    .event({ name: 'form.confirmed' })
    .bot('Order 12345 is in transit.')
    .event({ name: 'form.status_delivered', status: 'in_transit' })
    .event({ name: 'feedback.asked' })
    .bot('Was this helpful?')
    .customer('👍 Yes')
    .event({ name: 'feedback', helpful: true })
    .bot('Thanks for letting me know!')
    .build();
}
