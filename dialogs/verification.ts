import type { TurnContext } from 'botbuilder-core';
import type { VerifiedIdentity } from './ports';

/**
 * Who may see an order (SECURITY.md, "Order lookups"):
 * - `knowledge`: after the ID is confirmed the customer gives the e-mail address or postcode on
 *   the order, checked by the order system (the bot never sees the stored value);
 * - `identity`: where the channel has verified the customer (Teams, native Slack, a Web Chat user
 *   signed by the host site) only that customer's orders are shown; anonymous customers fall back
 *   to the knowledge check;
 * - `none`: anyone who types an ID sees the order (only when explicitly configured).
 */
export type VerificationPolicy = 'knowledge' | 'identity' | 'none';
export const VERIFICATION_POLICIES: readonly VerificationPolicy[] = ['knowledge', 'identity', 'none'];

/** How one order was verified in a conversation. */
export type VerificationMethod = 'knowledge' | 'identity' | 'none';

/** What failed checks are counted against: each is limited separately. */
export interface AccessSubject {
  conversationId: string;
  /** `channelId:from.id` of the customer. */
  customerId: string;
  /** The normalised order ID (counted whether or not the order exists). */
  orderId: string;
}

/**
 * Bounds guessing: counts failed checks per conversation, per customer and per order ID (across
 * instances when the store is MongoDB) and reports a lockout once one of them reaches the limit.
 * The implementation also counts metrics and logs each failure without personal data.
 */
export interface VerificationGuard {
  /** Whether the subject is locked out now (advisory: the check itself is bounded by beginCheck). */
  isLockedOut(subject: AccessSubject): Promise<boolean>;
  /**
   * Counts a check before it is made, so checks sent at the same moment cannot overrun the limit
   * while the order system answers; false when the subject is locked out and the check must not
   * be made. Every true is followed by exactly one endCheck.
   */
  beginCheck(subject: AccessSubject): Promise<boolean>;
  /**
   * How a begun check ended: `failed` keeps its count (resolves whether the subject is now
   * locked out); `passed` and `abandoned` (the order system could not answer) give it back.
   */
  endCheck(subject: AccessSubject, method: VerificationMethod, outcome: 'passed' | 'failed' | 'abandoned'): Promise<{ lockedOut: boolean }>;
  /** A refused check (already locked out), for metrics. */
  recordLockedOut(subject: AccessSubject, method: VerificationMethod): void;
}

export interface VerificationOptions {
  policy: VerificationPolicy;
  guard: VerificationGuard;
  /** How long a verified order stays verified in its conversation for the same customer. */
  rememberSeconds: number;
  /** Clock in milliseconds (tests move it). */
  now?: () => number;
}

/** One order verified in this conversation, kept in conversation state (MainFlags). */
export interface VerifiedOrder {
  method: VerificationMethod;
  /** The customer who passed the check; another participant must check again. */
  customerId: string;
  /** Epoch milliseconds of the check. */
  at: number;
}

/** The turn-state key under which the channel edge puts a {@link VerifiedIdentity}. */
export const VERIFIED_IDENTITY_KEY = 'supportbot.verifiedIdentity';

/** The identity the channel verified for this turn's sender, if any. */
export function verifiedIdentity(context: TurnContext): VerifiedIdentity | undefined {
  return context.turnState.get(VERIFIED_IDENTITY_KEY) as VerifiedIdentity | undefined;
}

/** The customer key failed checks are counted against. */
export function customerKey(context: TurnContext): string {
  const identity = verifiedIdentity(context);
  // Two namespaces that can never meet: a caller who merely claims a user id (any `from.id` on an
  // unauthenticated route) must not share a verified customer's counters or remembered checks.
  if (identity) return `verified:${identity.provider}:${identity.id}`;
  return `claimed:${context.activity.channelId}:${context.activity.from?.id ?? 'unknown'}`;
}

export function accessSubject(context: TurnContext, orderId: string): AccessSubject {
  return { conversationId: `${context.activity.channelId}:${context.activity.conversation?.id ?? ''}`, customerId: customerKey(context), orderId };
}

/** Is this verification still valid for this customer now? */
export function stillVerified(entry: VerifiedOrder | undefined, customerId: string, now: number, rememberSeconds: number): boolean {
  return Boolean(entry && entry.customerId === customerId && now - entry.at >= 0 && now - entry.at < rememberSeconds * 1000);
}

/** Drops expired entries so conversation state stays small. */
export function pruneVerified(orders: Record<string, VerifiedOrder>, now: number, rememberSeconds: number): Record<string, VerifiedOrder> {
  const kept: Record<string, VerifiedOrder> = {};
  for (const [id, entry] of Object.entries(orders)) {
    if (now - entry.at < rememberSeconds * 1000) kept[id] = entry;
  }
  return kept;
}
