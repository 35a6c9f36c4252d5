import type { Ticket, TicketPatch } from '../ticket';

/** One finished wait, for the expected-wait estimate. */
export interface WaitSample {
  waitMs: number;
  /** Place in the queue when the customer started waiting (1 = next). */
  position: number;
}

/**
 * Where tickets live: MongoDB in production (shared by every instance), memory for one
 * instance and unit tests. Both pass the conformance suite in test/storage/conformance/.
 *
 * Every state change goes through {@link update}, a compare-and-set on `version`: of two
 * callers that read the same version, exactly one succeeds; the other gets `undefined`, reads
 * again and decides anew (for a claim: "someone else has it").
 */
export interface HandoffStore {
  /** Creates the indexes its queries need (stores that have any); idempotent, run at start-up. */
  ensureIndexes?(): Promise<void>;
  /** Stores a new ticket (version 1). Rejects if the id exists. */
  insert(ticket: Ticket): Promise<void>;
  get(id: string): Promise<Ticket | undefined>;
  /** The ticket whose desk message is `ts` in `channel`. */
  findByThread(channel: string, ts: string): Promise<Ticket | undefined>;
  /**
   * Applies `patch` if the stored version is `expectedVersion`, and bumps the version.
   * @returns the updated ticket, or undefined when the version moved on (or the ticket is gone).
   */
  update(id: string, expectedVersion: number, patch: TicketPatch): Promise<Ticket | undefined>;
  /** Records activity at `at` without a version change (messages must not fight claims). */
  touch(id: string, at: number): Promise<void>;
  /** Number of queued tickets that were queued before this one (its place is that + 1). */
  countQueuedBefore(queuedAt: number, id: string): Promise<number>;
  /** Waits of the most recently claimed tickets, newest first. */
  recentWaits(limit: number): Promise<WaitSample[]>;
  /**
   * Takes a lease on one ticket whose timer is due (`dueAt <= now`) and whose lease is free or
   * lapsed. Two instances sweeping at once never get the same ticket while a lease runs.
   */
  claimDue(now: number, owner: string, leaseMs: number): Promise<Ticket | undefined>;
  /** Gives a lease back (after the work is done, so the next due time is honoured). */
  releaseLease(id: string, owner: string): Promise<void>;
  /**
   * Remembers `key` for `ttlMs`. @returns true the first time, false for a repeat (Slack
   * retries, duplicate deliveries), across instances.
   */
  markOnce(key: string, ttlMs: number, now: number): Promise<boolean>;

  /*
   * The notification outbox (Ticket.outbox). Entries are appended by `update` (patch.enqueue) in
   * the same atomic write as the change they announce, and leave one at a time once sent.
   */

  /**
   * Takes the outbox lease of one ticket for `owner` if it is free, lapsed or already `owner`'s.
   * @returns the ticket (with its pending entries), or undefined when another sender holds it.
   */
  leaseOutbox(id: string, owner: string, now: number, leaseMs: number): Promise<Ticket | undefined>;
  /** Leases one ticket with pending notifications whose lease is free or lapsed (crash recovery). */
  claimOutbox(now: number, owner: string, leaseMs: number): Promise<Ticket | undefined>;
  /** Removes one sent entry; the last one also clears `outboxSince` and the lease. */
  completeOutbox(id: string, entryId: string): Promise<void>;
  /** Gives the outbox lease back (entries left are retried by the next claim). */
  releaseOutbox(id: string, owner: string): Promise<void>;
}
