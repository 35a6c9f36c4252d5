import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startIngestionStub } from '../test/telemetry/ingestionStub';
import { startMongoTestServer } from '../test/support/mongoTestServer';
import { arg, flag } from './lib/args';
import { BENCH_BOT_ENV } from './lib/benchEnv';
import { fmt, ORDER_CONVERSATION, runLoad, type LoadResult } from './lib/driver';
import { startServer, type ServerProcess } from './lib/processes';
import { startWireCounter, type WireTally } from './lib/wireCounter';

/**
 * `npm run bench`: this bot against a bare botbuilder echo bot (bench/echoBot.ts, same HTTP
 * stack), all started by this script and measured side by side in one run.
 *
 *   npm run bench -- [--rounds 5] [--seconds 5] [--concurrency 16] [--starts 3] [--no-mongo] [--no-telemetry]
 *
 * Targets, loaded one at a time, in an order that alternates every round:
 * - echo bot: `You said: ...` to every message, no state;
 * - bot, memory state: telemetry off (no Application Insights, METRICS_ENABLED=false, logs silent);
 * - bot, telemetry on: memory state, Application Insights exporting every item to a local HTTPS
 *   stand-in, Prometheus metrics scraped once a second, info logs (JSON to /dev/null);
 * - bot, MongoDB state: telemetry off; a NEW mongo-java-server test server and bot per round (a
 *   fresh database: the test server slows down as its collections grow), reached through a relay
 *   that counts wire messages and bytes (round trips per turn and their sizes).
 *
 * The flow: 16 customers each repeat whole conversations `hi`, `where is my order 12345?`,
 * `yes` (confirm prompt), the e-mail on the order (order verification) over POST /api/messages
 * with deliveryMode expectReplies; the bot's last answer must be the order status. The echo bot
 * gets the same four messages. Figures are medians over the rounds; ratios are medians of the
 * per-round ratios. Cold start (spawn to the first 200 from /readyz, both through tsx) and idle
 * RSS (3 s after ready) are medians of `--starts` alternating starts; peak RSS is VmHWM of the
 * long-running processes after all rounds.
 */

const ROUNDS = Number(arg('rounds', '5'));
const SECONDS = Number(arg('seconds', '5'));
const CONCURRENCY = Number(arg('concurrency', '16'));
const STARTS = Number(arg('starts', '3'));
const WITH_MONGO = !flag('no-mongo');
const WITH_TELEMETRY = !flag('no-telemetry');

// All 16 customers ask about order 12345 at once: the per-order count of verification checks in
// flight would lock that order out (as it should for 16 guessers), so the bench allows more.
const OFF_ENV = { ...BENCH_BOT_ENV, METRICS_ENABLED: 'false', ORDER_VERIFICATION_MAX_FAILURES: '100' };
type Target = 'echo' | 'memory' | 'telemetry' | 'mongo';
const LABELS: Record<Target, string> = {
  echo: 'echo bot',
  memory: 'bot, memory state',
  telemetry: 'bot, memory state, telemetry on',
  mongo: 'bot, MongoDB state (fresh db per round)',
};

interface Sample {
  result: LoadResult;
  cpuMsPerTurn: number;
}

