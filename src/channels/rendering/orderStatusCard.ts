import { CardFactory, type Attachment } from 'botbuilder';
import { ORDER_STATUS_CONTENT_KIND, type OrderStatusContent } from '../../../dialogs/orderStatusReply';
import type { OrderStatusCode } from '../../../dialogs/ports';
import { escapeMarkdown, safeHttpUrl } from './markdown';

/** Adaptive Card colour per status: good news green, trouble amber or red, the rest accent. */
const STATUS_COLOR: Record<OrderStatusCode, 'Good' | 'Warning' | 'Attention' | 'Accent'> = {
  processing: 'Accent',
  on_hold: 'Warning',
  shipped: 'Accent',
  in_transit: 'Accent',
  out_for_delivery: 'Good',
  delivered: 'Good',
  delayed: 'Warning',
  cancelled: 'Attention',
  returned: 'Attention',
};

/** True when an activity's `value` is the dialogs' channel-neutral order status. */
export function isOrderStatusContent(value: unknown): value is OrderStatusContent {
  if (!value || typeof value !== 'object') return false;
  const content = value as Partial<OrderStatusContent>;
  return content.$kind === ORDER_STATUS_CONTENT_KIND && typeof content.order?.id === 'string' && typeof content.statusLabel === 'string';
}

/**
 * The order status as an Adaptive Card. Version 1.5 for Web Chat and the Emulator; 1.4 for
 * Teams (the same elements: nothing newer than 1.2 is used, so every client renders it).
 * Every value from the orders API is Markdown-escaped, and the tracking link becomes a button
 * only if it is an http(s) URL.
 */
export function orderStatusCard(content: OrderStatusContent, version: '1.5' | '1.4', fallbackText: string): Attachment {
  const { order } = content;
  const facts: { title: string; value: string }[] = [];
  if (content.etaLabel) {
    facts.push({ title: order.status === 'delivered' ? 'Delivered' : 'Expected delivery', value: escapeMarkdown(content.etaLabel) });
  }
  if (order.carrier) facts.push({ title: 'Carrier', value: escapeMarkdown(order.carrier) });
  const trackingUrl = safeHttpUrl(order.trackingUrl);

  const card: Record<string, unknown> = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version,
    fallbackText,
    speak: fallbackText,
    body: [
      { type: 'TextBlock', text: `Order ${escapeMarkdown(order.id)}`, weight: 'Bolder', size: 'Medium', wrap: true },
      {
        type: 'TextBlock',
        text: capitalise(escapeMarkdown(content.statusLabel)),
        color: STATUS_COLOR[order.status] ?? 'Default',
        weight: 'Bolder',
        spacing: 'None',
        wrap: true,
      },
      ...(facts.length > 0 ? [{ type: 'FactSet', facts }] : []),
    ],
    ...(trackingUrl ? { actions: [{ type: 'Action.OpenUrl', title: 'Track the parcel', url: trackingUrl }] } : {}),
    ...(version === '1.4' ? { msteams: { width: 'Full' } } : {}),
  };
  return CardFactory.adaptiveCard(card);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
