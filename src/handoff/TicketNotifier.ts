import type { Activity } from 'botbuilder-core';
import type { ThreadPost } from './AgentDesk';
import type { HandoffStatusState } from './handoffEvents';
import type { HandoffDependencies } from './HandoffDependencies';
import type { OutboxEntry, Ticket } from './ticket';

/** One notification to announce with a ticket change. */
export type Notification =
  | { customer: Partial<Activity>[]; status?: { state: HandoffStatusState; message?: string } }
  | { refresh: true }
  | { note: string }
  | { post: ThreadPost };

/**
 * Side effects after a ticket changed: tell the customer (proactively, with a handoff.status
 * event where the channel takes events) and refresh the desk. They go through the ticket's
 * outbox: {@link announce} builds entries that the caller writes with the change itself (one
 * compare-and-set), and {@link flush} sends them and removes each once done. An instance that
 * dies in between leaves the entries on the ticket; the sweeper of any instance sends them
 * ({@link recover}), checking Slack first for thread posts that may already be there, so a crash
 * neither loses nor repeats them. Failures are logged and shown to agents in the thread; they
 * never undo the state change, which already happened.
 */
export class TicketNotifier {
  constructor(
    private readonly deps: HandoffDependencies,
    /** This instance's name in outbox leases. */
    private readonly owner = `notifier:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
    /** How long one instance may take to send a ticket's notifications before another takes over (HANDOFF_OUTBOX_LEASE_SECONDS). */
    private readonly leaseMs = 30_000,
  ) {}

  /** Outbox entries for a change of `ticket` (as read, before the update). */
  announce(ticket: Ticket, notifications: Notification[]): OutboxEntry[] {
    return notifications.map((n, i): OutboxEntry => {
      const id = `${ticket.id}:${ticket.version + 1}:${i}`;
      if ('customer' in n) return { id, kind: 'customer', activities: n.customer, ...(n.status ? { status: n.status } : {}) };
      if ('refresh' in n) return { id, kind: 'refresh' };
      if ('note' in n) return { id, kind: 'thread', post: { kind: 'system', text: n.note } };
      return { id, kind: 'thread', post: n.post };
    });
  }

  /**
   * Sends the ticket's pending notifications now (right after the change that wrote them).
   * `fresh` are the entries this instance just wrote: they cannot have been sent yet.
   * Entries another live sender holds are left to it.
   */
  async flush(ticket: Ticket, fresh: OutboxEntry[] = []): Promise<void> {
    if (!ticket.outbox?.length) return;
    await this.drain(ticket.id, new Set(fresh.map((e) => e.id)));
  }

  /** Sends the notifications of one ticket whose sender died (or failed); false when none was due. */
  async recover(now: number): Promise<boolean> {
    const ticket = await this.deps.store.claimOutbox(now, this.owner, this.leaseMs);
    if (!ticket) return false;
    if (this.draining.has(ticket.id)) return true; // this instance is still sending them
    this.deps.logger.info({ ticketId: ticket.id, pending: ticket.outbox?.length ?? 0 }, 'handoff: sending notifications left by an interrupted instance');
    await this.drain(ticket.id, new Set());
    return true;
  }

  /** Tickets whose outbox this instance is sending now. */
  private readonly draining = new Set<string>();

  private async drain(ticketId: string, fresh: ReadonlySet<string>): Promise<void> {
    const { store } = this.deps;
    if (this.draining.has(ticketId)) return; // the running drain picks up new entries too
    this.draining.add(ticketId);
    // A heartbeat keeps the lease while a slow Slack call (retries, 429s) runs, so no other
    // instance starts on the same entries; if the lease is lost anyway, stop after this entry.
    let lost = false;
    const heartbeat = setInterval(
      () => {
        store.leaseOutbox(ticketId, this.owner, this.deps.now(), this.leaseMs).then(
          (held) => {
            if (!held) lost = true;
          },
          () => undefined,
        );
      },
      Math.max(100, Math.floor(this.leaseMs / 3)),
    );
    heartbeat.unref();
    try {
      // Entries written meanwhile by other changes are sent in the same lease, in order.
      for (let rounds = 0; rounds < 20 && !lost; rounds += 1) {
        const leased = await store.leaseOutbox(ticketId, this.owner, this.deps.now(), this.leaseMs);
        const pending = leased?.outbox ?? [];
        if (!leased || pending.length === 0) break;
        for (const entry of pending) {
          if (lost) break;
          await this.send(leased, entry, !fresh.has(entry.id));
          await store.completeOutbox(ticketId, entry.id);
        }
      }
    } catch (error) {
      // The store failed: entries stay, and the sweeper retries once the lease lapses.
      this.deps.logger.warn({ err: error, ticketId }, 'handoff: notifications left in the outbox for the sweeper');
      return;
    } finally {
      clearInterval(heartbeat);
      this.draining.delete(ticketId);
    }
    if (!lost) await store.releaseOutbox(ticketId, this.owner).catch(() => undefined);
  }

  /** Sends one entry; failures are logged (and told in the thread), never retried forever. */
  private async send(ticket: Ticket, entry: OutboxEntry, mayBeSent: boolean): Promise<void> {
    switch (entry.kind) {
      case 'customer':
        await this.tellCustomer(ticket, entry.activities, entry.status);
        return;
      case 'refresh':
        // Rendered from the ticket as it is now: an update is idempotent, a late one still right.
        if (!ticket.thread) return;
        try {
          await this.deps.desk.refreshTicket(ticket);
        } catch (error) {
          this.deps.logger.warn({ err: error, ticketId: ticket.id }, 'handoff: could not update the ticket at the desk');
        }
        return;
      case 'thread':
        await this.post(ticket, entry.post, { id: entry.id, verify: mayBeSent });
        return;
    }
  }

  /** @returns false when the customer could not be reached (agents are told in the thread). */
  async tellCustomer(ticket: Ticket, activities: Partial<Activity>[], status?: { state: HandoffStatusState; message?: string }): Promise<boolean> {
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

  /**
   * Posts in the thread; logs instead of throwing. With `once.id` the post carries that id, and
   * with `once.verify` it is skipped when the thread already holds a post with that id.
   */
  async post(ticket: Ticket, post: ThreadPost, once?: { id: string; verify: boolean }): Promise<boolean> {
    if (!ticket.thread) return false;
    try {
      await this.deps.desk.postInThread(ticket, post, once);
      return true;
    } catch (error) {
      this.deps.logger.warn({ err: error, ticketId: ticket.id, kind: post.kind }, 'handoff: could not post in the ticket thread');
      return false;
    }
  }
}
