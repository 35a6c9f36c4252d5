import type { AgentDesk, ThreadPost } from '../AgentDesk';
import type { DeskThread, Ticket } from '../ticket';
import type { SlackDeskApi } from './SlackDeskApi';
import type { types } from '@slack/bolt';
import { cleanCustomerName, cleanCustomerText, fallbackText } from './customerText';
import { OUTBOX_EVENT_TYPE, type DeskMessage } from './SlackDeskApi';
import { escapeMrkdwn, renderTicket } from './ticketBlocks';

/**
 * The agent desk in one Slack channel: each ticket is a message with Claim/Resolve buttons,
 * and its thread is the conversation with the customer.
 */
export class SlackAgentDesk implements AgentDesk {
  constructor(
    private readonly api: SlackDeskApi,
    /** SLACK_HANDOFF_CHANNEL. */
    readonly channel: string,
  ) {}

  async openTicket(ticket: Ticket): Promise<DeskThread> {
    const ts = await this.api.post(this.channel, renderTicket(ticket));
    return { channel: this.channel, ts };
  }

  async refreshTicket(ticket: Ticket): Promise<void> {
    if (!ticket.thread) return;
    await this.api.update(ticket.thread.channel, ticket.thread.ts, renderTicket(ticket));
  }

  async postInThread(ticket: Ticket, post: ThreadPost, once?: { id: string; verify: boolean }): Promise<void> {
    const thread = ticket.thread;
    if (!thread) return;
    // A retry after a crash: the post may have reached Slack just before the instance died.
    // If the thread cannot be read (no history scope), posting again beats losing the line.
    if (once?.verify && (await this.api.threadHasOutboxPost(thread.channel, thread.ts, once.id).catch(() => false))) return;
    const message = renderThreadPost(ticket, post);
    if (once) message.metadata = { event_type: OUTBOX_EVENT_TYPE, event_payload: { id: once.id } };
    await this.api.post(thread.channel, message, thread.ts);
  }

  async tellAgent(thread: DeskThread, agentId: string, text: string): Promise<void> {
    await this.api.postEphemeral(thread.channel, agentId, text, thread.ts);
  }
}

/**
 * A line in a ticket's thread. The desk's own lines are mrkdwn; a customer's words are framed so
 * that they cannot pass for the bot, an agent or the desk: a context line naming them as the
 * customer (the name as plain text), then their message as literal text in a rich-text quote
 * (Slack applies no mrkdwn, links or mentions there), without control characters and capped.
 */
export function renderThreadPost(ticket: Ticket, post: ThreadPost): DeskMessage {
  if (post.kind === 'system') return { text: `_${escapeMrkdwn(post.text)}_` };
  const name = cleanCustomerName(ticket.customer.name);
  const text = cleanCustomerText(post.text);
  const label = post.kind === 'customer' ? `Customer "${name}" wrote:` : `Customer "${name}" left a message:`;
  const blocks: types.KnownBlock[] = [
    { type: 'context', elements: [{ type: 'plain_text', text: `${post.kind === 'customer' ? '💬' : '📝'} ${label}`, emoji: false }] },
    { type: 'rich_text', elements: [{ type: 'rich_text_quote', elements: [{ type: 'text', text: text === '' ? '(empty)' : text }] }] },
  ];
  return { text: `${fallbackText(label)} ${fallbackText(text)}`, blocks };
}
