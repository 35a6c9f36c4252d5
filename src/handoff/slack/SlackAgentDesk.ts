import type { AgentDesk, ThreadPost } from '../AgentDesk';
import type { DeskThread, Ticket } from '../ticket';
import type { SlackDeskApi } from './SlackDeskApi';
import { escape, renderTicket } from './ticketBlocks';

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

  async postInThread(ticket: Ticket, post: ThreadPost): Promise<void> {
    if (!ticket.thread) return;
    const who = escape(ticket.customer.name ?? 'Customer');
    const text =
      post.kind === 'customer'
        ? `*${who}:* ${escape(post.text)}`
        : post.kind === 'left_message'
          ? `:memo: *${who} left a message:* ${escape(post.text)}`
          : `_${escape(post.text)}_`;
    await this.api.post(ticket.thread.channel, { text }, ticket.thread.ts);
  }

  async tellAgent(thread: DeskThread, agentId: string, text: string): Promise<void> {
    await this.api.postEphemeral(thread.channel, agentId, text, thread.ts);
  }
}