interface MongoRound {
  sent: WireTally;
  received: WireTally;
  turns: number;
  peakRssMb: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function median(values: number[]): number {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 ? (xs[mid] as number) : ((xs[mid - 1] as number) + (xs[mid] as number)) / 2;
}

async function measure(server: ServerProcess, label: string, scrape: boolean): Promise<Sample> {
  const scraper = scrape
    ? setInterval(
        () =>
          void fetch(`${server.url}/metrics`).then(
            (r) => r.text(),
            () => undefined,
          ),
        1000,
      )
    : undefined;
  const cpuBefore = server.cpuMs();
  try {
    const result = await runLoad(server.url, CONCURRENCY, SECONDS, label, label.startsWith('bot'));
    return { result, cpuMsPerTurn: (server.cpuMs() - cpuBefore) / Math.max(1, result.turns) };
  } finally {
    clearInterval(scraper);
  }
}

/** Cold start and idle RSS of the echo bot and the bot, alternating. */
async function coldStarts(): Promise<Record<'echo' | 'memory', { readyMs: number[]; idleRssMb: number[] }>> {
  const out = { echo: { readyMs: [] as number[], idleRssMb: [] as number[] }, memory: { readyMs: [] as number[], idleRssMb: [] as number[] } };
  for (let i = 0; i < STARTS; i++) {
    const order: Array<'echo' | 'memory'> = i % 2 === 0 ? ['echo', 'memory'] : ['memory', 'echo'];
    for (const target of order) {
      const server =
        target === 'echo'
          ? await startServer('echo bot', 'bench/echoBot.ts', {}, undefined, [], '/readyz')
          : await startServer('bot', 'src/index.ts', OFF_ENV, undefined, [], '/readyz');
      await sleep(3000);
      out[target].readyMs.push(server.readyMs);
      out[target].idleRssMb.push(server.rssMb());
      await server.stop();
    }
  }
  return out;
}

const LOAD_AT_START = os.loadavg()[0] ?? 0;

async function main(): Promise<void> {
  const started = Date.now();
  process.stderr.write(`cold starts (${STARTS} each, alternating)...\n`);
  const starts = await coldStarts();

  const stub = WITH_TELEMETRY ? await startIngestionStub() : undefined;
  const caDir = mkdtempSync(path.join(os.tmpdir(), 'bench-ca-'));
  const servers = new Map<Target, ServerProcess>();
  const samples: Record<Target, Sample[]> = { echo: [], memory: [], telemetry: [], mongo: [] };
  const mongoRounds: MongoRound[] = [];
  try {
    servers.set('echo', await startServer(LABELS.echo, 'bench/echoBot.ts', {}));
    servers.set('memory', await startServer(LABELS.memory, 'src/index.ts', OFF_ENV));
    if (stub) {
      const caFile = path.join(caDir, 'ingestion-ca.pem');
      writeFileSync(caFile, stub.ca);
      servers.set(
        'telemetry',
        await startServer(LABELS.telemetry, 'src/index.ts', {
          ...OFF_ENV,
          LOG_LEVEL: 'info',
          LOG_FORMAT: 'json',
          METRICS_ENABLED: 'true',
          APPLICATIONINSIGHTS_CONNECTION_STRING: stub.connectionString,
          TELEMETRY_SAMPLING_PERCENTAGE: '100',
          NODE_EXTRA_CA_CERTS: caFile, // the exporter only speaks HTTPS
        }),
      );
    }
    for (const [target, server] of servers) await runLoad(server.url, 4, 2, `warm-${target}`, target !== 'echo');

    const targets: Target[] = ['echo', 'memory', ...(stub ? (['telemetry'] as const) : []), ...(WITH_MONGO ? (['mongo'] as const) : [])];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        let sample: Sample;
        if (target === 'mongo') {
          const { sample: s, wire } = await mongoRound(round);
          sample = s;
          mongoRounds.push(wire);
        } else {
          const server = servers.get(target) as ServerProcess;
          sample = await measure(server, `${target === 'echo' ? 'echo' : 'bot'}-${target}-${round}`, target === 'telemetry');
        }
        samples[target].push(sample);
        process.stderr.write(
          `  round ${round + 1}/${ROUNDS} ${LABELS[target]}: ${fmt(sample.result.turnsPerSecond)} turns/s, ${fmt(sample.cpuMsPerTurn, 2)} CPU ms/turn\n`,
        );
      }
    }
    printReport(starts, samples, servers, mongoRounds, targets, (Date.now() - started) / 1000, stub?.envelopes.length);
  } finally {
    for (const server of servers.values()) await server.stop();
    await stub?.close();
    rmSync(caDir, { recursive: true, force: true });
  }
}

/** One MongoDB round: a new test server (fresh database), a counting relay, a new bot. */
async function mongoRound(round: number): Promise<{ sample: Sample; wire: MongoRound }> {
  const mongo = await startMongoTestServer();
  const relay = await startWireCounter({ host: '127.0.0.1', port: mongo.port });
  let bot: ServerProcess | undefined;
  try {
    bot = await startServer(LABELS.mongo, 'src/index.ts', { ...OFF_ENV, MONGODB_URI: `mongodb://${relay.address}`, MONGODB_DB: `bench_${round}` });
    await runLoad(bot.url, 4, 1, `warm-mongo-${round}`, true);
    relay.reset();
    const sample = await measure(bot, `bot-mongo-${round}`, false);
    const wire = { sent: { ...relay.sent }, received: { ...relay.received }, turns: sample.result.turns, peakRssMb: bot.peakRssMb() };
    return { sample, wire };
  } finally {
    await bot?.stop();
    await relay.close();
    await mongo.stop();
  }
}

