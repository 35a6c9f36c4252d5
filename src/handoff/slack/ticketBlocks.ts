import type { types } from '@slack/bolt';
import type { HandoffReason } from '../../../dialogs/ports';
import { describeWait } from '../queueEstimate';
import type { Ticket } from '../ticket';
import { cleanCustomerName, cleanCustomerText, mrkdwnLiteral } from './customerText';
import type { DeskMessage } from './SlackDeskApi';

/** Action ids of the ticket buttons; the Slack bridge routes `handoff_*` clicks to the desk. */
export const DeskActionIds = {
  prefix: 'handoff_',
  claim: 'handoff_claim',
  resolve: 'handoff_resolve',
} as const;

const CHANNEL_NAMES: Record<string, string> = {
  emulator: 'Bot Framework Emulator',
  msteams: 'Microsoft Teams',
  webchat: 'Web Chat',
  directline: 'Web Chat (Direct Line)',
  slack: 'Slack',
  test: 'Test',
};

const REASONS: Record<HandoffReason, string> = {
  user_request: 'asked for a person',
  form_failed: 'could not give a valid order ID',
  repeated_fallback: 'the bot did not understand twice; accepted the offer of a person',
  backend_unavailable: 'the order system was unavailable',
};

/** Block Kit limits: a section's text and a message's text. */
const SECTION_MAX = 2900;
/** Longest single quoted line: a section holds 3,000 characters, so one line always fits whole. */
const LINE_MAX = 2000;

