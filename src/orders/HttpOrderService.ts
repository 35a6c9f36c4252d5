import type { Order, OrderService, VerifiedIdentity } from '../../dialogs/ports';
import { normaliseAnswer } from '../verification/answers';
import { OrderBackendError } from '../errors';
import type { Logger } from '../telemetry/logger';
import { secondsSince, type BotMetrics, type OrderBackendOutcome } from '../telemetry/metrics';
import { parseOrder } from './orderSchema';

export interface HttpOrderServiceOptions {
  /** Base URL without trailing slash; requests go to `{baseUrl}/orders/{id}`. */
  baseUrl: string;
  apiKey?: string;
  timeoutMs: number;
  /** Extra attempts after the first, for timeouts, network errors, 429 and 5xx. */
  retries: number;
  /** First backoff delay; doubled per attempt, with full jitter. */
  backoffMs?: number;
  logger: Logger;
  /** Latency and outcome of every attempt (GET /metrics). */
  metrics?: Pick<BotMetrics, 'orderBackend'>;
}

/** Failures worth another attempt; anything else is final. */
class RetryableError extends Error {}

/** A 404 from the backend (a JSON `null` answer is a malformed answer, not this). */
const NOT_FOUND = Symbol('not found');

/**
 * Client for a company's orders API (contract: docs/orders-api.openapi.yaml). 404 means the
 * order does not exist; timeouts and 5xx are retried with exponential backoff and jitter.
 */
export class HttpOrderService implements OrderService {
  private readonly backoffMs: number;

  constructor(private readonly options: HttpOrderServiceOptions) {
    this.backoffMs = options.backoffMs ?? 200;
  }

  async getOrderStatus(orderId: string): Promise<Order | null> {
    const url = `${this.options.baseUrl}/orders/${encodeURIComponent(orderId)}`;
    return this.withRetries(
      { orderId },
      () => this.fetchOnce(url, orderId),
      (order) => (order ? 'found' : 'not_found'),
    );
  }

  /**
   * POST /orders/{id}/verify with `{"email"}` or `{"postcode"}` (normalised): the order system
   * compares and answers `{"match": true|false}`, so the bot never sees the stored value. 404
   * (unknown order) is a no-match, like a wrong answer.
   */
  async verifyOrder(orderId: string, answer: string): Promise<boolean> {
    const url = `${this.options.baseUrl}/orders/${encodeURIComponent(orderId)}/verify`;
    const given = normaliseAnswer(answer);
    return this.withRetries(
      { orderId },
      async () => {
        const body = await this.postOnce(url, { [given.kind]: given.value });
        if (body === NOT_FOUND) return false;
        const match = (body as { match?: unknown }).match;
        if (typeof match !== 'boolean')
          throw new OrderBackendError('ORDER_BACKEND_BAD_RESPONSE', 'Order backend answered the verify call without a boolean "match"');
        return match;
      },
      () => 'found',
    );
  }

  /** POST /customers/orders with the verified identity: that customer's orders only. */
  async ordersForCustomer(customer: VerifiedIdentity): Promise<Order[]> {
    const url = `${this.options.baseUrl}/customers/orders`;
    return this.withRetries(
      {},
      async () => {
        const body = await this.postOnce(url, { provider: customer.provider, id: customer.id, ...(customer.email ? { email: customer.email } : {}) });
        if (body === NOT_FOUND) return [];
        const list = (body as { orders?: unknown }).orders;
        if (!Array.isArray(list))
          throw new OrderBackendError('ORDER_BACKEND_BAD_RESPONSE', 'Order backend answered the customer lookup without an "orders" array');
        return list.map((item) => {
          const order = parseOrder(item);
          if (typeof order === 'string') throw new OrderBackendError('ORDER_BACKEND_BAD_RESPONSE', `Order backend answered with a malformed order: ${order}`);
          return order;
        });
      },
      () => 'found',
    );
  }

  private async withRetries<T>(logFields: Record<string, string>, once: () => Promise<T>, outcome: (value: T) => OrderBackendOutcome): Promise<T> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      if (attempt > 0) await delay(Math.random() * this.backoffMs * 2 ** (attempt - 1));
      const started = process.hrtime.bigint();
      try {
        const value = await once();
        this.options.metrics?.orderBackend(secondsSince(started), outcome(value));
        return value;
      } catch (err) {
        this.options.metrics?.orderBackend(secondsSince(started), attemptOutcome(err));
        if (!(err instanceof RetryableError)) throw err;
        lastError = err;
        this.options.logger.warn({ ...logFields, attempt: attempt + 1, err: err.message }, 'order backend attempt failed');
      }
    }
    throw new OrderBackendError(
      'ORDER_BACKEND_UNAVAILABLE',
      `Order backend did not answer after ${this.options.retries + 1} attempts: ${(lastError as Error).message}`,
      { cause: lastError },
    );
  }

  /** One POST with a JSON body; resolves the JSON answer, or NOT_FOUND on 404. */
  private postOnce(url: string, payload: unknown): Promise<unknown> {
    return this.requestOnce(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  }

  /**
   * One request with the API key and the timeout: the JSON answer, NOT_FOUND on 404, a RetryableError
   * for timeouts, network errors, 429 and 5xx, an OrderBackendError for anything else.
   */
  private async requestOnce(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    let response: Response;
    try {
      response = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (err) {
      const reason = (err as Error).name === 'TimeoutError' ? `timed out after ${this.options.timeoutMs} ms` : (err as Error).message;
      throw new RetryableError(reason);
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return NOT_FOUND;
    }
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel();
      throw new RetryableError(`HTTP ${response.status}`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new OrderBackendError('ORDER_BACKEND_UNAVAILABLE', `Order backend refused the request: HTTP ${response.status}`);
    }
    try {
      return await response.json();
    } catch (err) {
      throw new OrderBackendError('ORDER_BACKEND_BAD_RESPONSE', 'Order backend answered with invalid JSON', { cause: err });
    }
  }

  private async fetchOnce(url: string, orderId: string): Promise<Order | null> {
    const body = await this.requestOnce(url);
    if (body === NOT_FOUND) return null;
    const order = parseOrder(body);
    if (typeof order === 'string') {
      throw new OrderBackendError('ORDER_BACKEND_BAD_RESPONSE', `Order backend answered with a malformed order: ${order}`);
    }
    if (order.id.toUpperCase() !== orderId.toUpperCase()) {
      throw new OrderBackendError('ORDER_BACKEND_BAD_RESPONSE', `Order backend answered for order ${order.id}, not ${orderId}`);
    }
    return order;
  }
}

/** How a failed attempt failed, for the order backend error metric. */
function attemptOutcome(err: unknown): OrderBackendOutcome {
  if (err instanceof OrderBackendError) return err.code === 'ORDER_BACKEND_BAD_RESPONSE' ? 'bad_response' : 'http_error';
  const message = err instanceof Error ? err.message : '';
  if (message.startsWith('timed out')) return 'timeout';
  if (message.startsWith('HTTP ')) return 'http_error';
  return 'network_error';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
