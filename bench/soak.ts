import { startMongoTestServer, type RunningMongoTestServer } from '../test/support/mongoTestServer';
import { fmt, runLoad } from './lib/driver';
import { startServer, type ServerProcess } from './lib/processes';
import { arg } from './lib/args';

/**
 * `npm run bench:soak`: holds a steady load of full order conversations for a long time and
 * reports, per window, throughput, latency and the bot's RSS, then the drift from the first
 * windows to the last ones (a leak shows as RSS that keeps climbing, or latency that creeps).
 *
 *   npm run bench:soak -- [--minutes 10] [--window 30] [--concurrency 8] [--conversations 50] [--mongo]
 *
 * Each virtual customer cycles through a fixed set of conversations (`--conversations` each),
 * as real customers come back, so stored state stays bounded and RSS growth means a leak
 * rather than more conversations kept in memory state.
 */

const MINUTES = Number(arg('minutes', '10'));
const WINDOW_S = Number(arg('window', '30'));
const CONCURRENCY = Number(arg('concurrency', '8'));
const WITH_MONGO = process.argv.includes('--mongo');
const CONVERSATIONS_PER_WORKER = Number(arg('conversations', '50'));

interface Window {
  index: number;
  turnsPerSecond: number;
  p50: number;
  p99: number;
  rssMb: number;
  errors: number;
  wrong: number;
}

async function main(): Promise<void> {
  let mongo: RunningMongoTestServer | undefined;
  let bot: ServerProcess | undefined;
  try {
    const env: Record<string, string> = { RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_CONVERSATION_PER_MINUTE: '0' };
    if (WITH_MONGO) {
      let uri = process.env.MONGODB_URI;
      if (!uri) {
        mongo = await startMongoTestServer();
        uri = mongo.uri;
      }
      Object.assign(env, { MONGODB_URI: uri, MONGODB_DB: `soak_${Date.now()}` });
    }
    bot = await startServer(`bot (${WITH_MONGO ? 'MongoDB' : 'memory'} state)`, 'src/index.ts', env);
    const windows: Window[] = [];
    const count = Math.max(2, Math.round((MINUTES * 60) / WINDOW_S));
    console.log(
      `soak: ${bot.name}, concurrency ${CONCURRENCY}, ${CONCURRENCY * CONVERSATIONS_PER_WORKER} conversations reused, ${count} windows of ${WINDOW_S} s`,
    );
    console.log('| window | turns/s | p50 ms | p99 ms | RSS MB | errors | wrong answers |');
    console.log('|---|---|---|---|---|---|---|');
    for (let index = 1; index <= count; index++) {
      const r = await runLoad(bot.url, CONCURRENCY, WINDOW_S, 'soak', true, CONVERSATIONS_PER_WORKER);
      const w: Window = {
        index,
        turnsPerSecond: r.turnsPerSecond,
        p50: r.latency.p50,
        p99: r.latency.p99,
        rssMb: bot.rssMb(),
        errors: r.errors,
        wrong: r.wrongAnswers,
      };
      windows.push(w);
      console.log(`| ${index} | ${fmt(w.turnsPerSecond)} | ${fmt(w.p50, 2)} | ${fmt(w.p99, 2)} | ${fmt(w.rssMb, 0)} | ${w.errors} | ${w.wrong} |`);
    }
    const third = Math.max(1, Math.floor(windows.length / 3));
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const early = windows.slice(0, third);
    const late = windows.slice(-third);
    const pick = (ws: Window[], f: (w: Window) => number): number => median(ws.map(f));
    console.log(`\ndrift (median of the last ${third} windows vs the first ${third}):`);
    console.log(
      `  RSS ${fmt(
        pick(early, (w) => w.rssMb),
        0,
      )} -> ${fmt(
        pick(late, (w) => w.rssMb),
        0,
      )} MB (${fmt(pick(late, (w) => w.rssMb) - pick(early, (w) => w.rssMb), 0)} MB)`,
    );
    console.log(
      `  p50 ${fmt(
        pick(early, (w) => w.p50),
        2,
      )} -> ${fmt(
        pick(late, (w) => w.p50),
        2,
      )} ms (x${fmt(pick(late, (w) => w.p50) / pick(early, (w) => w.p50), 2)})`,
    );
    console.log(
      `  p99 ${fmt(
        pick(early, (w) => w.p99),
        2,
      )} -> ${fmt(
        pick(late, (w) => w.p99),
        2,
      )} ms (x${fmt(pick(late, (w) => w.p99) / pick(early, (w) => w.p99), 2)})`,
    );
    console.log(`  turns/s ${fmt(pick(early, (w) => w.turnsPerSecond))} -> ${fmt(pick(late, (w) => w.turnsPerSecond))}`);
    const errors = windows.reduce((s, w) => s + w.errors + w.wrong, 0);
    console.log(`  errors and wrong answers in total: ${errors}`);
  } finally {
    await bot?.stop();
    await mongo?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
