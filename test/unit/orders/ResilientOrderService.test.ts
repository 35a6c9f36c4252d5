import { strict as assert } from 'node:assert';
import type { Order, OrderService } from '../../../dialogs/ports';
import { OrderBackendError } from '../../../src/errors';
import { Bulkhead, BulkheadFullError } from '../../../src/orders/Bulkhead';
import { ResilientOrderService } from '../../../src/orders/ResilientOrderService';
import { silentLogger } from '../../support/testBot';
import { type Gate, gate, waitFor } from '../../support/waitFor';

const ORDER: Order = { id: '12345', status: 'shipped' };

/** A controllable backend: fails while `failing`, counts calls, can hold calls open. */
class ScriptedBackend implements OrderService {
  calls = 0;
  failing = false;
  inFlight = 0;
  maxInFlight = 0;
  /** While set, calls wait for it to open (held in flight). */
  hold: Gate | undefined;
  async getOrderStatus(orderId: string): Promise<Order | null> {
    this.calls += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.hold) await this.hold.promise;
      if (this.failing) throw new OrderBackendError('ORDER_BACKEND_UNAVAILABLE', 'HTTP 503');
      return orderId === ORDER.id ? ORDER : null;
    } finally {
      this.inFlight -= 1;
    }
  }
}

function resilient(backend: OrderService, overrides: Partial<ConstructorParameters<typeof ResilientOrderService>[1]> = {}): ResilientOrderService {
  return new ResilientOrderService(backend, {
    maxConcurrency: 2,
    maxQueue: 2,
    errorThresholdPercentage: 50,
    volumeThreshold: 4,
    resetTimeoutMs: 200,
    logger: silentLogger,
    ...overrides,
  });
}

describe('Bulkhead', () => {
  it('should run at most `limit` tasks at once, in FIFO order, and shed load past the queue', async () => {
    const bulkhead = new Bulkhead(2, 1);
    const started: number[] = [];
    const release: Array<() => void> = [];
    const task = (n: number) => () =>
      new Promise<number>((resolve) => {
        started.push(n);
        release.push(() => resolve(n));
      });
    const p1 = bulkhead.run(task(1));
    const p2 = bulkhead.run(task(2));
    const p3 = bulkhead.run(task(3));
    await assert.rejects(bulkhead.run(task(4)), BulkheadFullError);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [1, 2]);
    release[0]?.();
    assert.equal(await p1, 1);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [1, 2, 3]);
    release[1]?.();
    release[2]?.();
    assert.deepEqual(await Promise.all([p2, p3]), [2, 3]);
    assert.deepEqual(bulkhead.stats, { running: 0, waiting: 0 });
  });
});

describe('ResilientOrderService', () => {
  it('should pass answers through, including "not found"', async () => {
    const service = resilient(new ScriptedBackend());
    assert.deepEqual(await service.getOrderStatus('12345'), ORDER);
    assert.equal(await service.getOrderStatus('99999'), null);
    service.shutdown();
  });

  it('should open the circuit after repeated failures, stop calling the backend, and close after recovery', async () => {
    const backend = new ScriptedBackend();
    const service = resilient(backend);
    backend.failing = true;
    for (let i = 0; i < 4; i++) await assert.rejects(service.getOrderStatus('12345'), OrderBackendError);
    assert.equal(service.circuitState, 'open');
    const callsWhenOpened = backend.calls;
    await assert.rejects(service.getOrderStatus('12345'), (err: unknown) => err instanceof OrderBackendError && /circuit is open/.test(err.message));
    assert.equal(backend.calls, callsWhenOpened, 'an open circuit must not call the backend');
    backend.failing = false;
    // resetTimeoutMs (200 ms) later the circuit lets a trial call through.
    await waitFor(() => service.circuitState === 'half-open', { what: 'the circuit half-opens after resetTimeoutMs' });
    assert.deepEqual(await service.getOrderStatus('12345'), ORDER);
    assert.equal(service.circuitState, 'closed');
    service.shutdown();
  });

  it('should bound concurrent backend calls and reject excess calls as unavailable', async () => {
    const backend = new ScriptedBackend();
    backend.hold = gate();
    const service = resilient(backend, { maxConcurrency: 2, maxQueue: 2, volumeThreshold: 1000 });
    const settled = Promise.allSettled(Array.from({ length: 6 }, () => service.getOrderStatus('12345')));
    await waitFor(() => backend.inFlight === 2, { what: 'two calls held in flight' });
    backend.hold.open();
    const results = await settled;
    assert.equal(backend.maxInFlight, 2);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 4);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(rejected.length, 2);
    assert.ok(rejected.every((r) => r.reason instanceof OrderBackendError && r.reason.code === 'ORDER_BACKEND_UNAVAILABLE'));
    assert.equal(service.circuitState, 'closed', 'shedding load must not open the circuit');
    service.shutdown();
  });
});
