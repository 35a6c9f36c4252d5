import type { types } from '@slack/bolt';
import type { Activity, CardAction } from 'botbuilder';
import { escapeMrkdwn } from './mrkdwn';

/** What chat.postMessage / chat.update receive for one bot message. */
export interface SlackMessageContent {
  /** mrkdwn, escaped; the whole message for plain replies, the notification fallback with blocks. */
  text: string;
  blocks?: types.KnownBlock[];
  /** Message metadata (invisible to people); replies carry their delivery tag. */
  metadata?: { event_type: string; event_payload: Record<string, string> };
}

/** Action ids of the buttons we draw; the bridge listens for exactly these. */
export const ActionIds = {
  /** Prefix of suggested-action buttons; a click continues the dialog with the button's value. */
  replyPrefix: 'sb_reply_',
  /** Link buttons (tracking URL): Slack still sends a click payload, which we only acknowledge. */
  openLink: 'sb_open_link',
} as const;

/** block_id of the suggested-actions block, so a click can replace it with the choice made. */
export const SUGGESTED_BLOCK_ID = 'sb_suggested';

// Block Kit limits (https://docs.slack.dev/reference/block-kit).
const SECTION_TEXT_MAX = 3000;
const BUTTON_TEXT_MAX = 75;
const BUTTON_VALUE_MAX = 2000;
const ACTIONS_MAX = 25;

/** The structured order status the dialogs put in `value` (dialogs/orderStatusReply.ts). */
interface OrderStatusValue {
  $kind: 'orderStatus';
  order: { id: string; status: string; carrier?: string | null; trackingUrl?: string | null };
  statusLabel: string;
  etaLabel?: string;
}

/**
 * Renders a channel-neutral bot message for Slack: the text (escaped), suggested actions as
 * Block Kit buttons, and an order status as a compact Block Kit message. Plain messages stay
 * plain text (no blocks), which is how Slack renders them best.
 */
export function renderMessage(activity: Partial<Activity>, offeredTo?: string): SlackMessageContent {
  const text = escapeMrkdwn(activity.text ?? '');
  const blocks: types.KnownBlock[] = [];
  const order = orderStatusOf(activity.value);
  if (order) blocks.push(...orderStatusBlocks(order));
  else if (text && activity.suggestedActions?.actions.length) blocks.push(textSection(text));
  const buttons = suggestedButtons(activity.suggestedActions?.actions ?? [], offeredTo);
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: SUGGESTED_BLOCK_ID, elements: buttons });
  return blocks.length > 0 ? { text: text || ' ', blocks } : { text };
}

/**
 * The message after a suggested action was clicked: the same blocks with the buttons replaced by
 * a line saying what was chosen, so old buttons cannot be clicked twice.
 */
export function renderChoiceTaken(blocks: types.KnownBlock[], choice: string, slackUserId: string): types.KnownBlock[] {
  const kept = blocks.filter((b) => b.block_id !== SUGGESTED_BLOCK_ID);
  kept.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `<@${slackUserId}> chose *${escapeMrkdwn(choice)}*` }],
  });
  return kept;
}

function textSection(text: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SECTION_TEXT_MAX) } };
}

function orderStatusOf(value: unknown): OrderStatusValue | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Partial<OrderStatusValue>;
  if (v.$kind !== 'orderStatus' || !v.order || typeof v.order.id !== 'string' || typeof v.statusLabel !== 'string') return undefined;
  return v as OrderStatusValue;
}

function orderStatusBlocks(content: OrderStatusValue): types.KnownBlock[] {
  const { order } = content;
  const fields: types.MrkdwnElement[] = [{ type: 'mrkdwn', text: `*Status*\n${escapeMrkdwn(content.statusLabel)}` }];
  if (content.etaLabel) {
    const label = order.status === 'delivered' ? 'Delivered on' : 'Expected delivery';
    fields.push({ type: 'mrkdwn', text: `*${label}*\n${escapeMrkdwn(content.etaLabel)}` });
  }
  if (order.carrier) fields.push({ type: 'mrkdwn', text: `*Carrier*\n${escapeMrkdwn(order.carrier)}` });
  const blocks: types.KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `:package: *Order ${escapeMrkdwn(order.id)}*` }, fields }];
  const trackingUrl = safeHttpUrl(order.trackingUrl);
  if (trackingUrl) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', action_id: ActionIds.openLink, text: { type: 'plain_text', text: 'Track the parcel' }, url: trackingUrl }],
    });
  }
  return blocks;
}

/**
 * In a channel thread the buttons name the Slack user they were offered to in their action_id
 * (`sb_reply_0.U123`); a click by anyone else is refused (see inbound.ts, offeredToOf). Slack
 * signs every click and people cannot edit the bot's messages, so the id cannot be forged.
 */
export function offeredToOf(actionId: string): string | undefined {
  if (!actionId.startsWith(ActionIds.replyPrefix)) return undefined;
  const dot = actionId.indexOf('.', ActionIds.replyPrefix.length);
  return dot < 0 ? undefined : actionId.slice(dot + 1) || undefined;
}

function suggestedButtons(actions: CardAction[], offeredTo?: string): types.Button[] {
  const buttons: types.Button[] = [];
  for (const action of actions) {
    if (buttons.length === ACTIONS_MAX) break;
    const title = truncate(String(action.title ?? action.value ?? ''), BUTTON_TEXT_MAX);
    if (!title) continue;
    const index = buttons.length;
    if (action.type === 'openUrl') {
      const url = safeHttpUrl(action.value);
      if (url) buttons.push({ type: 'button', action_id: `${ActionIds.openLink}_${index}`, text: { type: 'plain_text', text: title }, url });
      continue;
    }
    // imBack, postBack and messageBack all mean "the customer says this".
    const said = action.type === 'messageBack' ? (action.text ?? action.displayText ?? action.title) : (action.value ?? action.title);
    const value = truncate(String(said ?? title), BUTTON_VALUE_MAX);
    const actionId = `${ActionIds.replyPrefix}${index}${offeredTo ? `.${offeredTo}` : ''}`;
    buttons.push({ type: 'button', action_id: actionId, text: { type: 'plain_text', text: title }, value });
  }
  return buttons;
}

function safeHttpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
