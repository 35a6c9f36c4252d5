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
}

export type HandoffReason =
  | 'user_request'
  | 'form_failed'
  | 'repeated_fallback'
  | 'backend_unavailable';

export interface HandoffRequest {
  reason: HandoffReason;
  /** The intent and order the customer was asking about, when known. */
  intent?: string;
  orderId?: string;
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
