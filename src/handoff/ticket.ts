import type { Activity, ConversationReference } from 'botbuilder-core';
import type { HandoffReason, HandoffVerification } from '../../dialogs/ports';
import { HandoffError } from './errors';

/**
 * The handoff ticket and its state machine. Pure data and pure functions: the stores persist
 * tickets, the services decide when to move them, and this file decides which moves are legal.
 *
 * ```
 * requested ──► queued ──► active ──► resolved
 *     │           │  └────────────────► resolved   (an agent closes a queued ticket)
 *     │           ├──► cancelled                   (the customer says "cancel")
 *     │           └──► expired                     (queue timeout)
 *     ├──► cancelled                               (the agent desk could not be reached)
 *     └──► expired                                 (outside business hours)
 *                      active ──► expired          (idle timeout)
 * ```
 */

export const TICKET_STATES = ['requested', 'queued', 'active', 'resolved', 'cancelled', 'expired'] as const;
export type TicketState = (typeof TICKET_STATES)[number];

/** States in which the ticket holds the customer's conversation (the gate relays messages). */
export const OPEN_STATES: ReadonlySet<TicketState> = new Set(['requested', 'queued', 'active']);

const ALLOWED: Readonly<Record<TicketState, readonly TicketState[]>> = {
  requested: ['queued', 'cancelled', 'expired'],
  queued: ['active', 'resolved', 'cancelled', 'expired'],
  active: ['resolved', 'expired'],
  resolved: [],
  cancelled: [],
  expired: [],
};

/** Why a ticket ended; the state says how, this says why. */
export type TicketOutcome =
  | 'resolved_by_agent'
  | 'closed_while_queued'
  | 'cancelled_by_customer'
  | 'desk_unavailable'
  | 'queue_timeout'
  | 'idle_timeout'
  | 'after_hours';

/** What the bot still waits for from the customer after the ticket ended. */
export type FollowUp = 'message' | 'rating';

export interface AgentRef {
  /** The agent's id at the desk (a Slack user id). */
  id: string;
  /** Display name, shown to the customer ("You're now chatting with ..."). */
  name: string;
}

export interface CustomerRef {
  id: string;
  name?: string;
}

/** One line of the conversation before the handoff, shown to agents. */
export interface TranscriptLine {
  from: 'customer' | 'bot';
  text: string;
  /** Epoch milliseconds. */
  at: number;
}

/** Where the ticket lives at the agent desk (for Slack: the channel and the message ts). */
export interface DeskThread {
  channel: string;
  ts: string;
}

/** Customer satisfaction, offered with one click after an agent resolves the ticket. */
export type RatingScore = 1 | 2 | 3;

export interface Rating {
  score: RatingScore;
  label: string;
  at: number;
}

export interface LeftMessage {
  text: string;
  at: number;
}

/** A sweeper's short claim on a ticket's due timer, so only one instance works on it. */
export interface TimerLease {
  owner: string;
  until: number;
}

/** What the customer sees with a notification: a handoff.status event where the channel takes events. */
export interface OutboxStatus {
  state: 'accepted' | 'completed' | 'failed';
  message?: string;
}

/**
 * A notification that must follow a ticket change (the transactional outbox): written in the
 * same compare-and-set as the change, removed once done. A crash in between leaves it on the
 * ticket, and a sweeper on any instance finishes it.
 */
export type OutboxEntry =
  /** Proactive messages to the customer. */
  | { id: string; kind: 'customer'; activities: Partial<Activity>[]; status?: OutboxStatus }
  /** Re-render the ticket message at the desk (with the ticket as it is when sent). */
  | { id: string; kind: 'refresh' }
  /** A line in the ticket's thread. */
  | { id: string; kind: 'thread'; post: { kind: 'customer' | 'left_message' | 'system'; text: string } };

/** Whoever is sending a ticket's outbox; another instance takes over once `until` has passed. */
export type OutboxLease = TimerLease;

/**
 * One request for a human. Times are epoch milliseconds. `version` increases with every state
 * change; stores update a ticket only if its version is still the one the caller read.
 */
