import { Worker } from 'node:worker_threads';
import pino from 'pino';
import type restify from 'restify';
import { createApp, type BotApp } from '../src/app';
import { loadConfig } from '../src/config/config';
import { startSlackApiStub, type SlackApiStub } from '../test/support/slackApiStub';
import { dm, SIGNING_SECRET, SlackSender, type SignedRequest } from '../test/channels/slack/support/slackTraffic';
import { fmt, summarize } from './lib/driver';
import { arg } from './lib/args';
import { BENCH_BOT_ENV } from './lib/benchEnv';

/**
 * `npm run bench:slack`: the Slack bridge's two promises, measured on the real server (createApp,
 * real recognizer and dialogs, HTTP mode) against the local Web API stand-in.
 *
 * 1. Ack time under a burst: 200 signed `message.im` events (200 different DMs, so per-channel
 *    pacing does not apply) are posted at once from a worker thread, so the client's clock runs
 *    on its own event loop as Slack's would. Reported: the round trip Slack sees (send to ack),
 *    and server-side, restify receiving the request to the response being written (a `pre`
 *    hook). Baseline in the same run: the same burst against GET /healthz, which does no work.
 *    Also reported: the time until each reply reached the stand-in (the turn after the ack).
 * 2. Exactly once: 50 events, each delivered 4 times (the original and 3 retries with
 *    X-Slack-Retry-Num), all concurrently; the stand-in counts chat.postMessage calls (must be 50).
 *
 *   npm run bench:slack -- [--burst 200] [--events 50] [--deliveries 4]
 */

const BURST = Number(arg('burst', '200'));
const EVENTS = Number(arg('events', '50'));
const DELIVERIES = Number(arg('deliveries', '4'));

/** Records, per request path, the server-side time from arrival to the response being written. */
function timeResponses(server: restify.Server): Map<string, number[]> {
  const byPath = new Map<string, number[]>();
  server.pre((req: restify.Request, res: restify.Response, next: restify.Next) => {
    const arrived = process.hrtime.bigint();
    const path = (req.url ?? '').split('?')[0] ?? '';
    res.once('finish', () => {
      const samples = byPath.get(path) ?? [];
      samples.push(Number(process.hrtime.bigint() - arrived) / 1e6);
      byPath.set(path, samples);
    });
    next();
  });
  return byPath;
}

