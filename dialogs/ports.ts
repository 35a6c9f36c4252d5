import type { Activity, RecognizerResult, TurnContext } from 'botbuilder-core';
import type { DialogContext } from 'botbuilder-dialogs';

/**
 * What the dialogs need from the outside world. Implementations live under `src/` and are
 * injected by the composition root, so dialogs never import transports or databases.
 */

/** One order as the backend describes it. Dates are ISO 8601 strings. */
export interface Order {
  id: string;
  status: OrderStatusCode;
  eta?: string | null;
  carrier?: string | null;
  trackingUrl?: string | null;
}

export const ORDER_STATUS_CODES = [
  'processing',
  'on_hold',
  'shipped',
  'in_transit',
  'out_for_delivery',
  'delivered',
  'delayed',
  'cancelled',
  'returned',
] as const;
export type OrderStatusCode = (typeof ORDER_STATUS_CODES)[number];

/** Looks orders up. Resolves `null` for an unknown ID; rejects when the backend cannot answer. */
export interface OrderService {
  getOrderStatus(orderId: string): Promise<Order | null>;
  /**
   * The knowledge check: does `answer` (the e-mail address or postcode the customer gave) match
   * the one on the order? Resolves false for an unknown order, so a wrong ID and a wrong answer
   * look the same. Without this method every knowledge check fails closed.
   */
  verifyOrder?(orderId: string, answer: string): Promise<boolean>;
  /** The orders of a customer the channel has verified (identity policy); [] when none. */
  ordersForCustomer?(customer: VerifiedIdentity): Promise<Order[]>;
}

/**
 * A customer identity a channel has verified: never something the customer typed. Set at the
 * edge (src/channels/identity.ts) only by adapters that authenticate their traffic.
 */
export interface VerifiedIdentity {
  /** `teams`: Entra object ID (aadObjectId); `slack`: Slack user id; `webchat`: the host site's user id. */
  provider: 'teams' | 'slack' | 'webchat';
  id: string;
  /** An e-mail address the identity provider vouches for, when known. */
  email?: string;
}

export type HandoffReason = 'user_request' | 'form_failed' | 'repeated_fallback' | 'backend_unavailable';

export interface HandoffRequest {
  reason: HandoffReason;
  /** The intent and order the customer was asking about, when known (the order only once verified). */
  intent?: string;
  orderId?: string;
  /** Whether and how the customer proved the order is theirs; shown to the agent. */
  verification?: HandoffVerification;
}

/** What the agent is told about the customer's verification. */
export interface HandoffVerification {
  verified: boolean;
  /** How: a second factor on the order, the channel's identity, or no check at all (policy none). */
  method?: 'knowledge' | 'identity' | 'none';
}

/** Starts a handoff to a human. The implementation tells the customer what happens next. */
export interface HandoffRequester {
  requestHandoff(context: TurnContext, request: HandoffRequest): Promise<void>;
}

/**
 * Intent recognition as the dialogs use it: the `recognize` method of botbuilder-dialogs'
 * `Recognizer`, which the local recognizer implements (and which tests can replace).
 */
export interface TurnRecognizer {
  recognize(dialogContext: DialogContext, activity: Partial<Activity>): Promise<RecognizerResult>;
}
