import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { FileOrderService } from '../../src/orders/FileOrderService';
import { HttpOrderService } from '../../src/orders/HttpOrderService';
import { ResilientOrderService } from '../../src/orders/ResilientOrderService';
import { OrderBackendError } from '../../src/errors';
import { fromRoot } from '../../src/paths';
import { normaliseAnswer, sameAnswer } from '../../src/verification/answers';
import { sendJson, startHttpStub, type HttpStub } from '../support/httpStub';
import { silentLogger } from '../support/testBot';
import YAML from 'yaml';

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

describe('order backends: the knowledge check and customer lookups', () => {
  describe('answers', () => {
    it('should normalise e-mail addresses and postcodes before comparing', () => {
      assert.deepEqual(normaliseAnswer('  Alex.Morgan@Example.COM '), { kind: 'email', value: 'alex.morgan@example.com' });
      assert.deepEqual(normaliseAnswer('sw1a 1aa'), { kind: 'postcode', value: 'SW1A1AA' });
      assert.deepEqual(normaliseAnswer('１０１１５'), { kind: 'postcode', value: '10115' }, 'full-width digits (NFKC)');
      assert.equal(sameAnswer('SW1A1AA', 'SW1A1AA'), true);
      assert.equal(sameAnswer('SW1A1AA', 'SW1A1AB'), false);
      assert.equal(sameAnswer('short', 'a much longer stored value'), false);
    });
  });

  describe('FileOrderService', () => {
    const service = FileOrderService.fromFile(fromRoot('data/orders.json'));

    it('should carry an e-mail and a postcode on every sample order', () => {
      const raw = JSON.parse(readFileSync(fromRoot('data/orders.json'), 'utf8')) as { email?: string; postcode?: string }[];
      assert.ok(raw.every((o) => o.email && o.postcode));
      assert.ok(
        raw.every((o) => /@example\.(com|org|net)$/.test(o.email ?? '')),
        'fictional addresses only',
      );
    });

    it('should verify the e-mail or postcode of that order only', async () => {
      assert.equal(await service.verifyOrder('12345', 'ALEX.MORGAN@example.com'), true);
      assert.equal(await service.verifyOrder('12345', 'sw1a1aa'), true);
      assert.equal(await service.verifyOrder('abc123', 'sam.lee@example.org'), true);
      assert.equal(await service.verifyOrder('12345', 'sam.lee@example.org'), false);
      assert.equal(await service.verifyOrder('11111', 'alex.morgan@example.com'), false, 'unknown order');
      assert.equal(await service.verifyOrder('12345', ''), false);
    });

    it('should not return the stored values in the order', async () => {
      const order = await service.getOrderStatus('12345');
      assert.deepEqual(Object.keys(order ?? {}).sort(), ['carrier', 'eta', 'id', 'status', 'trackingUrl']);
    });

    it("should list a verified identity's orders only", async () => {
      const ids = async (provider: 'teams' | 'slack' | 'webchat', id: string) => (await service.ordersForCustomer({ provider, id })).map((o) => o.id);
      assert.deepEqual(await ids('teams', '8B1E7D3C-0F4A-4C2E-9D6B-1A2B3C4D5E6F'), ['12345', '98765']);
      assert.deepEqual(await ids('webchat', 'sam.lee'), ['ABC123', '55555']);
      assert.deepEqual(await ids('webchat', 'nobody'), []);
    });
  });

  describe('HttpOrderService (real local HTTP server)', () => {
    let stub: HttpStub | undefined;
    afterEach(async () => {
      await stub?.close();
      stub = undefined;
    });
    const received: unknown[] = [];
    async function service(handler: Parameters<typeof startHttpStub>[0]): Promise<HttpOrderService> {
      stub = await startHttpStub(handler);
      return new HttpOrderService({ baseUrl: stub.url, apiKey: 'k3y', timeoutMs: 500, retries: 2, backoffMs: 5, logger: silentLogger });
    }

    it('should POST the normalised answer to /orders/{id}/verify and read "match"', async () => {
      const http = await service(async (req, res) => {
        const body = (await bodyOf(req)) as { email?: string; postcode?: string };
        received.push(body);
        sendJson(res, 200, { match: body.email === 'alex.morgan@example.com' });
      });
      assert.equal(await http.verifyOrder('12 345', ' Alex.Morgan@Example.com'), true);
      assert.equal(await http.verifyOrder('12345', 'sw1a 1aa'), false);
      assert.deepEqual(
        stub?.requests.map((r) => `${r.method} ${r.url} ${r.headers.authorization}`),
        ['POST /orders/12%20345/verify Bearer k3y', 'POST /orders/12345/verify Bearer k3y'],
      );
      assert.deepEqual(received.slice(-2), [{ email: 'alex.morgan@example.com' }, { postcode: 'SW1A1AA' }]);
    });

    it('should treat 404 from verify as no match, retry 5xx and reject a missing "match"', async () => {
      let calls = 0;
      const http = await service((req, res) => {
        calls += 1;
        if (req.url?.startsWith('/orders/NOPE')) return sendJson(res, 404, {});
        if (req.url?.startsWith('/orders/FLAKY') && calls % 2 === 1) return sendJson(res, 503, {});
        if (req.url?.startsWith('/orders/FLAKY')) return sendJson(res, 200, { match: true });
        sendJson(res, 200, { ok: true });
      });
      assert.equal(await http.verifyOrder('NOPE', 'x@example.com'), false);
      assert.equal(await http.verifyOrder('FLAKY', 'x@example.com'), true);
      await assert.rejects(
        http.verifyOrder('ODD', 'x@example.com'),
        (err: unknown) => err instanceof OrderBackendError && err.code === 'ORDER_BACKEND_BAD_RESPONSE',
      );
    });

    it('should POST the identity to /customers/orders and validate the orders', async () => {
      const http = await service(async (req, res) => {
        const body = (await bodyOf(req)) as { provider: string; id: string };
        received.push(body);
        sendJson(res, 200, { orders: body.id === 'alex' ? [{ id: '12345', status: 'in_transit' }] : [] });
      });
      assert.deepEqual(
        (await http.ordersForCustomer({ provider: 'webchat', id: 'alex' })).map((o) => o.id),
        ['12345'],
      );
      assert.deepEqual(await http.ordersForCustomer({ provider: 'slack', id: 'T1:U1', email: 'a@example.com' }), []);
      assert.deepEqual(received.at(-1), { provider: 'slack', id: 'T1:U1', email: 'a@example.com' });
    });

    it('should keep the verify calls behind the circuit breaker and bulkhead', async () => {
      const http = await service((_req, res) => sendJson(res, 200, { match: true }));
      const resilient = new ResilientOrderService(http, {
        maxConcurrency: 1,
        maxQueue: 0,
        errorThresholdPercentage: 50,
        volumeThreshold: 5,
        resetTimeoutMs: 1000,
        logger: silentLogger,
      });
      try {
        const results = await Promise.allSettled([resilient.verifyOrder('12345', 'a@example.com'), resilient.verifyOrder('12345', 'a@example.com')]);
        assert.equal(results[0].status, 'fulfilled');
        assert.equal(results[1].status, 'rejected', 'the second call is shed by the full bulkhead');
      } finally {
        resilient.shutdown();
      }
    });
  });

  it('should describe the verify and customer endpoints in the orders API contract', () => {
    const spec = YAML.parse(readFileSync(fromRoot('docs/orders-api.openapi.yaml'), 'utf8')) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    assert.ok(spec.paths['/orders/{orderId}/verify']?.post?.responses['200']);
    assert.ok(spec.paths['/customers/orders']?.post?.responses['200']);
  });
});
