import { ActivityTypes, type Activity } from 'botbuilder-core';
import type { Order, OrderStatusCode } from './ports';

/**
 * Channel-neutral content for an order status: readable text for every channel, plus the
 * structured order in `value` so channel renderers at the edge can draw a card or Block Kit.
 */
export const ORDER_STATUS_CONTENT_KIND = 'orderStatus';

export interface OrderStatusContent {
  $kind: typeof ORDER_STATUS_CONTENT_KIND;
  order: Order;
  statusLabel: string;
  etaLabel?: string;
}

const STATUS_LABELS: Record<OrderStatusCode, string> = {
  processing: 'being prepared',
  on_hold: 'on hold',
  shipped: 'shipped',
  in_transit: 'in transit',
  out_for_delivery: 'out for delivery',
  delivered: 'delivered',
  delayed: 'delayed',
  cancelled: 'cancelled',
  returned: 'returned',
};

export function statusLabel(status: OrderStatusCode): string {
  return STATUS_LABELS[status];
}

// Built once: toLocaleDateString constructs a new Intl formatter on every call, which showed
// up as several percent of a turn's CPU in profiles.
const ETA_FORMAT = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** "Fri, 27 Nov 2026" for a valid ISO date; undefined otherwise. */
export function formatEta(eta: string | null | undefined): string | undefined {
  if (!eta) return undefined;
  const date = new Date(eta);
  if (Number.isNaN(date.getTime())) return undefined;
  return ETA_FORMAT.format(date);
}

export function orderStatusText(order: Order): string {
  const label = statusLabel(order.status);
  const eta = formatEta(order.eta);
  const lines = [`Order ${order.id} is ${label}${order.carrier ? ` (carrier: ${order.carrier})` : ''}.`];
  if (eta) {
    lines.push(order.status === 'delivered' ? `Delivered on ${eta}.` : `Expected delivery: ${eta}.`);
  }
  if (order.trackingUrl) lines.push(`Track it here: ${order.trackingUrl}`);
  return lines.join('\n');
}

export function orderStatusActivity(order: Order): Partial<Activity> {
  const eta = formatEta(order.eta);
  const content: OrderStatusContent = {
    $kind: ORDER_STATUS_CONTENT_KIND,
    order,
    statusLabel: statusLabel(order.status),
    ...(eta ? { etaLabel: eta } : {}),
  };
  return { type: ActivityTypes.Message, text: orderStatusText(order), value: content };
}
