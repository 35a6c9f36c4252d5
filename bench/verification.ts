import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createApp, type BotApp } from '../src/app';
import { loadConfig } from '../src/config/config';
import { FileOrderService } from '../src/orders/FileOrderService';
import { fromRoot } from '../src/paths';
import { arg } from './lib/args';
import { sendTurn, summarize, type LatencySummary } from './lib/driver';

/**
 * What the order check costs: the same order lookups, side by side in one run, on a bot with
 * ORDER_VERIFICATION=knowledge and on one with ORDER_VERIFICATION=none (same process, same
 * recognizer, memory state), alternating lookup by lookup so drift and GC hit both alike.
 *
 * A lookup is timed from the customer's "yes" at the confirmation to the status reply: one turn
 * without the check; with it, the question turn plus the answer turn (which adds a verify call to
 * the order backend). The customer's own typing time is of course not included. Run against the
 * sample file backend and against a loopback HTTP orders API (the real contract, one more round
 * trip per check).
 *
 *   npm run bench:verification -- [--lookups 300] [--warmup 30]
 */

const LOOKUPS = Number(arg('lookups', '300'));
const WARMUP = Number(arg('warmup', '30'));
const ORDER = '12345';
const ANSWER = 'alex.morgan@example.com';

/** The sample orders behind the HTTP contract (GET /orders/{id}, POST /orders/{id}/verify). */
async function ordersApi(): Promise<{ url: string; close: () => Promise<void> }> {
  const orders = FileOrderService.fromFile(fromRoot('data/orders.json'));
  const server = http.createServer((req, res) => {
    const parts = (req.url ?? '').split('/');
    const id = decodeURIComponent(parts[2] ?? '');
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && parts[3] === 'verify') {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      req.on('end', () => {
        const body = JSON.parse(raw) as { email?: string; postcode?: string };
        void orders.verifyOrder(id, body.email ?? body.postcode ?? '').then((match) => send(200, { match }));
      });
      return;
    }
    void orders.getOrderStatus(id).then((order) => (order ? send(200, order) : send(404, {})));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function startBot(policy: 'knowledge' | 'none', ordersUrl?: string): Promise<{ app: BotApp; url: string }> {
  const app = await createApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      ORDER_VERIFICATION: policy,
      RATE_LIMIT_USER_PER_MINUTE: '0',
      RATE_LIMIT_CONVERSATION_PER_MINUTE: '0',
      ...(ordersUrl ? { ORDERS_API_URL: ordersUrl } : {}),
    }),
    { logger: pino({ level: 'silent' }) },
  );
  return { app, url: (await app.listen()).url };
}

let conversation = 0;

/** One lookup; resolves with the ms from "yes" to the status. */
async function lookup(url: string, withCheck: boolean): Promise<number> {
  const id = `bench-verify-${process.pid}-${++conversation}`;
  const user = `u-${id}`;
  await sendTurn(url, id, user, `where is my order ${ORDER}`);
  const t0 = performance.now();
  let reply = await sendTurn(url, id, user, 'yes');
  if (withCheck) reply = await sendTurn(url, id, user, ANSWER);
  const ms = performance.now() - t0;
  if (!reply.texts.some((t) => t.startsWith(`Order ${ORDER} is`))) throw new Error(`no status: ${JSON.stringify(reply.texts)}`);
  return ms;
}

async function compare(label: string, ordersUrl?: string): Promise<void> {
  const checked = await startBot('knowledge', ordersUrl);
  const open = await startBot('none', ordersUrl);
  const withCheck: number[] = [];
  const without: number[] = [];
  try {
    for (let i = 0; i < WARMUP + LOOKUPS; i++) {
      const a = await lookup(checked.url, true);
      const b = await lookup(open.url, false);
      if (i >= WARMUP) {
        withCheck.push(a);
        without.push(b);
      }
    }
  } finally {
    await checked.app.close();
    await open.app.close();
  }
  const row = (name: string, s: LatencySummary, base: LatencySummary): string =>
    `  ${name.padEnd(34)} ${s.p50.toFixed(2).padStart(9)} ${s.p99.toFixed(2).padStart(8)} ${s.mean.toFixed(2).padStart(8)} ${(s.p50 / base.p50).toFixed(2).padStart(8)}x`;
  const base = summarize(without);
  console.log(`\n${label}: ${LOOKUPS} lookups each (after ${WARMUP} warm-up), "yes" -> status`);
  console.log(`  ${'policy'.padEnd(34)} ${'median ms'.padStart(9)} ${'p99 ms'.padStart(8)} ${'mean ms'.padStart(8)} ${'ratio'.padStart(9)}`);
  console.log(row('none (1 turn)', base, base));
  console.log(row('knowledge (2 turns + verify call)', summarize(withCheck), base));
}

/** The comparison itself, in the sample backend: hashing both sides and timingSafeEqual. */
async function comparisonCost(): Promise<void> {
  const orders = FileOrderService.fromFile(fromRoot('data/orders.json'));
  const n = 50_000;
  for (let i = 0; i < 5_000; i++) await orders.verifyOrder(ORDER, ANSWER);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await orders.verifyOrder(ORDER, i % 2 ? ANSWER : 'wrong@example.com');
  const verifyUs = ((performance.now() - t0) * 1000) / n;
  const t1 = performance.now();
  for (let i = 0; i < n; i++) await orders.getOrderStatus(ORDER);
  const getUs = ((performance.now() - t1) * 1000) / n;
  console.log(
    `\nSample backend: verifyOrder ${verifyUs.toFixed(2)} µs per call (normalise, 2 x SHA-256, timingSafeEqual), getOrderStatus ${getUs.toFixed(2)} µs`,
  );
}

async function main(): Promise<void> {
  console.log(`Order verification cost (node ${process.version}, ${new Date().toISOString()})`);
  await compare('Sample file backend');
  const api = await ordersApi();
  try {
    await compare('Loopback HTTP orders API (GET /orders/{id}, POST /orders/{id}/verify)', api.url);
  } finally {
    await api.close();
  }
  await comparisonCost();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