function printReport(
  starts: Awaited<ReturnType<typeof coldStarts>>,
  samples: Record<Target, Sample[]>,
  servers: Map<Target, ServerProcess>,
  mongoRounds: MongoRound[],
  targets: Target[],
  elapsedSeconds: number,
  envelopes: number | undefined,
): void {
  const tps = (t: Target, round: number): number => samples[t][round]?.result.turnsPerSecond ?? NaN;
  const ratio = (a: Target, b: Target): number => median(samples[a].map((_, i) => tps(a, i) / tps(b, i)));
  const peak = (t: Target): number => (t === 'mongo' ? median(mongoRounds.map((m) => m.peakRssMb)) : (servers.get(t)?.peakRssMb() ?? NaN));
  console.log(
    `\n## npm run bench: ${CONCURRENCY} customers, ${ROUNDS} alternating rounds x ${SECONDS} s per target, node ${process.version}, ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((x) => fmt(x, 1))
      .join(' ')}, ${fmt(elapsedSeconds, 0)} s in all\n`,
  );
  console.log(
    `Flow: "${ORDER_CONVERSATION.join('", "')}" (greeting, order question, confirm prompt, order verification, status) per conversation, POST /api/messages with expectReplies.`,
  );
  console.log('MongoDB state: a fresh test server and database for every round (mongo-java-server slows as its collections grow).\n');
  console.log('| target | turns/s | p50 ms | p99 ms | CPU ms/turn | idle RSS MB | peak RSS MB | errors | wrong answers | turns/s ratio |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const t of targets) {
    const s = samples[t];
    const idle = t === 'echo' || t === 'memory' ? median(starts[t].idleRssMb) : NaN;
    const ratioText = t === 'echo' ? '1.00 (echo)' : t === 'mongo' ? `${fmt(ratio('mongo', 'memory'), 2)} of memory` : `${fmt(ratio(t, 'echo'), 2)} of echo`;
    console.log(
      `| ${LABELS[t]} | ${fmt(median(s.map((x) => x.result.turnsPerSecond)))} | ${fmt(median(s.map((x) => x.result.latency.p50)), 2)} | ${fmt(median(s.map((x) => x.result.latency.p99)), 2)} | ${fmt(median(s.map((x) => x.cpuMsPerTurn)), 2)} | ${fmt(idle, 0)} | ${fmt(peak(t), 0)} | ${s.reduce((n, x) => n + x.result.errors, 0)} | ${s.reduce((n, x) => n + x.result.wrongAnswers, 0)} | ${ratioText} |`,
    );
  }
  if (LOAD_AT_START > os.cpus().length) {
    console.log(
      `**Caution**: the 1-minute load average was ${fmt(LOAD_AT_START)} on ${os.cpus().length} cores at the start: other work competes for the CPU, so every target slows and throughput ratios drift towards 1. Read CPU per turn (per process, from /proc) as the steadier figure.\n`,
    );
  }
  const target = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  const memVsEcho = ratio('memory', 'echo');
  const idleRatio = median(starts.memory.idleRssMb) / median(starts.echo.idleRssMb);
  const peakRatio = peak('memory') / peak('echo');
  console.log('\n| figure | value | target |');
  console.log('|---|---|---|');
  console.log(`| memory-state throughput / echo (median of per-round ratios) | ${fmt(memVsEcho, 2)} | >= 0.5: ${target(memVsEcho >= 0.5)} |`);
  const cpu = (t: Target): number => median(samples[t].map((x) => x.cpuMsPerTurn));
  console.log(`| CPU per turn bot (memory state) / echo | ${fmt(cpu('memory') / cpu('echo'), 2)} | (bounds the throughput ratio on an idle machine) |`);
  if (targets.includes('mongo')) {
    const r = ratio('mongo', 'memory');
    console.log(`| MongoDB-state throughput / memory-state | ${fmt(r, 2)} | >= 0.5: ${target(r >= 0.5)} |`);
  }
  console.log(
    `| idle RSS bot / echo | ${fmt(idleRatio, 2)} (${fmt(median(starts.memory.idleRssMb), 0)} / ${fmt(median(starts.echo.idleRssMb), 0)} MB) | <= 1.3: ${target(idleRatio <= 1.3)} |`,
  );
  console.log(
    `| peak RSS under load bot / echo | ${fmt(peakRatio, 2)} (${fmt(peak('memory'), 0)} / ${fmt(peak('echo'), 0)} MB) | <= 1.5: ${target(peakRatio <= 1.5)} |`,
  );
  const coldRatio = median(starts.memory.readyMs) / median(starts.echo.readyMs);
  console.log(
    `| cold start to /readyz bot / echo | ${fmt(coldRatio, 2)} (${fmt(median(starts.memory.readyMs), 0)} / ${fmt(median(starts.echo.readyMs), 0)} ms, both via tsx) | reported |`,
  );
  if (targets.includes('telemetry')) {
    const r = ratio('telemetry', 'memory');
    const cpu = median(samples.telemetry.map((x) => x.cpuMsPerTurn)) / median(samples.memory.map((x) => x.cpuMsPerTurn));
    console.log(
      `| telemetry on / off throughput | ${fmt(r, 3)} (overhead ${fmt((1 - r) * 100, 1)}%; CPU per turn x${fmt(cpu, 2)}; ${envelopes ?? 0} envelopes received) | overhead <= 5%: ${target(1 - r <= 0.05)} |`,
    );
  }
  if (mongoRounds.length > 0) {
    const per = (f: (m: MongoRound) => number): number => median(mongoRounds.map((m) => f(m) / Math.max(1, m.turns)));
    const size = (f: (m: MongoRound) => WireTally): number => median(mongoRounds.map((m) => f(m).bytes / Math.max(1, f(m).messages)));
    console.log(
      `| MongoDB round trips per turn | ${fmt(
        per((m) => m.sent.messages),
        2,
      )} requests (${fmt(
        size((m) => m.sent),
        0,
      )} B each), ${fmt(
        per((m) => m.received.messages),
        2,
      )} replies (${fmt(
        size((m) => m.received),
        0,
      )} B each); ${fmt(per((m) => m.sent.bytes + m.received.bytes) / 1024, 1)} KB per turn | reported |`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
