import { EventFactory } from 'botbuilder';
import type { Activity, ActivityTypes, TurnContext } from 'botbuilder-core';
import type { Ticket, TranscriptLine } from './ticket';

/** The states Bot Framework's handoff.status event carries. */
export type HandoffStatusState = 'accepted' | 'failed' | 'completed';

/** What another agent hub would need to take the conversation (handoff.initiate's value). */
export interface HandoffInitiateContext {
  ticketId: string;
  reason: Ticket['reason'];
  intent?: string;
  orderId?: string;
  /** Which desk took the ticket here ("slack"). */
  desk: string;
}

/** Called for every handoff event, whether or not the customer's channel receives it. */
export type HandoffEventListener = (event: Activity, ticket: Ticket) => void;

/**
 * Bot Framework's handoff vocabulary: `handoff.initiate` (with the transcript attached) when a
 * ticket is queued, `handoff.status` (accepted, failed, completed) as it moves on. The events
 * go to in-process listeners always, and into the customer's conversation on channels known to
 * accept event activities (Teams and Slack would show nothing or refuse them).
 */
export class HandoffEvents {
  private readonly listeners: HandoffEventListener[] = [];
  private readonly channels: ReadonlySet<string>;

  constructor(
    channels: readonly string[],
    private readonly desk = 'slack',
  ) {
    this.channels = new Set(channels);
  }

  /** True when the channel should receive event activities. */
  reachesChannel(channelId: string | undefined): boolean {
    return channelId !== undefined && this.channels.has(channelId);
  }

  subscribe(listener: HandoffEventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  /** The handoff.initiate event for the current turn, published to listeners. */
  initiate(context: TurnContext, ticket: Ticket): Activity {
    const value: HandoffInitiateContext = {
      ticketId: ticket.id,
      reason: ticket.reason,
      intent: ticket.intent,
      orderId: ticket.orderId,
      desk: this.desk,
    };
    const event = EventFactory.createHandoffInitiation(context, value, { activities: toActivities(ticket) });
    this.publish(event, ticket);
    return event;
  }

  /** A handoff.status event for the ticket's conversation, published to listeners. */
  status(ticket: Ticket, state: HandoffStatusState, message?: string): Activity {
    const conversation = ticket.reference.conversation ?? { id: ticket.conversationKey, isGroup: false, name: '', conversationType: '' };
    const event = EventFactory.createHandoffStatus(conversation, state, message);
    this.publish(event, ticket);
    return event;
  }

  private publish(event: Activity, ticket: Ticket): void {
    for (const listener of this.listeners) {
      try {
        listener(event, ticket);
      } catch {
        // A listener's bug must not break the handoff itself.
      }
    }
  }
}

/** The ticket's transcript as message activities (the shape handoff.initiate carries). */
function toActivities(ticket: Ticket): Activity[] {
  const customer = ticket.reference.user ?? { id: ticket.customer.id, name: ticket.customer.name ?? '' };
  const bot = ticket.reference.bot ?? { id: 'bot', name: 'bot' };
  return ticket.transcript.map(
    (line: TranscriptLine) =>
      ({
        type: 'message' as ActivityTypes.Message,
        text: line.text,
        timestamp: new Date(line.at),
        from: line.from === 'customer' ? { ...customer, role: 'user' } : { ...bot, role: 'bot' },
        recipient: line.from === 'customer' ? { ...bot, role: 'bot' } : { ...customer, role: 'user' },
        conversation: ticket.reference.conversation,
        channelId: ticket.channelId,
      }) as Activity,
  );
}
