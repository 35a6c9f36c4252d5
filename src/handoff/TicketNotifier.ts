import type { Activity } from 'botbuilder-core';
import type { ThreadPost } from './AgentDesk';
import type { HandoffStatusState } from './handoffEvents';
import type { HandoffDependencies } from './HandoffDependencies';
import type { Ticket } from './ticket';

/**
 * Side effects after a ticket changed: tell the customer (proactively, with a handoff.status
 * event where the channel takes events) and refresh the desk. Failures are logged and shown
 * to agents in the thread; they never undo the state change, which already happened.
 */
export class TicketNotifier {
  constructor(private readonly deps: HandoffDependencies) {}

  /** @returns false when the customer could not be reached (agents are told in the thread). */
  async tellCustomer(
    ticket: Ticket,
    activities: Partial<Activity>[],
    status?: { state: HandoffStatusState; message?: string },
  ): Promise<boolean> {
    const outgoing = [...activities];
    if (status) {
      const event = this.deps.events.status(ticket, status.state, status.message);
      if (this.deps.events.reachesChannel(ticket.channelId)) outgoing.push(event);
    }
    if (outgoing.length === 0) return true;
    try {
      await this.deps.messenger.send(ticket.reference, outgoing);
      return true;
    } catch (error) {
      this.deps.logger.warn({ err: error, ticketId: ticket.id, channelId: ticket.channelId }, 'handoff: could not reach the customer');
      await this.post(ticket, {
        kind: 'system',
        text: `:warning: Could not deliver to the customer (${ticket.channelId}): ${(error as Error).message}`,
      });
      return false;
    }
  }

  /** Re-renders the ticket at the desk and optionally adds a line to its thread. */
  async refreshDesk(ticket: Ticket, note?: string): Promise<void> {
    if (!ticket.thread) return;
    try {
      await this.deps.desk.refreshTicket(ticket);
    } catch (error) {
      this.deps.logger.warn({ err: error, ticketId: ticket.id }, 'handoff: could not update the ticket at the desk');
    }
    if (note) await this.post(ticket, { kind: 'system', text: note });
  }

  /** Posts in the thread; logs instead of throwing. */
  async post(ticket: Ticket, post: ThreadPost): Promise<boolean> {
    if (!ticket.thread) return false;
    try {
      await this.deps.desk.postInThread(ticket, post);
      return true;
    } catch (error) {
      this.deps.logger.warn({ err: error, ticketId: ticket.id, kind: post.kind }, 'handoff: could not post in the ticket thread');
      return false;
    }
  }
}
