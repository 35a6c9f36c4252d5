import { startMongoTestServer, type RunningMongoTestServer } from '../test/support/mongoTestServer';
import { fmt, runLoad, type LoadResult } from './lib/driver';
import { startServer, type ServerProcess } from './lib/processes';
import { arg } from './lib/args';

/**
 * `npm run bench`: full order-status conversations over HTTP (expectReplies) at rising
 * concurrency against this bot with memory state, with MongoDB state, and a bare botbuilder
 * echo bot as the baseline, all started by this script on this machine, measured in one run.
 *
 *   npm run bench -- [--seconds 8] [--levels 1,4,16,32] [--no-mongo]
 *
 * MongoDB: MONGODB_URI when set, else the mongo-java-server test server (Java 17).
 */

const SECONDS = Number(arg('seconds', '8'));
const LEVELS = arg('levels', '1,4,16,32').split(',').map(Number);
const WITH_MONGO = !process.argv.includes('--no-mongo');
const BOT_ENV = { NODE_ENV: 'development', RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_CONVERSATION_PER_MINUTE: '0' };

interface Row {
  target: string;
  concurrency: number;
  result: LoadResult;
  rssMb: number;
  cpuMsPerTurn: number;
}

async function main(): Promise<void> {
  const servers: ServerProcess[] = [];
  let mongo: RunningMongoTestServer | undefined;
  try {
    servers.push(await startServer('echo bot', 'bench/echoBot.ts', {}));
    servers.push(await startServer('bot, memory state', 'src/index.ts', BOT_ENV));
    if (WITH_MONGO) {
      let uri = process.env.MONGODB_URI;
      if (!uri) {
        mongo = await startMongoTestServer();
        uri = mongo.uri;
      }
      servers.push(await startServer('bot, MongoDB state', 'src/index.ts', { ...BOT_ENV, MONGODB_URI: uri, MONGODB_DB: `bench_${Date.now()}` }));
    }
    for (const server of servers) await runLoad(server.url, 4, 3, `warm-${server.name}`, false);

    const rows: Row[] = [];
    for (const concurrency of LEVELS) {
      for (const server of servers) {
        const cpuBefore = server.cpuMs();
        const result = await runLoad(server.url, concurrency, SECONDS, `${server.name}-${concurrency}`, server.name !== 'echo bot');
        const cpuMsPerTurn = (server.cpuMs() - cpuBefore) / Math.max(1, result.turns);
        rows.push({ target: server.name, concurrency, result, rssMb: server.rssMb(), cpuMsPerTurn });
        process.stderr.write(`  measured ${server.name} at concurrency ${concurrency}: ${fmt(result.turnsPerSecond)} turns/s\n`);
      }
    }
    printTable(rows);
  } finally {
    for (const server of servers) await server.stop();
    await mongo?.stop();
  }
}

function printTable(rows: Row[]): void {
  console.log(
    `\nFull order-status conversations (3 turns each) over HTTP with expectReplies, ${SECONDS} s per cell, node ${process.version}, ${require('node:os').cpus().length} cores\n`,
  );
  console.log('| target | concurrency | turns/s | p50 ms | p99 ms | server CPU ms/turn | RSS MB | errors | wrong answers | ratio to echo |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    const echo = rows.find((r) => r.target === 'echo bot' && r.concurrency === row.concurrency);
    const ratio = echo ? row.result.turnsPerSecond / echo.result.turnsPerSecond : NaN;
    const r = row.result;
    console.log(
      `| ${row.target} | ${row.concurrency} | ${fmt(r.turnsPerSecond)} | ${fmt(r.latency.p50, 2)} | ${fmt(r.latency.p99, 2)} | ${fmt(row.cpuMsPerTurn, 2)} | ${fmt(row.rssMb, 0)} | ${r.errors} | ${r.wrongAnswers} | ${fmt(ratio, 2)} |`,
    );
  }
  const peak = (target: string): number => Math.max(...rows.filter((r) => r.target === target).map((r) => r.result.turnsPerSecond));
  const echoPeak = peak('echo bot');
  console.log(
    `\npeak throughput: echo ${fmt(echoPeak)} turns/s; memory state ${fmt(peak('bot, memory state'))} (${fmt(peak('bot, memory state') / echoPeak, 2)} of echo)` +
      (rows.some((r) => r.target === 'bot, MongoDB state')
        ? `; MongoDB state ${fmt(peak('bot, MongoDB state'))} (${fmt(peak('bot, MongoDB state') / echoPeak, 2)} of echo)`
        : ''),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
