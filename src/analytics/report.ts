/**
 * The conversation analytics report: what `npm run analytics` prints, writes as JSON and draws
 * as HTML. Counts come from the conversation events the bot stores in transcripts (see
 * dialogs/conversationEvents.ts), so they do not depend on the wording of replies.
 */
export interface AnalyticsReport {
  generatedAt: string;
  /** First and last activity seen (ISO 8601), undefined for an empty store. */
  period: { from?: string; to?: string };
  conversations: number;
  /** Conversations in which the customer wrote at least one message. */
  activeConversations: number;
  customerMessages: number;
  funnel: FunnelReport;
  fallbacks: FallbackReport;
  handoffs: HandoffReport;
  feedback: FeedbackReport;
  satisfaction: SatisfactionReport;
  /** Order verification outcomes (ORDER_VERIFICATION knowledge or identity). */
  verification: VerificationReport;
  daily: DailyRow[];
}

export interface VerificationReport {
  /** Times the bot asked for the e-mail address or postcode. */
  asked: number;
  /** Checks passed and failed, by method (knowledge, identity). */
  passed: Record<string, number>;
  failed: Record<string, number>;
  /** Failed checks that started a lockout, and checks refused because one was in force. */
  lockouts: number;
  refusedLockedOut: number;
  /** Questions about an order already verified in the conversation (no new check). */
  reused: number;
  /** passed / (passed + failed); undefined without checks. */
  passRate?: number;
}

/** The order form's steps, in order. */
export const FUNNEL_STEPS = ['asked', 'id_given', 'confirmed', 'status_delivered'] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number];

/** Why a form run ended without a status. */
export type DropReason = 'cancelled' | 'handoff' | 'too_many_attempts' | 'not_found' | 'backend_error' | 'no_reply' | 'not_verified' | 'locked_out';

export interface FunnelReport {
  /** Form runs (a conversation can run the form several times). */
  forms: number;
  /** Runs that reached each step, with the share of all runs. */
  steps: { step: FunnelStep; forms: number; share: number }[];
  /** Where and why runs ended without a status, most frequent first. */
  dropOffs: { lastStep: FunnelStep; reason: DropReason; forms: number; share: number }[];
  /** Runs in which the customer typed at least one malformed order ID. */
  formsWithInvalidIds: number;
  invalidIds: number;
  /** Runs in which the customer said "no" at the confirmation at least once. */
  formsWithDenials: number;
}

export interface FallbackReport {
  total: number;
  /** Fallbacks per customer message. */
  rate: number;
  byStage: Record<string, number>;
  /** Most frequent misunderstood messages (normalised), candidates for the training data. */
  topUtterances: { text: string; count: number }[];
  /** Fallbacks whose message text was not stored (transcript redaction). */
  withoutText: number;
}

export interface HandoffReport {
  requested: number;
  /** Conversations with at least one handoff request. */
  conversations: number;
  /** Share of active conversations that asked for a person. */
  rate: number;
  byReason: Record<string, number>;
  claimed: number;
  resolved: number;
}

export interface FeedbackReport {
  asked: number;
  answered: number;
  helpful: number;
  notHelpful: number;
  /** helpful / answered; undefined when nobody answered. */
  helpfulRate?: number;
  /** answered / asked; undefined when nobody was asked. */
  responseRate?: number;
}

export interface SatisfactionReport {
  ratings: number;
  /** Mean rating scaled to 0-1 (rating / scale), so different scales can be combined. */
  averageShare?: number;
  /** Count by "rating/scale", for example "3/3". */
  distribution: Record<string, number>;
}

export interface DailyRow {
  /** UTC day, YYYY-MM-DD, of the conversation's first activity. */
  date: string;
  conversations: number;
  customerMessages: number;
  fallbacks: number;
  statusesDelivered: number;
  handoffs: number;
}