export interface Ticket {
  id: string;
  version: number;
  state: TicketState;
  outcome?: TicketOutcome;
  /** `channelId/conversations/conversationId`, the same key conversation state uses. */
  conversationKey: string;
  channelId: string;
  /** The customer's conversation reference, for proactive messages from any instance. */
  reference: Partial<ConversationReference>;
  customer: CustomerRef;
  reason: HandoffReason;
  intent?: string;
  orderId?: string;
  /** Whether and how the customer proved the order is theirs (absent on tickets from before). */
  verification?: HandoffVerification;
  /** Recent lines before the handoff, oldest first. */
  transcript: TranscriptLine[];
  thread?: DeskThread;
  agent?: AgentRef;
  createdAt: number;
  queuedAt?: number;
  /** Place in the queue when the ticket was queued (1 = next). */
  queuePosition?: number;
  claimedAt?: number;
  endedAt?: number;
  /** Last message from either side; drives the idle timeout. */
  lastActivityAt: number;
  /** When the sweeper should next look at this ticket; absent means never. */
  dueAt?: number;
  followUp?: FollowUp;
  /** Until when `followUp` applies; afterwards the bot simply takes over. */
  followUpUntil?: number;
  leftMessages: LeftMessage[];
  rating?: Rating;
  lease?: TimerLease;
  /** Notifications still to send, oldest first (see {@link OutboxEntry}). */
  outbox?: OutboxEntry[];
  /** When the oldest pending notification was written; set while `outbox` is not empty (indexed). */
  outboxSince?: number;
  outboxLease?: OutboxLease;
}

/** Fields a caller may change; `id` and `version` are the store's. */
export type TicketFields = Omit<Ticket, 'id' | 'version'>;

/** A change to a ticket: fields to set and optional fields to remove. */
export interface TicketPatch {
  set: Partial<TicketFields>;
  unset?: (keyof TicketFields)[];
  /** Notifications to append to the outbox, atomically with the change. */
  enqueue?: OutboxEntry[];
}

/** True when `from → to` is a legal move. */
export function canTransition(from: TicketState, to: TicketState): boolean {
  return ALLOWED[from].includes(to);
}

/** Throws HANDOFF_INVALID_TRANSITION unless the ticket may move to `to`. */
export function assertTransition(ticket: Pick<Ticket, 'id' | 'state'>, to: TicketState): void {
  if (!canTransition(ticket.state, to)) {
    throw new HandoffError('HANDOFF_INVALID_TRANSITION', `Ticket ${ticket.id} is ${ticket.state} and cannot become ${to}.`);
  }
}

/** True for resolved, cancelled and expired. */
export function isTerminal(state: TicketState): boolean {
  return ALLOWED[state].length === 0;
}

/** Applies a patch to a copy of a ticket (the memory store and tests use this). */
export function applyPatch(ticket: Ticket, patch: TicketPatch): Ticket {
  const next: Ticket = { ...ticket, ...patch.set, version: ticket.version + 1 };
  for (const field of patch.unset ?? []) delete (next as Partial<Ticket>)[field];
  if (patch.enqueue && patch.enqueue.length > 0) {
    next.outbox = [...(ticket.outbox ?? []), ...patch.enqueue];
    next.outboxSince = ticket.outboxSince ?? Date.now();
  }
  return next;
}

/** Timing rules the transitions need. */
export interface TicketTimings {
  queueTimeoutMs: number;
  idleTimeoutMs: number;
  followUpMs: number;
}

/** requested → queued: the desk has the ticket; the queue timeout starts. */
export function queuedPatch(ticket: Ticket, thread: DeskThread, position: number, now: number, t: TicketTimings): TicketPatch {
  assertTransition(ticket, 'queued');
  return { set: { state: 'queued', thread, queuedAt: now, queuePosition: position, dueAt: now + t.queueTimeoutMs } };
}

/** queued → active: `agent` owns the ticket; the idle timeout starts. */
export function claimedPatch(ticket: Ticket, agent: AgentRef, now: number, t: TicketTimings): TicketPatch {
  assertTransition(ticket, 'active');
  return { set: { state: 'active', agent, claimedAt: now, lastActivityAt: now, dueAt: now + t.idleTimeoutMs } };
}

/**
 * Ends a ticket. `followUp` keeps the conversation with the handoff layer a little longer (for
 * a left message or a rating); the sweeper clears it when the window passes.
 */
export function endedPatch(
  ticket: Ticket,
  to: 'resolved' | 'cancelled' | 'expired',
  outcome: TicketOutcome,
  now: number,
  t: TicketTimings,
  followUp?: FollowUp,
): TicketPatch {
  assertTransition(ticket, to);
  if (followUp) {
    const until = now + t.followUpMs;
    return { set: { state: to, outcome, endedAt: now, followUp, followUpUntil: until, dueAt: until } };
  }
  return { set: { state: to, outcome, endedAt: now }, unset: ['dueAt', 'followUp', 'followUpUntil'] };
}

/** Ends the follow-up window (message taken, rating given, or the customer moved on). */
export function followUpDonePatch(): TicketPatch {
  return { set: {}, unset: ['followUp', 'followUpUntil', 'dueAt'] };
}
