import type { Clock } from './EventDeduplicator';

export type RecordResult = 'new' | 'taken_over' | 'duplicate';

/** A Slack delivery whose processing an instance took over (its first instance died). */
export interface StaleDelivery {
  key: string;
  /** The payload as Slack sent it (JSON). */
  body: string;
}

/**
 * Slack deliveries recorded before they are acknowledged: the durable half of "claim before
 * ack". A delivery is `pending` from its record until its turn is done; the instance that holds
 * its lease processes it. If that instance dies, the lease lapses and either Slack's retry (when
 * the ack never went out) or any instance's sweep (when it did) takes it over, so a crash loses
 * no delivery, and a retry of a delivery already taken runs nothing.
 */
export interface DeliveryInbox {
  /**
   * Records `key` as pending and leased to `owner`. @returns 'new' for a first delivery,
   * 'taken_over' for a retry of one whose instance died before finishing it (the caller processes
   * it again), 'duplicate' otherwise (nothing to do).
   */
  record(key: string, body: string, owner: string, leaseMs: number): Promise<RecordResult>;
  /** Marks a delivery processed (its payload is dropped; the key is kept to refuse retries). */
  complete(key: string): Promise<void>;
  /** Leases one pending delivery whose lease lapsed, for `owner` to process again. */
  claimStale(owner: string, leaseMs: number): Promise<StaleDelivery | undefined>;
}

/** How long a processed delivery's key is kept to refuse Slack's retries (they stop within an hour). */
export const DELIVERY_KEEP_MS = 24 * 60 * 60 * 1000;

interface Delivery {
  state: 'pending' | 'done';
  body?: string;
  owner: string;
  leaseUntil: number;
  expiresAt: number;
}

/** The in-process twin: right for one instance (a crash loses it with the process anyway). */
export class MemoryDeliveryInbox implements DeliveryInbox {
  private readonly deliveries = new Map<string, Delivery>();

  constructor(private readonly now: Clock = Date.now) {}

  async record(key: string, body: string, owner: string, leaseMs: number): Promise<RecordResult> {
    const now = this.now();
    const existing = this.deliveries.get(key);
    const live = existing !== undefined && existing.expiresAt > now;
    if (live && (existing.state === 'done' || existing.leaseUntil > now)) return 'duplicate';
    this.deliveries.set(key, { state: 'pending', body, owner, leaseUntil: now + leaseMs, expiresAt: now + DELIVERY_KEEP_MS });
    if (this.deliveries.size % 1000 === 0) this.sweep(now);
    return live ? 'taken_over' : 'new';
  }

  async complete(key: string): Promise<void> {
    const delivery = this.deliveries.get(key);
    if (!delivery) return;
    delivery.state = 'done';
    delete delivery.body;
  }

  async claimStale(owner: string, leaseMs: number): Promise<StaleDelivery | undefined> {
    const now = this.now();
    for (const [key, delivery] of this.deliveries) {
      if (delivery.state !== 'pending' || delivery.leaseUntil > now || delivery.body === undefined) continue;
      delivery.owner = owner;
      delivery.leaseUntil = now + leaseMs;
      return { key, body: delivery.body };
    }
    return undefined;
  }

  private sweep(now: number): void {
    for (const [key, delivery] of this.deliveries) if (delivery.expiresAt <= now) this.deliveries.delete(key);
  }
}