/** Fires every request at once from a worker thread; resolves the round trips and the start time. */
const BURST_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const startedAt = Date.now();
  const results = await Promise.all(workerData.map(async (r) => {
    const t = process.hrtime.bigint();
    const response = await fetch(r.url, { method: r.method, headers: r.headers, body: r.body });
    await response.text();
    return { status: response.status, ms: Number(process.hrtime.bigint() - t) / 1e6, channel: r.channel };
  }));
  parentPort.postMessage({ startedAt, results });
})();
`;

interface BurstRequest extends Partial<SignedRequest> {
  url: string;
  method: 'GET' | 'POST';
  channel?: string;
}

interface BurstResult {
  startedAt: number;
  results: Array<{ status: number; ms: number; channel?: string }>;
}

function burstFromWorker(requests: BurstRequest[]): Promise<BurstResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(BURST_WORKER, { eval: true, workerData: requests });
    worker.once('message', (result: BurstResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

async function start(stub: SlackApiStub): Promise<{ app: BotApp; url: string; serverSide: Map<string, number[]> }> {
  const config = loadConfig({
    ...BENCH_BOT_ENV,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: stub.url,
  });
  const app = await createApp(config, { logger: pino({ level: 'silent' }) });
  const serverSide = timeResponses(app.server);
  const { url } = await app.listen();
  return { app, url, serverSide };
}

function line(label: string, samples: number[]): string {
  const s = summarize(samples);
  return `${label.padEnd(44)} n=${String(s.count).padStart(4)}  median ${fmt(s.p50, 2).padStart(8)} ms   p99 ${fmt(s.p99, 2).padStart(8)} ms`;
}

async function main(): Promise<void> {
  const stub = await startSlackApiStub();
  const { app, url, serverSide } = await start(stub);
  const sender = new SlackSender(url);
  const bridge = app.slack;
  if (!bridge) throw new Error('Slack is not configured');

  // Warm-up: JIT, recognizer caches, connection pools.
  await Promise.all(Array.from({ length: 20 }, (_, i) => sender.event(dm(`U-warm-${i}`, `D-warm-${i}`, 'where is my order 12345'))));
  await bridge.idle();
  for (let i = 0; i < 200; i++) await fetch(`${url}/healthz`).then((r) => r.text());
  serverSide.clear();
  stub.reset();

  // 1. Baseline: the same burst against a route that does nothing.
  const health = await burstFromWorker(Array.from({ length: BURST }, () => ({ url: `${url}/healthz`, method: 'GET' as const })));
  const healthClient = health.results.map((r) => r.ms);
  const healthServer = [...(serverSide.get('/healthz') ?? [])];

  // 1. The burst of signed events.
  const burst = Array.from({ length: BURST }, (_, i) => dm(`U-burst-${i}`, `D-burst-${i}`, 'where is my order 12345'));
  const requests = burst.map((event) => ({ ...sender.signedEvent(event), method: 'POST' as const }));
  const fired = await burstFromWorker(requests);
  const acks = fired.results;
  const ackedAllAt = fired.startedAt + Math.max(...acks.map((a) => a.ms));
  await bridge.idle();
  const repliedAllAt = Date.now();
  const replies = stub.succeeded('chat.postMessage');
  const replyLatency = replies.map((c) => c.at - fired.startedAt);
  const eventServer = [...(serverSide.get('/api/slack/events') ?? [])];
  const statuses = new Set(acks.map((a) => a.status));
  const burstStarted = fired.startedAt;

  // 2. Exactly once under retries and duplicates.
  stub.reset();
  const events = Array.from({ length: EVENTS }, (_, i) => dm(`U-dup-${i}`, `D-dup-${i}`, 'where is my order 12345'));
  const deliveries = events.flatMap((event) => Array.from({ length: DELIVERIES }, (_, attempt) => ({ event, attempt })));
  const duplicateAcks = await Promise.all(deliveries.map(({ event, attempt }) => sender.event(event, attempt === 0 ? {} : { retryNum: attempt })));
  await bridge.idle();
  const posted = stub.succeeded('chat.postMessage').length;

  const median = (xs: number[]): number => summarize(xs).p50;
  console.log(`\nSlack bridge benchmark (node ${process.version}, ${new Date().toISOString()})\n`);
  console.log(`1. Burst of ${BURST} signed events, all sent at once (HTTP mode, real bot)`);
  console.log(
    `   ${line(
      'event -> ack, round trip as Slack sees it',
      acks.map((a) => a.ms),
    )}`,
  );
  console.log(`   ${line('event -> ack, server side (restify pre hook)', eventServer)}`);
  console.log(`   ${line('baseline: GET /healthz, round trip', healthClient)}`);
  console.log(`   ${line('baseline: GET /healthz, server side', healthServer)}`);
  console.log(`   ${line('burst start -> reply posted (turn after ack)', replyLatency)}`);
  console.log(
    `   ack statuses: ${[...statuses].join(', ')}; all ${BURST} acked after ${fmt(ackedAllAt - burstStarted, 0)} ms, all ${replies.length} replies posted after ${repliedAllAt - burstStarted} ms`,
  );
  console.log(
    `   ratios (medians): ack round trip / healthz round trip ${fmt(median(acks.map((a) => a.ms)) / median(healthClient), 1)}x; reply / ack ${fmt(median(replyLatency) / median(acks.map((a) => a.ms)), 1)}x`,
  );
  console.log(`\n2. ${EVENTS} events x ${DELIVERIES} deliveries (retries carry X-Slack-Retry-Num), all concurrent`);
  console.log(`   acks: ${duplicateAcks.filter((a) => a.status === 200).length}/${deliveries.length} HTTP 200`);
  console.log(`   chat.postMessage calls: ${posted} (expected ${EVENTS}) -> ${posted === EVENTS ? 'OK' : 'FAIL'}\n`);

  await app.close();
  await stub.stop();
  if (posted !== EVENTS || statuses.size !== 1 || !statuses.has(200)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
