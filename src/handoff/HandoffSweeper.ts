import { MessageFactory } from 'botbuilder-core';
import type { HandoffDependencies } from './HandoffDependencies';
import { HandoffButtons, HandoffMessages } from './messages';
import { describeWait } from './queueEstimate';
import { endedPatch, followUpDonePatch, isTerminal, type Ticket, type TicketPatch } from './ticket';
import type { Notification, TicketNotifier } from './TicketNotifier';

export interface SweeperOptions {
  /** This instance's name in timer leases. */
  owner: string;
  intervalMs: number;
  /** How long a claimed timer is this instance's before another may retry it. */
  leaseMs?: number;
  /** Most timers fired per run, so one run never hogs the event loop. */
  maxPerRun?: number;
}

/**
 * The handoff timers: queue timeout, idle timeout, the end of the follow-up window, and stale
 * requests. Timers are `dueAt` fields on tickets, not in-process timeouts, so they survive
 * restarts. Every instance sweeps; a lease in the store gives each due ticket to one instance,
 * and the transition itself is a compare-and-set, so each timeout fires exactly once.
 */
export class HandoffSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private readonly leaseMs: number;
  private readonly maxPerRun: number;

  constructor(
    private readonly deps: HandoffDependencies,
    private readonly notifier: TicketNotifier,
    private readonly options: SweeperOptions,
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.maxPerRun = options.maxPerRun ?? 100;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops the interval and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Fires every due timer once (at most `maxPerRun`). @returns how many tickets it looked at. */
  runOnce(): Promise<number> {
    // One run at a time per instance; a slow run simply delays the next.
    this.running ??= this.sweep().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweep(): Promise<number> {
    let count = 0;
    // Notifications an interrupted instance wrote but did not send (the outbox), oldest first.
    for (let sent = 0; sent < this.maxPerRun; sent += 1) {
      try {
        if (!(await this.notifier.recover(this.deps.now()))) break;
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'handoff: sweeper could not read pending notifications');
        break;
      }
    }
    while (count < this.maxPerRun) {
      let ticket: Ticket | undefined;
      try {
        ticket = await this.deps.store.claimDue(this.deps.now(), this.options.owner, this.leaseMs);
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'handoff: sweeper could not read due tickets');
        break;
      }
      if (!ticket) break;
      count += 1;
      try {
        await this.fire(ticket);
        await this.deps.store.releaseLease(ticket.id, this.options.owner);
      } catch (error) {
        // The lease lapses and another run (here or elsewhere) retries the ticket.
        this.deps.logger.error({ err: error, ticketId: ticket.id }, 'handoff: timer failed');
      }
    }
    return count;
  }

  private async fire(ticket: Ticket): Promise<void> {
    const { timings } = this.deps;
    const now = this.deps.now();
    switch (ticket.state) {
      case 'requested':
        await this.transition(ticket, endedPatch(ticket, 'cancelled', 'desk_unavailable', now, timings), 'cancelled', [
          {
            customer: [{ type: 'message', text: HandoffMessages.deskUnavailable }],
            status: { state: 'failed', message: 'the request did not reach the desk' },
          },
        ]);
        return;
      case 'queued': {
        const wait = describeWait(timings.queueTimeoutMs);
        await this.transition(ticket, endedPatch(ticket, 'expired', 'queue_timeout', now, timings, 'message'), 'timed_out', [
          {
            customer: [MessageFactory.suggestedActions([HandoffButtons.noThanks], HandoffMessages.queueTimeout(wait))],
            status: { state: 'failed', message: 'no agent within the queue timeout' },
          },
          { refresh: true },
          { note: `Nobody claimed this ticket within ${wait}. The customer was offered to leave a message.` },
        ]);
        return;
      }
      case 'active': {
        const idleSince = ticket.lastActivityAt;
        if (idleSince + timings.idleTimeoutMs > now) {
          await this.transition(ticket, { set: { dueAt: idleSince + timings.idleTimeoutMs } });
          return;
        }
        await this.transition(ticket, endedPatch(ticket, 'expired', 'idle_timeout', now, timings), 'timed_out', [
          {
            customer: [{ type: 'message', text: HandoffMessages.idleClosed(ticket.agent?.name ?? 'our agent') }],
            status: { state: 'completed', message: 'idle timeout' },
          },
          { refresh: true },
          { note: `Closed after ${describeWait(timings.idleTimeoutMs)} without a message from either side.` },
        ]);
        return;
      }
      default:
        if (isTerminal(ticket.state)) await this.transition(ticket, followUpDonePatch());
    }
  }

  /**
   * Compare-and-set with the notifications in the same write; only the instance whose update won
   * counts the metric and sends them.
   */
  private async transition(ticket: Ticket, patch: TicketPatch, metric?: 'cancelled' | 'timed_out', notifications: Notification[] = []): Promise<void> {
    const notices = this.notifier.announce(ticket, notifications);
    const updated = await this.deps.store.update(ticket.id, ticket.version, notices.length > 0 ? { ...patch, enqueue: notices } : patch);
    if (!updated) return;
    if (metric) this.deps.metrics.handoff(metric);
    await this.notifier.flush(updated, notices);
  }
}
