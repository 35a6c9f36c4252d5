import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BackendSpec } from './format';

/** A local stand-in for the orders API (docs/orders-api.openapi.yaml) on a free loopback port. */
export interface StubBackend {
  /** Settings that point the bot at it. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts what `backend` asks for. `sample` needs no server (undefined); the others are real HTTP
 * servers on 127.0.0.1 so the bot's real HTTP client, retries and circuit breaker are exercised.
 */
export async function startBackend(backend: BackendSpec): Promise<StubBackend | undefined> {
  if (backend === 'sample') return undefined;
  const orders = typeof backend === 'object' ? new Map(backend.orders.map((o) => [String(o.id).toUpperCase(), o])) : undefined;
  // Separate writeHead and end calls: restify patches ServerResponse, and its writeHead returns nothing.
  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    if (backend === 'unreachable') {
      req.socket.destroy();
      return;
    }
    if (backend === 'down' || !orders) {
      reply(res, 500, { error: 'down' });
      return;
    }
    const id = decodeURIComponent(/^\/orders\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '').toUpperCase();
    const order = orders.get(id);
    if (order) reply(res, 200, order);
    else reply(res, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    // No retries and a short timeout: the "unavailable" answer comes at once and deterministically.
    env: { ORDERS_API_URL: `http://127.0.0.1:${port}`, ORDERS_API_RETRIES: '0', ORDERS_API_TIMEOUT_MS: '2000' },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
