import type { CommandStartedEvent } from 'mongodb';
import pino from 'pino';
import { createApp, type BotApp } from '../src/app';
import { loadConfig } from '../src/config/config';
import { createStorageLayer } from '../src/storage/createStorageLayer';
import { DEFAULT_COLLECTIONS } from '../src/storage/mongo/indexes';
import { startMongoTestServer, type RunningMongoTestServer } from '../test/support/mongoTestServer';
import { ORDER_CONVERSATION, fmt, runLoad, sendTurn, type LoadResult } from './lib/driver';
import { arg } from './lib/args';
import { BENCH_BOT_ENV } from './lib/benchEnv';

/**
 * `npm run bench:storage`: what MongoDB state costs per turn, measured in one run.
 *
 * 1. Round trips: the driver's command monitoring counts the commands of each turn of full
 *    order-status conversations, sequentially, after a warm-up. "Steady state" is every turn
 *    after the first (the conversation's state and lease documents exist).
 * 2. Throughput and latency: the same conversations at a fixed concurrency against the bot with
 *    memory state and with MongoDB state, both in this process, one after the other.
 *
 *   npm run bench:storage -- [--seconds 8] [--concurrency 8] [--conversations 30]
 *
 * MongoDB: MONGODB_URI when set, else the mongo-java-server test server (Java 17).
 */

const SECONDS = Number(arg('seconds', '8'));
const CONCURRENCY = Number(arg('concurrency', '8'));
const CONVERSATIONS = Number(arg('conversations', '30'));
const ENV = BENCH_BOT_ENV;
const logger = pino({ level: 'silent' });

interface Started {
  app: BotApp;
  url: string;
}

async function start(env: Record<string, string>, monitor?: (event: CommandStartedEvent) => void): Promise<Started> {
  const config = loadConfig(env);
  const storageLayer = await createStorageLayer(config.storage, { clientOptions: { monitorCommands: true } });
  if (monitor) storageLayer.client?.on('commandStarted', monitor);
  const app = await createApp(config, { logger, storageLayer });
  return { app, url: (await app.listen()).url };
}

interface RoundTrips {
  perTurn: number[];
  steadyAll: number;
  steadyState: number;
  steadyTranscripts: number;
  shapes: Map<string, number>;
}

async function countRoundTrips(url: string, events: CommandStartedEvent[]): Promise<RoundTrips> {
  const perTurn: number[][] = ORDER_CONVERSATION.map(() => []);
  const shapes = new Map<string, number>();
  for (let c = 0; c < CONVERSATIONS; c++) {
    const conversationId = `rt-${Date.now()}-${c}`;
    for (const [turn, text] of ORDER_CONVERSATION.entries()) {
      events.length = 0;
      await sendTurn(url, conversationId, `user-${c}`, text);
      // Transcript inserts are not awaited by the turn; give them a moment to be sent.
      await new Promise((resolve) => setTimeout(resolve, 5));
      perTurn[turn]!.push(events.length);
      if (turn > 0) {
        const shape = events.map((e) => `${e.commandName}:${String(e.command[e.commandName])}`).join(' → ');
        shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
      }
    }
  }
  const mean = (values: number[]): number => values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
  const steady = perTurn.slice(1).flat();
  const transcripts = [...shapes].reduce(
    (sum, [shape, n]) => sum + n * (shape.match(new RegExp(`insert:${DEFAULT_COLLECTIONS.transcripts}`, 'g'))?.length ?? 0),
    0,
  );
  const steadyTurns = steady.length;
  return {
    perTurn: perTurn.map(mean),
    steadyAll: mean(steady),
    steadyTranscripts: transcripts / Math.max(1, steadyTurns),
    steadyState: mean(steady) - transcripts / Math.max(1, steadyTurns),
    shapes,
  };
}

function row(name: string, result: LoadResult): string {
  return `| ${name.padEnd(20)} | ${fmt(result.turnsPerSecond).padStart(8)} | ${fmt(result.latency.p50, 2).padStart(8)} | ${fmt(result.latency.p99, 2).padStart(8)} | ${String(result.turns).padStart(6)} | ${String(result.errors + result.wrongAnswers).padStart(6)} |`;
}

async function main(): Promise<void> {
  let mongoServer: RunningMongoTestServer | undefined;
  const started: Started[] = [];
  try {
    let uri = process.env.MONGODB_URI;
    let source = 'MONGODB_URI';
    if (!uri) {
      mongoServer = await startMongoTestServer();
      uri = mongoServer.uri;
      source = 'mongo-java-server (in-memory, loopback)';
    }
    const events: CommandStartedEvent[] = [];
    const mongo = await start({ ...ENV, MONGODB_URI: uri, MONGODB_DB: `bench_storage_${Date.now()}` }, (e) => events.push(e));
    const memory = await start(ENV);
    started.push(mongo, memory);

    // Warm both, long enough for the JVM of the test server to compile its hot paths.
    await runLoad(memory.url, CONCURRENCY, 3, 'warm-memory', true);
    await runLoad(mongo.url, CONCURRENCY, 3, 'warm-mongo', true);

    const trips = await countRoundTrips(mongo.url, events);
    console.log(`\nMongoDB: ${source}; transcripts on (the default with MongoDB)`);
    console.log(`\nRound trips per turn (driver commandStarted events, mean of ${CONVERSATIONS} conversations):`);
    for (const [i, text] of ORDER_CONVERSATION.entries()) console.log(`  turn ${i + 1} "${text}": ${fmt(trips.perTurn[i]!, 2)}`);
    console.log(
      `  steady state (turns 2+): ${fmt(trips.steadyAll, 2)} commands = ${fmt(trips.steadyState, 2)} state/lock + ${fmt(trips.steadyTranscripts, 2)} transcript insert (sent in parallel, not awaited by the turn)`,
    );
    console.log('  command sequences seen in steady-state turns:');
    for (const [shape, n] of [...trips.shapes].sort((a, b) => b[1] - a[1])) console.log(`    ${String(n).padStart(4)} × ${shape}`);

    events.length = 0;
    const memoryResult = await runLoad(memory.url, CONCURRENCY, SECONDS, 'memory', true);
    const mongoResult = await runLoad(mongo.url, CONCURRENCY, SECONDS, 'mongo', true);
    console.log(`\nFull order-status conversations (${ORDER_CONVERSATION.length} turns each), concurrency ${CONCURRENCY}, ${SECONDS} s each, same process:`);
    console.log('| state                |  turns/s |  p50 ms  |  p99 ms  |  turns | errors |');
    console.log('|----------------------|---------:|---------:|---------:|-------:|-------:|');
    console.log(row('memory', memoryResult));
    console.log(row('MongoDB', mongoResult));
    console.log(
      `MongoDB vs memory: ${fmt((mongoResult.turnsPerSecond / memoryResult.turnsPerSecond) * 100)} % of the throughput, ` +
        `p50 +${fmt(mongoResult.latency.p50 - memoryResult.latency.p50, 2)} ms, p99 +${fmt(mongoResult.latency.p99 - memoryResult.latency.p99, 2)} ms`,
    );
  } finally {
    for (const { app } of started) await app.close();
    await mongoServer?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
