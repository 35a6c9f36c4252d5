import { createHmac } from 'node:crypto';
import type { AccessSubject, VerificationGuard, VerificationMethod } from '../../dialogs/verification';
import type { Logger } from '../telemetry/logger';
import type { BotMetrics } from '../telemetry/metrics';
import type { AttemptStore } from './attemptStore';

export interface GuardOptions {
  store: AttemptStore;
  /** Failed checks allowed per conversation, per customer and per order ID within a window. */
  maxFailures: number;
  windowSeconds: number;
  metrics: Pick<BotMetrics, 'verification'>;
  logger: Logger;
  now?: () => number;
  /**
   * Key for hashing conversation, customer and order IDs before they are stored or logged: the
   * counters hold no personal data, and their keys cannot be reversed by reading the database.
   */
  hashKey: string;
}

type Scope = 'conversation' | 'customer' | 'order';
const SCOPES: readonly Scope[] = ['conversation', 'customer', 'order'];

/**
 * The guessing bound (dialogs/verification.ts's port): each failed check counts against the
 * conversation, the customer and the order ID; reaching `maxFailures` in any of them locks that
 * scope out until its window ends. Counting by order ID bounds guesses at one order no matter how
 * many fresh anonymous conversations the guesser opens.
 */
export class CountingVerificationGuard implements VerificationGuard {
  private readonly now: () => number;

  constructor(private readonly options: GuardOptions) {
    this.now = options.now ?? Date.now;
  }

  async isLockedOut(subject: AccessSubject): Promise<boolean> {
    const counts = await this.options.store.counts(this.keys(subject), this.now());
    return counts.some((c) => c >= this.options.maxFailures);
  }

  async beginCheck(subject: AccessSubject): Promise<boolean> {
    const keys = this.keys(subject);
    const counts = await this.options.store.hit(keys, this.now(), this.options.windowSeconds * 1000);
    if (counts.every((c) => c <= this.options.maxFailures)) return true;
    // Over the limit: this check is refused, and a refused check is not a guess.
    await this.options.store.release(keys, this.now());
    return false;
  }

  async endCheck(subject: AccessSubject, method: VerificationMethod, outcome: 'passed' | 'failed' | 'abandoned'): Promise<{ lockedOut: boolean }> {
    if (outcome !== 'failed') {
      await this.options.store.release(this.keys(subject), this.now());
      if (outcome === 'passed') this.options.metrics.verification(method, 'passed');
      return { lockedOut: false };
    }
    return this.report(method, await this.options.store.counts(this.keys(subject), this.now()));
  }

  private report(method: VerificationMethod, counts: readonly number[]): { lockedOut: boolean } {
    const exhausted = SCOPES.filter((_, i) => (counts[i] ?? 0) >= this.options.maxFailures);
    this.options.metrics.verification(method, 'failed');
    // No order ID, customer, conversation or answer: only what happened and how far the counts got.
    this.options.logger.warn(
      {
        event: 'order_verification_failed',
        method,
        failures: { conversation: counts[0], customer: counts[1], order: counts[2] },
        max: this.options.maxFailures,
        lockedOut: exhausted,
      },
      'order verification failed',
    );
    return { lockedOut: exhausted.length > 0 };
  }

  recordLockedOut(_subject: AccessSubject, method: VerificationMethod): void {
    this.options.metrics.verification(method, 'locked_out');
    this.options.logger.warn({ event: 'order_verification_locked_out' }, 'order verification refused: locked out');
  }

  private keys(subject: AccessSubject): string[] {
    return [`c:${this.hash(subject.conversationId)}`, `u:${this.hash(subject.customerId)}`, `o:${this.hash(subject.orderId.toUpperCase())}`];
  }

  private hash(value: string): string {
    return createHmac('sha256', this.options.hashKey).update(value).digest('base64url');
  }
}
