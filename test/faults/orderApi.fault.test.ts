import { strict as assert } from 'node:assert';
import type http from 'node:http';
import { Messages } from '../../dialogs/messages';
import { createApp, type BotApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { BotClient } from '../support/botClient';
import { sendJson, startHttpStub, type HttpStub } from '../support/httpStub';
import { silentLogger } from '../support/testBot';

type Mode = 'ok' | 'slow' | '500' | 'garbage' | 'wrong-shape' | 'reset';

/**
 * The bot on a real orders API stand-in whose behaviour each test switches: slow, failing,
 * answering garbage or dropping connections. In every case the customer must get exactly one
 * true answer, and the conversation must work again once the API recovers.
 */
describe('fault injection: the orders API misbehaves', function () {
  this.timeout(60_000);
  let mode: Mode = 'ok';
  let stub: HttpStub;
  let app: BotApp;
  let url: string;

  const slowResponses: http.ServerResponse[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const id = decodeURIComponent((req.url ?? '').split('/')[2] ?? '');
    switch (mode) {
      case 'ok':
        // The order check first (POST /orders/{id}/verify), then the lookup.
        if (req.method === 'POST') {
          sendJson(res, 200, { match: true });
          return;
        }
        sendJson(res, 200, { id, status: 'in_transit', eta: '2026-11-27', carrier: 'UPS', trackingUrl: null });
        return;
      case 'slow':
        // Never answered in time (ORDERS_API_TIMEOUT_MS is 200 ms): held until the suite ends.
        slowResponses.push(res);
        return;
      case '500':
        sendJson(res, 500, { error: 'boom' });
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('<html>oops</html>');
      case 'wrong-shape':
        sendJson(res, 200, { id, status: 'teleported' });
        return;
      case 'reset':
        return void req.socket.destroy();
    }
  };

  before(async () => {
    stub = await startHttpStub(handler);
    app = await createApp(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        NODE_ENV: 'test',
        ORDERS_API_URL: stub.url,
        ORDERS_API_TIMEOUT_MS: '200',
        ORDERS_API_RETRIES: '1',
        ORDERS_API_BREAKER_MIN_CALLS: '1000', // the breaker has its own tests; here every call must reach the stub
      }),
      { logger: silentLogger },
    );
    url = (await app.listen()).url;
  });
  after(async () => {
    await app.close();
    for (const res of slowResponses.splice(0)) res.destroy();
    await stub.close();
  });
  afterEach(() => {
    mode = 'ok';
  });

  async function askAbout(client: BotClient, id: string): Promise<string[]> {
    const confirm = await client.say(`where is my order ${id}`);
    assert.equal(confirm[0]?.text, `You asked about order ${id}. Is that correct?`);
    assert.deepEqual(
      (await client.say('yes')).map((r) => r.text),
      [Messages.askVerification],
    );
    return (await client.say('customer@example.com')).map((r) => r.text ?? '');
  }

  for (const broken of ['slow', '500', 'garbage', 'wrong-shape', 'reset'] as const) {
    it(`should answer once and truthfully when the API is ${broken}, then work again after recovery`, async () => {
      const client = new BotClient(url);
      mode = broken;
      const before = stub.requests.length;
      const replies = await askAbout(client, 'A1B2C3');
      assert.deepEqual(replies, [Messages.backendUnavailable]);
      const calls = stub.requests.length - before;
      assert.ok(calls >= 1 && calls <= 2, `expected the first try plus at most one retry, saw ${calls} calls`);

      mode = 'ok';
      const recovered = await askAbout(client, 'A1B2C3');
      assert.match(recovered[0] ?? '', /^Order A1B2C3 is in transit/);
    });
  }

  it('should never send an unvalidated order ID to the API', async () => {
    const client = new BotClient(url);
    const before = stub.requests.length;
    await client.say('where is my order');
    const replies = await client.say("1' OR '1'='1; DROP TABLE orders");
    assert.match(replies[0]?.text ?? '', /doesn't look like an order ID/);
    await client.say('../../admin');
    assert.equal(stub.requests.length, before, 'nothing reached the backend');
  });
});
