import { applyPatch, type Ticket, type TicketPatch } from '../ticket';
import type { HandoffStore, WaitSample } from './HandoffStore';

/** The in-process twin of {@link MongoHandoffStore}: one instance only, lost on restart. */
export class MemoryHandoffStore implements HandoffStore {
  private readonly tickets = new Map<string, Ticket>();
  private readonly seen = new Map<string, number>();

  async insert(ticket: Ticket): Promise<void> {
    if (this.tickets.has(ticket.id)) throw new Error(`Ticket ${ticket.id} already exists.`);
    this.tickets.set(ticket.id, clone(ticket));
  }

  async get(id: string): Promise<Ticket | undefined> {
    const ticket = this.tickets.get(id);
    return ticket && clone(ticket);
  }

  async findByThread(channel: string, ts: string): Promise<Ticket | undefined> {
    for (const ticket of this.tickets.values()) {
      if (ticket.thread?.channel === channel && ticket.thread.ts === ts) return clone(ticket);
    }
    return undefined;
  }

  async update(id: string, expectedVersion: number, patch: TicketPatch): Promise<Ticket | undefined> {
    const current = this.tickets.get(id);
    if (!current || current.version !== expectedVersion) return undefined;
    const next = applyPatch(current, clone(patch));
    this.tickets.set(id, next);
    return clone(next);
  }

  async touch(id: string, at: number): Promise<void> {
    const current = this.tickets.get(id);
    if (current && current.lastActivityAt < at) current.lastActivityAt = at;
  }

  async countQueuedBefore(queuedAt: number, id: string): Promise<number> {
    let count = 0;
    for (const t of this.tickets.values()) {
      if (t.state === 'queued' && t.queuedAt !== undefined && isBefore(t.queuedAt, t.id, queuedAt, id)) count += 1;
    }
    return count;
  }

  async recentWaits(limit: number): Promise<WaitSample[]> {
    return [...this.tickets.values()]
      .filter((t) => t.claimedAt !== undefined && t.queuedAt !== undefined)
      .sort((a, b) => (b.claimedAt as number) - (a.claimedAt as number))
      .slice(0, limit)
      .map((t) => ({ waitMs: (t.claimedAt as number) - (t.queuedAt as number), position: t.queuePosition ?? 1 }));
  }

  async claimDue(now: number, owner: string, leaseMs: number): Promise<Ticket | undefined> {
    for (const ticket of this.tickets.values()) {
      if (ticket.dueAt === undefined || ticket.dueAt > now) continue;
      if (ticket.lease && ticket.lease.until > now) continue;
      ticket.lease = { owner, until: now + leaseMs };
      return clone(ticket);
    }
    return undefined;
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    const ticket = this.tickets.get(id);
    if (ticket?.lease?.owner === owner) delete ticket.lease;
  }

  async leaseOutbox(id: string, owner: string, now: number, leaseMs: number): Promise<Ticket | undefined> {
    const ticket = this.tickets.get(id);
    if (!ticket) return undefined;
    const lease = ticket.outboxLease;
    if (lease && lease.until > now && lease.owner !== owner) return undefined;
    ticket.outboxLease = { owner, until: now + leaseMs };
    return clone(ticket);
  }

  async claimOutbox(now: number, owner: string, leaseMs: number): Promise<Ticket | undefined> {
    const pending = [...this.tickets.values()]
      .filter((t) => t.outboxSince !== undefined && !(t.outboxLease && t.outboxLease.until > now))
      .sort((a, b) => (a.outboxSince as number) - (b.outboxSince as number));
    const ticket = pending[0];
    if (!ticket) return undefined;
    ticket.outboxLease = { owner, until: now + leaseMs };
    return clone(ticket);
  }

  async completeOutbox(id: string, entryId: string): Promise<void> {
    const ticket = this.tickets.get(id);
    if (!ticket?.outbox) return;
    ticket.outbox = ticket.outbox.filter((e) => e.id !== entryId);
    if (ticket.outbox.length === 0) {
      delete ticket.outbox;
      delete ticket.outboxSince;
      delete ticket.outboxLease;
    }
  }

  async releaseOutbox(id: string, owner: string): Promise<void> {
    const ticket = this.tickets.get(id);
    if (ticket?.outboxLease?.owner === owner) delete ticket.outboxLease;
  }

  async markOnce(key: string, ttlMs: number, now: number): Promise<boolean> {
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return false;
    this.seen.set(key, now + ttlMs);
    if (this.seen.size > 10_000) {
      for (const [k, expires] of this.seen) if (expires <= now) this.seen.delete(k);
    }
    return true;
  }
}

/** Queue order: earlier `queuedAt` first, ticket id breaks ties. */
export function isBefore(aAt: number, aId: string, bAt: number, bId: string): boolean {
  return aAt < bAt || (aAt === bAt && aId < bId);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}
