import { readFileSync } from 'node:fs';
import os from 'node:os';
import { arg } from './lib/args';
import { BENCH_BOT_ENV } from './lib/benchEnv';
import { fmt, runLoad } from './lib/driver';
import { ROOT, startServer, type ServerProcess } from './lib/processes';

/**
 * `npm run bench:compare -- --baseline /path/to/other/checkout`: this checkout's bot against
 * another checkout's (e.g. `git archive <commit> | tar -x -C /tmp/base` with node_modules linked)
 * under the `npm run bench` load, memory state, telemetry off, alternating rounds. Prints median
 * turns/s, CPU ms per turn (whole process and main thread), idle and peak RSS: the measured
 * effect of a change on a busy machine.
 *
 *   npm run bench:compare -- --baseline DIR [--rounds 6] [--seconds 4] [--concurrency 16] [--env K=V,...]
 */

const BASELINE = arg('baseline', '');
const ROUNDS = Number(arg('rounds', '6'));
const SECONDS = Number(arg('seconds', '4'));
const CONCURRENCY = Number(arg('concurrency', '16'));
const EXTRA_ENV = Object.fromEntries(
  arg('env', '')
    .split(',')
    .filter(Boolean)
    .map((pair) => pair.split('=') as [string, string]),
);
const ENV = { ...BENCH_BOT_ENV, METRICS_ENABLED: 'false', ORDER_VERIFICATION_MAX_FAILURES: '100', ...EXTRA_ENV };

/** CPU time of a process's main thread (its task id is the pid), in ms (Linux). */
function mainThreadCpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / 100) * 1000;
  } catch {
    return NaN;
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

async function main(): Promise<void> {
  if (!BASELINE) throw new Error('--baseline DIR: a checkout of the code to compare with (node_modules in place)');
  const bots: Array<{ name: string; server: ServerProcess; idleRss: number; tps: number[]; cpu: number[]; main: number[] }> = [];
  try {
    for (const [name, root] of [
      ['baseline', BASELINE],
      ['this checkout', ROOT],
    ] as const) {
      const server = await startServer(name, 'src/index.ts', ENV, root, [], '/readyz');
      await new Promise((resolve) => setTimeout(resolve, 3000));
      bots.push({ name, server, idleRss: server.rssMb(), tps: [], cpu: [], main: [] });
    }
    for (const bot of bots) await runLoad(bot.server.url, 4, 2, `warm-${bot.name}`, true);
    for (let round = 0; round < ROUNDS; round++) {
      for (const bot of round % 2 === 0 ? bots : [...bots].reverse()) {
        const cpu0 = bot.server.cpuMs();
        const main0 = mainThreadCpuMs(bot.server.child.pid);
        const result = await runLoad(bot.server.url, CONCURRENCY, SECONDS, `${bot.name}-${round}`, true);
        if (result.errors + result.wrongAnswers > 0) throw new Error(`${bot.name}: ${result.errors} errors, ${result.wrongAnswers} wrong answers`);
        bot.tps.push(result.turnsPerSecond);
        bot.cpu.push((bot.server.cpuMs() - cpu0) / result.turns);
        bot.main.push((mainThreadCpuMs(bot.server.child.pid) - main0) / result.turns);
        process.stderr.write(`  round ${round + 1}/${ROUNDS} ${bot.name}: ${fmt(result.turnsPerSecond)} turns/s\n`);
      }
    }
    console.log(
      `\n${CONCURRENCY} customers, ${ROUNDS} alternating rounds x ${SECONDS} s, memory state, telemetry off, ${os.cpus().length} cores, load ${fmt(os.loadavg()[0] ?? NaN)}\n`,
    );
    console.log('| bot | turns/s | CPU ms/turn | main thread CPU ms/turn | idle RSS MB | peak RSS MB |');
    console.log('|---|---|---|---|---|---|');
    for (const bot of bots) {
      console.log(
        `| ${bot.name} | ${fmt(median(bot.tps))} | ${fmt(median(bot.cpu), 3)} | ${fmt(median(bot.main), 3)} | ${fmt(bot.idleRss, 0)} | ${fmt(bot.server.peakRssMb(), 0)} |`,
      );
    }
    const [a, b] = bots as [(typeof bots)[0], (typeof bots)[0]];
    const ratios = a.tps.map((x, i) => (b.tps[i] ?? NaN) / x);
    console.log(
      `\nthis / baseline: turns/s ${fmt(median(ratios), 3)} (median of per-round ratios), CPU per turn ${fmt(median(b.cpu) / median(a.cpu), 3)}, main thread ${fmt(median(b.main) / median(a.main), 3)}`,
    );
  } finally {
    for (const bot of bots) await bot.server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
