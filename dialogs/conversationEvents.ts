import type { TurnContext } from 'botbuilder-core';
import type { HandoffReason, OrderStatusCode } from './ports';

/**
 * Things that happen in a conversation and are worth counting: the steps of the order form,
 * fallbacks, feedback, handoffs. Dialogs report them through {@link ConversationEvents}; the
 * implementation (src/telemetry) turns each into a metric, an Application Insights event and
 * a trace activity in the transcript, which is what `npm run analytics` reads.
 *
 * The names and fields are stored in transcripts: add new ones freely, never rename one.
 * No event carries what the customer typed or an order ID.
 */
export type ConversationEvent =
  /** The order form began; `withOrderId` when the first message already had the ID. */
  | { name: 'form.started'; withOrderId: boolean }
  /** A well-formed order ID was given (or taken from the first message). */
  | { name: 'form.id_given' }
  /** A malformed order ID; `attempt` counts from 1. */
  | { name: 'form.id_invalid'; attempt: number }
  | { name: 'form.too_many_attempts' }
  /** The customer said yes / no at "You asked about order X. Is that correct?". */
  | { name: 'form.confirmed' }
  | { name: 'form.denied' }
  /** The end of the funnel: the customer got the status of their order. */
  | { name: 'form.status_delivered'; status: OrderStatusCode }
  | { name: 'form.not_found' }
  | { name: 'form.backend_error' }
  /** The customer left the form by "cancel" or "talk to a person"; `at` is the waiting prompt's id. */
  | { name: 'form.abandoned'; reason: 'cancel' | 'handoff'; at: string }
  /** Order verification (policy knowledge or identity); no event carries the answer or the order. */
  | { name: 'verify.asked' }
  | { name: 'verify.passed'; method: 'knowledge' | 'identity' | 'none' }
  | { name: 'verify.failed'; method: 'knowledge' | 'identity' | 'none'; lockedOut: boolean }
  | { name: 'verify.locked_out' }
  /** An order verified earlier in the conversation was asked about again (no new check). */
  | { name: 'verify.reused'; method: 'knowledge' | 'identity' | 'none' }
  /** "Which orders do I have?" answered for a verified identity, with how many orders. */
  | { name: 'verify.orders_listed'; count: number }
  /** A misunderstanding and which answer the customer got. */
  | { name: 'fallback'; stage: 'did_you_mean' | 'explain' | 'offer_human' }
  /** "Was this helpful?" was asked, and answered. */
  | { name: 'feedback.asked' }
  | { name: 'feedback'; helpful: boolean }
  /** Handoff lifecycle; claimed/resolved are reported by the agent desk. */
  | { name: 'handoff.requested'; reason: HandoffReason }
  | { name: 'handoff.claimed'; waitSeconds?: number }
  | { name: 'handoff.resolved'; handleSeconds?: number }
  /** A satisfaction rating (for example after a handoff), `rating` from 1 to `scale`. */
  | { name: 'satisfaction'; rating: number; scale: number }
  /** Stored state of an older version was migrated to the running code's version. */
  | { name: 'state.migrated'; from: number; to: number }
  /**
   * The conversation's dialogs were started afresh (profile, transcript and handoff ticket are
   * kept) because the stored state could not be read or kept making turns fail.
   */
  | { name: 'state.reset'; reason: StateResetReason }
  /** State written by a newer version reached this older instance and was left untouched. */
  | { name: 'state.left_newer'; version: number };

/** Why a conversation's dialogs were started afresh. */
export type StateResetReason =
  /** The stack names a dialog, prompt or step the running code does not have, or has a shape it cannot read. */
  | 'unreadable'
  /** An older version with no migration to the running one, or a version that is not a number. */
  | 'unknown_version'
  /** A newer version, with STATE_NEWER_VERSION=restart (after a rollback). */
  | 'newer_version'
  /** Turns failed twice in a row for the same reason (poison state). */
  | 'repeated_failure';

export type ConversationEventName = ConversationEvent['name'];

/** Records conversation events. Must not throw: a lost event never breaks a turn. */
export interface ConversationEvents {
  record(context: TurnContext, event: ConversationEvent): Promise<void>;
}

/** For tests and embeddings that do not observe conversations. */
export const IGNORE_CONVERSATION_EVENTS: ConversationEvents = {
  record: async () => undefined,
};

/** The name of the trace activities that carry events into transcripts. */
export const CONVERSATION_EVENT_TRACE_NAME = 'supportbot.conversationEvent';
/** Their `valueType`, so transcript readers can tell them from other traces. */
export const CONVERSATION_EVENT_VALUE_TYPE = 'https://schemas.order-support-bot/conversation-event/v1';