/** Escapes Slack's control characters in text customers wrote. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The ticket message: who, where from, what about, the recent conversation, and its buttons. */
export function renderTicket(ticket: Ticket): DeskMessage {
  // Names and ids are the customer's own (a Web Chat display name is whatever they typed): shown
  // as literal code spans, so they cannot format, link, mention or add lines.
  const id = mrkdwnLiteral(cleanCustomerName(ticket.customer.id));
  const customer = ticket.customer.name ? `${mrkdwnLiteral(cleanCustomerName(ticket.customer.name))} (${id})` : id;
  const fields: types.MrkdwnElement[] = [
    { type: 'mrkdwn', text: `*Customer*\n${customer}` },
    { type: 'mrkdwn', text: `*Channel*\n${CHANNEL_NAMES[ticket.channelId] ?? escapeMrkdwn(ticket.channelId)}` },
    { type: 'mrkdwn', text: `*Why*\n${REASONS[ticket.reason] ?? ticket.reason}` },
  ];
  if (ticket.intent) fields.push({ type: 'mrkdwn', text: `*Intent*\n${escapeMrkdwn(ticket.intent)}` });
  if (ticket.orderId) fields.push({ type: 'mrkdwn', text: `*Order ID*\n${escapeMrkdwn(ticket.orderId)}` });
  if (ticket.verification) fields.push({ type: 'mrkdwn', text: `*Verified*\n${verifiedLine(ticket.verification)}` });

  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `Ticket ${ticket.id}` } },
    { type: 'section', text: { type: 'mrkdwn', text: statusLine(ticket) } },
    { type: 'section', fields },
    { type: 'section', text: { type: 'mrkdwn', text: transcriptText(ticket) } },
  ];
  if (ticket.leftMessages.length > 0) {
    const left = newestThatFit(ticket.leftMessages.map((m) => `> ${literal(m.text)}`));
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:memo: *Message left by the customer*\n${left}` } });
  }
  const buttons = actionButtons(ticket);
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: 'handoff_actions', elements: buttons });
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: 'Claim, then reply in this thread to chat with the customer. `!note` keeps a line internal; `!resolve` (or Resolve) hands the customer back to the bot.',
      },
    ],
  });
  return { text: `Ticket ${ticket.id}: ${plainStatus(ticket)}`, blocks };
}

function actionButtons(ticket: Ticket): types.Button[] {
  const claim: types.Button = {
    type: 'button',
    action_id: DeskActionIds.claim,
    text: { type: 'plain_text', text: 'Claim' },
    style: 'primary',
    value: ticket.id,
  };
  const resolve: types.Button = {
    type: 'button',
    action_id: DeskActionIds.resolve,
    text: { type: 'plain_text', text: 'Resolve' },
    value: ticket.id,
    confirm: {
      title: { type: 'plain_text', text: 'Resolve this ticket?' },
      text: { type: 'plain_text', text: 'The customer goes back to the bot and is asked for a rating.' },
      confirm: { type: 'plain_text', text: 'Resolve' },
      deny: { type: 'plain_text', text: 'Keep chatting' },
    },
  };
  if (ticket.state === 'queued') return [claim, resolve];
  if (ticket.state === 'active') return [resolve];
  return [];
}

function statusLine(ticket: Ticket): string {
  const agent = ticket.agent ? escapeMrkdwn(ticket.agent.name) : 'an agent';
  switch (ticket.state) {
    case 'requested':
      return ':hourglass_flowing_sand: *New*: joining the queue';
    case 'queued':
      return `:hourglass_flowing_sand: *Waiting for an agent* since ${clock(ticket.queuedAt ?? ticket.createdAt)}`;
    case 'active':
      return `:speech_balloon: *Claimed by ${agent}* at ${clock(ticket.claimedAt ?? ticket.createdAt)}; waited ${describeWait((ticket.claimedAt ?? 0) - (ticket.queuedAt ?? ticket.createdAt))}`;
    case 'resolved': {
      const handled = ticket.claimedAt ? `; handled in ${describeWait((ticket.endedAt ?? 0) - ticket.claimedAt)}` : ' (closed before anyone claimed it)';
      const rating = ticket.rating ? `; customer rating: *${escapeMrkdwn(ticket.rating.label)}*` : '';
      return `:white_check_mark: *Resolved by ${agent}*${handled}${rating}`;
    }
    case 'cancelled':
      return ticket.outcome === 'desk_unavailable' ? ':x: *Cancelled*: the request did not reach the desk' : ':x: *Cancelled by the customer*';
    case 'expired':
      if (ticket.outcome === 'after_hours') return ':crescent_moon: *Outside business hours*: the customer was offered to leave a message';
      if (ticket.outcome === 'idle_timeout') return `:zzz: *Closed for inactivity* (was with ${agent})`;
      return ':alarm_clock: *Nobody claimed it in time*: the customer was offered to leave a message';
  }
}

function plainStatus(ticket: Ticket): string {
  return ticket.state === 'queued' ? 'waiting for an agent' : ticket.state === 'active' ? `with ${ticket.agent?.name ?? 'an agent'}` : ticket.state;
}

function transcriptText(ticket: Ticket): string {
  if (ticket.transcript.length === 0) return '*Recent conversation*\n_(none)_';
  // Every line is a literal code span: "*Bot:* refund approved" typed by a customer shows as
  // typed next to a plain "Customer:" label, and so do the bot's lines, which often echo what the
  // customer typed ("<text>" doesn't look like an order ID).
  const lines = ticket.transcript.map((l) => `> *${l.from === 'customer' ? 'Customer' : 'Bot'}:* ${literal(l.text)}`);
  return `*Recent conversation*\n${newestThatFit(lines)}`;
}

/** One line of customer-influenced text as a code span, cut before wrapping so the span stays closed. */
function literal(text: string): string {
  return mrkdwnLiteral(cleanCustomerText(text).slice(0, LINE_MAX));
}

/** The newest lines that fit in one section, with "…" where older ones were left out. */
function newestThatFit(lines: string[]): string {
  const kept = [...lines];
  let text = kept.join('\n');
  while (text.length > SECTION_MAX - 40 && kept.length > 1) {
    kept.shift();
    text = `> …\n${kept.join('\n')}`;
  }
  return text;
}

/** "14:05 UTC": agents span time zones; Slack shows the message time in each one's own zone anyway. */
function clock(at: number): string {
  return `${new Date(at).toISOString().slice(11, 16)} UTC`;
}

/** "yes: e-mail or postcode on the order" / "no": what the agent may rely on. */
export function verifiedLine(verification: NonNullable<Ticket['verification']>): string {
  if (!verification.verified)
    return verification.method === 'none' ? 'no (order checks are off)' : 'no: do not share order details before checking who they are';
  return verification.method === 'identity' ? 'yes: signed-in account (channel identity)' : 'yes: e-mail or postcode on the order';
}
