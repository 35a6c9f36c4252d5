import type { Activity } from 'botbuilder-core';
import { CONVERSATION_EVENT_TRACE_NAME } from '../../dialogs/conversationEvents';
import { parseEventLabel } from '../telemetry/eventLabel';

/** A conversation event read back from a transcript; fields typed loosely (stored data). */
export type StoredEvent = { name: string } & Record<string, unknown>;

/** One thing that happened in a stored conversation, in order. */
export type TimelineItem = { kind: 'customer'; at?: Date; id?: string; text?: string } | { kind: 'event'; at?: Date; replyToId?: string; event: StoredEvent };

/**
 * Turns a transcript into the customer's messages and the bot's conversation events, in order.
 * Events come from our trace activities (their `value`, or the label when redaction dropped
 * the value) and from Bot Framework's standard `handoff.status` event activities.
 */
export function toTimeline(activities: Partial<Activity>[]): TimelineItem[] {
  const botIds = botIdsOf(activities);
  const items: TimelineItem[] = [];
  for (const activity of activities) {
    const at = timestampOf(activity);
    const event = storedEventOf(activity);
    if (event) {
      items.push({ kind: 'event', at, replyToId: activity.replyToId, event });
    } else if (activity.type === 'message' && !botIds.has(activity.from?.id ?? '') && activity.from?.role !== 'bot') {
      items.push({ kind: 'customer', at, id: activity.id, text: typeof activity.text === 'string' ? activity.text : undefined });
    }
  }
  return items;
}

/** The bot's ids in this transcript: the sender of our traces, and whom customers write to. */
function botIdsOf(activities: Partial<Activity>[]): Set<string> {
  const ids = new Set<string>();
  for (const activity of activities) {
    if (activity.type === 'trace' && activity.from?.id) ids.add(activity.from.id);
    if (activity.from?.role === 'bot' && activity.from.id) ids.add(activity.from.id);
    if (activity.from?.role === 'user' && activity.recipient?.id) ids.add(activity.recipient.id);
  }
  return ids;
}

function storedEventOf(activity: Partial<Activity>): StoredEvent | undefined {
  if (activity.type === 'trace' && activity.name === CONVERSATION_EVENT_TRACE_NAME) {
    const value = activity.value as { name?: unknown } | undefined;
    if (value && typeof value === 'object' && typeof value.name === 'string') return value as StoredEvent;
    return typeof activity.label === 'string' && activity.label ? parseEventLabel(activity.label) : undefined;
  }
  if (activity.type === 'event' && activity.name === 'handoff.status') {
    const state = (activity.value as { state?: unknown } | undefined)?.state;
    if (state === 'accepted') return { name: 'handoff.claimed' };
    if (state === 'completed') return { name: 'handoff.resolved' };
  }
  return undefined;
}

/** The activity's timestamp as a Date (transcripts store ISO strings or Dates). */
export function timestampOf(activity: Partial<Activity>): Date | undefined {
  const raw = activity.timestamp as Date | string | undefined;
  if (raw === undefined) return undefined;
  const date = raw instanceof Date ? raw : new Date(raw);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
