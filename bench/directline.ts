import pino from 'pino';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config/config';
import { DirectLineTestClient } from '../test/channels/directline/DirectLineTestClient';
import { summarize, type LatencySummary } from './lib/driver';
import { arg } from './lib/args';
import { BENCH_BOT_ENV } from './lib/benchEnv';

/**
 * `npm run bench:directline`: round trip of one turn on the self-hosted Direct Line (POST the
 * activity, receive the bot's reply over the WebSocket stream) against the same turn on
 * /api/messages with deliveryMode expectReplies (the HTTP response carries the replies), in the
 * same run on the same server (createApp: memory storage, real recognizer and dialogs).
 *
 * Turns come in triples, each in a fresh conversation: "where is my order 12345" (reply: the
 * confirmation), "yes" (reply: the order check's question), then the e-mail on the order (reply:
 * the order status, which on Direct Line also carries the Adaptive Card). Direct Line and HTTP pairs alternate, so drift and GC hit both alike. Setup
 * (token, start, WebSocket connect, greeting) is not timed. Client and server share one process
 * and turns run one at a time: this measures per-turn latency, not throughput.
 *
 *   npm run bench:directline -- [--turns 500] [--warmup 40]
 */

const TURNS = Number(arg('turns', '500'));
const WARMUP = Number(arg('warmup', '40'));
const TEXTS = ['where is my order 12345', 'yes', 'alex.morgan@example.com'] as const;
const EXPECTED = [/^You asked about order 12345/, /e-mail address or the postcode/, /^Order 12345 is in transit/] as const;

let sequence = 0;

/** One /api/messages turn with expectReplies; resolves with the ms until the replies arrived. */
async function httpTurn(baseUrl: string, conversationId: string, text: string, expected: RegExp): Promise<number> {
  const t0 = performance.now();
  const response = await fetch(`${baseUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      id: `h${++sequence}`,
      // The Emulator's channel id: /api/messages refuses "directline", which the self-hosted
      // endpoint owns when no credentials are set.
      channelId: 'emulator',
      serviceUrl: 'http://127.0.0.1:1',
      deliveryMode: 'expectReplies',
      from: { id: `u-${conversationId}`, name: 'bench', role: 'user' },
      recipient: { id: 'bot' },
      conversation: { id: conversationId },
      text,
    }),
  });
  const body = (await response.json()) as { activities?: { type: string; text?: string }[] };
  const ms = performance.now() - t0;
  if (!response.ok || !(body.activities ?? []).some((a) => a.type === 'message' && expected.test(a.text ?? ''))) {
    throw new Error(`/api/messages answered ${response.status} without the expected reply to "${text}": ${JSON.stringify(body).slice(0, 300)}`);
  }
  return ms;
}

/** One Direct Line turn; resolves with the ms until the reply arrived on the stream, and until the POST was answered. */
async function directLineTurn(client: DirectLineTestClient, text: string, expected: RegExp): Promise<{ reply: number; post: number }> {
  const from = client.received.length;
  const t0 = performance.now();
  const posting = client.post({ type: 'message', text, from: { id: client.userId } }).then((answer) => ({ answer, at: performance.now() }));
  const reply = await client.waitFor((a) => a.type === 'message' && a.from?.role === 'bot' && expected.test(a.text ?? ''), 10_000, from);
  const replyMs = performance.now() - t0;
  const { answer, at } = await posting;
  if (answer.status !== 200 || reply.replyToId !== answer.json.id) throw new Error(`Direct Line post answered ${answer.status}; reply to ${reply.replyToId}`);
  return { reply: replyMs, post: at - t0 };
}

async function main(): Promise<void> {
  const app = await createApp(
    loadConfig({
      ...process.env,
      ...BENCH_BOT_ENV,
      NODE_ENV: 'test',
      MONGODB_URI: '',
    }),
    { logger: pino({ level: 'silent' }) },
  );
  const { url } = await app.listen();
  const dlReply: number[] = [];
  const dlPost: number[] = [];
  const http: number[] = [];
  const pairs = Math.ceil(TURNS / TEXTS.length);
  const warmupPairs = Math.ceil(WARMUP / TEXTS.length);
  try {
    for (let pair = 0; pair < warmupPairs + pairs; pair++) {
      const timed = pair >= warmupPairs;
      const client = await DirectLineTestClient.start(url);
      await client.connect();
      await client.waitFor((a) => a.from?.role === 'bot');
      for (let i = 0; i < TEXTS.length; i++) {
        const dl = await directLineTurn(client, TEXTS[i] as string, EXPECTED[i] as RegExp);
        if (timed && dlReply.length < TURNS) {
          dlReply.push(dl.reply);
          dlPost.push(dl.post);
        }
      }
      client.close();
      const conversationId = `bench-http-${process.pid}-${pair}`;
      for (let i = 0; i < TEXTS.length; i++) {
        const ms = await httpTurn(url, conversationId, TEXTS[i] as string, EXPECTED[i] as RegExp);
        if (timed && http.length < TURNS) http.push(ms);
      }
    }
  } finally {
    await app.close();
  }

  const rows: [string, LatencySummary][] = [
    ['Direct Line: POST -> reply on WebSocket', summarize(dlReply)],
    ['Direct Line: POST -> POST answered (turn done)', summarize(dlPost)],
    ['/api/messages expectReplies (turn done)', summarize(http)],
  ];
  const baseline = rows[2]?.[1] as LatencySummary;
  console.log(`\nRound trip per turn, ${TURNS} turns each (after ${WARMUP} warm-up turns each), node ${process.version}\n`);
  console.log(`${'path'.padEnd(48)} ${'median ms'.padStart(10)} ${'p99 ms'.padStart(8)} ${'mean ms'.padStart(8)} ${'median ratio'.padStart(13)}`);
  for (const [label, s] of rows) {
    console.log(
      `${label.padEnd(48)} ${s.p50.toFixed(2).padStart(10)} ${s.p99.toFixed(2).padStart(8)} ${s.mean.toFixed(2).padStart(8)} ${(s.p50 / baseline.p50).toFixed(2).padStart(12)}x`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
