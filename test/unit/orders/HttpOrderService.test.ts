import { strict as assert } from 'node:assert';
import { OrderBackendError } from '../../../src/errors';
import { HttpOrderService } from '../../../src/orders/HttpOrderService';
import { sendJson, startHttpStub, type HttpStub, type StubHandler } from '../../support/httpStub';
import { silentLogger } from '../../support/testBot';

const ORDER = { id: 'ABC123', status: 'shipped', eta: '2026-11-28', carrier: 'FedEx', trackingUrl: 'https://fedex.example/1' };

describe('HttpOrderService (against a real local HTTP server)', () => {
  let stub: HttpStub | undefined;
  afterEach(async () => {
    await stub?.close();
    stub = undefined;
  });

  async function serviceFor(handler: StubHandler, options: { retries?: number; timeoutMs?: number; apiKey?: string } = {}) {
    stub = await startHttpStub(handler);
    return new HttpOrderService({
      baseUrl: stub.url,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs ?? 500,
      retries: options.retries ?? 2,
      backoffMs: 5,
      logger: silentLogger,
    });
  }

  it('should return the order and send the bearer token', async () => {
    const service = await serviceFor((_req, res) => sendJson(res, 200, ORDER), { apiKey: 'k3y' });
    const order = await service.getOrderStatus('ABC123');
    assert.deepEqual(order, ORDER);
    assert.equal(stub?.requests[0]?.url, '/orders/ABC123');
    assert.equal(stub?.requests[0]?.headers.authorization, 'Bearer k3y');
  });

  it('should URL-encode the ID so it cannot change the path', async () => {
    const service = await serviceFor((_req, res) => sendJson(res, 404, {}));
    await service.getOrderStatus('../admin?x=1#');
    assert.equal(stub?.requests[0]?.url, '/orders/..%2Fadmin%3Fx%3D1%23');
  });

  it('should treat 404 as not found without retrying', async () => {
    const service = await serviceFor((_req, res) => sendJson(res, 404, { error: 'nope' }));
    assert.equal(await service.getOrderStatus('ABC123'), null);
    assert.equal(stub?.requests.length, 1);
  });

  it('should retry 5xx and succeed when the backend recovers', async () => {
    let calls = 0;
    const service = await serviceFor((_req, res) => (++calls < 3 ? sendJson(res, 503, {}) : sendJson(res, 200, ORDER)));
    assert.deepEqual(await service.getOrderStatus('ABC123'), ORDER);
    assert.equal(calls, 3);
  });

  it('should give up after the configured retries with ORDER_BACKEND_UNAVAILABLE', async () => {
    const service = await serviceFor((_req, res) => sendJson(res, 500, {}), { retries: 1 });
    await assert.rejects(service.getOrderStatus('ABC123'), (err: unknown) => err instanceof OrderBackendError && err.code === 'ORDER_BACKEND_UNAVAILABLE');
    assert.equal(stub?.requests.length, 2);
  });

  it('should time out a slow backend and retry', async () => {
    const service = await serviceFor(() => undefined, { retries: 1, timeoutMs: 100 });
    const started = Date.now();
    await assert.rejects(service.getOrderStatus('ABC123'), /timed out after 100 ms/);
    assert.equal(stub?.requests.length, 2);
    assert.ok(Date.now() - started < 2000);
  });

  it('should reject garbage and mismatched answers as ORDER_BACKEND_BAD_RESPONSE', async () => {
    const garbage = await serviceFor((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{not json');
    });
    await assert.rejects(garbage.getOrderStatus('ABC123'), (err: unknown) => err instanceof OrderBackendError && err.code === 'ORDER_BACKEND_BAD_RESPONSE');
    await stub?.close();
    const wrongOrder = await serviceFor((_req, res) => sendJson(res, 200, { ...ORDER, id: 'OTHER1' }));
    await assert.rejects(wrongOrder.getOrderStatus('ABC123'), /not ABC123/);
    await stub?.close();
    const badStatus = await serviceFor((_req, res) => sendJson(res, 200, { ...ORDER, status: 'teleported' }));
    await assert.rejects(badStatus.getOrderStatus('ABC123'), /"status" must be one of/);
  });

  it('should not retry a 401', async () => {
    const service = await serviceFor((_req, res) => sendJson(res, 401, {}));
    await assert.rejects(service.getOrderStatus('ABC123'), /HTTP 401/);
    assert.equal(stub?.requests.length, 1);
  });
});
