import type { DeskThread, Ticket } from './ticket';

/** A line the bot posts in a ticket's thread. */
export type ThreadPost = { kind: 'customer'; text: string } | { kind: 'left_message'; text: string } | { kind: 'system'; text: string };

/**
 * Where agents work. The Slack channel is the implementation today; the interface is what a
 * different agent hub would implement. Agents' actions come back through {@link AgentHandoff}.
 */
export interface AgentDesk {
  /** Shows a new ticket to the agents; resolves with where it lives (its thread). */
  openTicket(ticket: Ticket): Promise<DeskThread>;
  /** Re-renders the ticket after it changed (state, owner, rating). */
  refreshTicket(ticket: Ticket): Promise<void>;
  /**
   * Posts in the ticket's thread. With `once`, the post carries `once.id`; with `once.verify`
   * (a retry after a crash) it is skipped when the thread already has a post with that id.
   */
  postInThread(ticket: Ticket, post: ThreadPost, once?: { id: string; verify: boolean }): Promise<void>;
  /** Tells one agent something only they see, next to the ticket. */
  tellAgent(thread: DeskThread, agentId: string, text: string): Promise<void>;
}
