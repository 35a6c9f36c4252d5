import CircuitBreaker from 'opossum';
import type { Order, OrderService, VerifiedIdentity } from '../../dialogs/ports';
import { OrderBackendError } from '../errors';
import type { Logger } from '../telemetry/logger';
import { Bulkhead, BulkheadFullError } from './Bulkhead';

export interface ResilienceOptions {
  /** Calls in flight at once; more wait in the queue. */
  maxConcurrency: number;
  /** Calls allowed to wait; beyond this they fail at once. */
  maxQueue: number;
  /** Failure percentage (over the rolling window) that opens the circuit. */
  errorThresholdPercentage: number;
  /** Calls in the window before the circuit may open at all. */
  volumeThreshold: number;
  /** How long the circuit stays open before one trial call. */
  resetTimeoutMs: number;
  logger: Logger;
}

/**
 * Wraps an order backend (which already times out and retries each call) in a bulkhead and a
 * circuit breaker (opossum). When the backend keeps failing, customers get the "order system
 * unavailable" answer at once instead of waiting through timeouts, and the backend gets room
 * to recover; one trial call after `resetTimeoutMs` closes the circuit again.
 */
export class ResilientOrderService implements OrderService {
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private readonly bulkhead: Bulkhead;

  constructor(
    private readonly inner: OrderService,
    options: ResilienceOptions,
  ) {
    this.bulkhead = new Bulkhead(options.maxConcurrency, options.maxQueue);
    // One breaker and one bulkhead for every call to the backend: lookups, checks, customer lists.
    this.breaker = new CircuitBreaker((task: () => Promise<unknown>) => this.bulkhead.run(task), {
      timeout: false, // the inner client owns per-attempt timeouts and retries
      errorThresholdPercentage: options.errorThresholdPercentage,
      volumeThreshold: options.volumeThreshold,
      resetTimeout: options.resetTimeoutMs,
      rollingCountTimeout: 10_000,
      // A full bulkhead is load shedding, not a sign the backend is broken.
      errorFilter: (err: unknown) => err instanceof BulkheadFullError,
    });
    this.breaker.on('open', () =>
      options.logger.warn({ resetTimeoutMs: options.resetTimeoutMs }, 'order backend circuit opened: answering "unavailable" without calling it'),
    );
    this.breaker.on('halfOpen', () => options.logger.info('order backend circuit half-open: trying one call'));
    this.breaker.on('close', () => options.logger.info('order backend circuit closed: backend healthy again'));
  }

  async getOrderStatus(orderId: string): Promise<Order | null> {
    return this.call(() => this.inner.getOrderStatus(orderId));
  }

  async verifyOrder(orderId: string, answer: string): Promise<boolean> {
    const verify = this.inner.verifyOrder?.bind(this.inner);
    if (!verify) return false; // fails closed, like the dialog without the method
    return this.call(() => verify(orderId, answer));
  }

  async ordersForCustomer(customer: VerifiedIdentity): Promise<Order[]> {
    const list = this.inner.ordersForCustomer?.bind(this.inner);
    if (!list) return [];
    return this.call(() => list(customer));
  }

  private async call<T>(task: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(task)) as T;
    } catch (err) {
      if (err instanceof OrderBackendError) throw err;
      if (err instanceof BulkheadFullError) {
        throw new OrderBackendError('ORDER_BACKEND_UNAVAILABLE', err.message, { cause: err });
      }
      if ((err as { code?: string }).code === 'EOPENBREAKER') {
        throw new OrderBackendError('ORDER_BACKEND_UNAVAILABLE', 'order backend circuit is open', { cause: err });
      }
      throw err;
    }
  }

  get circuitState(): 'closed' | 'open' | 'half-open' {
    if (this.breaker.opened) return 'open';
    return this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  /** Stops the breaker's rolling-window timers (they would keep the process alive). */
  shutdown(): void {
    this.breaker.shutdown();
  }
}
