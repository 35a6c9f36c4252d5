import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startIngestionStub } from '../test/telemetry/ingestionStub';
import { fmt, runLoad, type LoadResult } from './lib/driver';
import { startServer, type ServerProcess } from './lib/processes';

/**
 * `npm run bench:telemetry`: what observability costs. Two instances of the bot run side by
 * side, loaded one at a time:
 *
 * - "off": no Application Insights, no Prometheus metrics, logs silent;
 * - "on":  Application Insights (every activity, dialog, recognizer and conversation event,
 *          exported to a local HTTPS stand-in for the ingestion service), Prometheus metrics
 *          (scraped once a second, as a busy Prometheus would), info logs (one JSON line per
 *          turn, written to /dev/null).
 *
 * Both run full order conversations (greet, ask with an ID, confirm) over HTTP with
 * expectReplies at a fixed concurrency. Each round measures both, alternating which goes
 * first; the figures are medians over the rounds, and the overhead is on/off in the same run.
 *
 *   npm run bench:telemetry -- [--rounds 12] [--seconds 4] [--concurrency 8] [--sampling 100]
 *
 * `--sampling` sets TELEMETRY_SAMPLING_PERCENTAGE on "on". Server CPU is reported for the
 * whole process and for its main thread alone (the thread that serves turns; Application
 * Insights exports from a worker thread).
 *
 * Many short alternating rounds keep the comparison fair on a machine whose load changes (CI
 * runners, laptops): the paired per-round ratio is the figure to read; CPU per turn is the
 * least noisy one.
 */
function arg(name: string, fallback: string): number {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback);
}

const ROUNDS = arg('rounds', '12');
const SECONDS = arg('seconds', '4');
const CONCURRENCY = arg('concurrency', '8');
const SAMPLING = arg('sampling', '100');
const COMMON_ENV = { NODE_ENV: 'development', LOG_FORMAT: 'json', RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_CONVERSATION_PER_MINUTE: '0' };

interface Sample {
  result: LoadResult;
  cpuMsPerTurn: number;
  mainThreadCpuMsPerTurn: number;
}

/** CPU time of a process's main thread (its task id is the pid) from /proc, in ms (Linux). */
function mainThreadCpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / 100) * 1000; // USER_HZ is 100
  } catch {
    return NaN;
  }
}

async function measure(server: ServerProcess, label: string, scrape: boolean): Promise<Sample> {
  const cpuBefore = server.cpuMs();
  const mainBefore = mainThreadCpuMs(server.child.pid);
  const scraper = scrape
    ? setInterval(
        () =>
          void fetch(`${server.url}/metrics`)
            .then((r) => r.text())
            .catch(() => undefined),
        1000,
      )
    : undefined;
  try {
    const result = await runLoad(server.url, CONCURRENCY, SECONDS, label, true);
    const turns = Math.max(1, result.turns);
    return { result, cpuMsPerTurn: (server.cpuMs() - cpuBefore) / turns, mainThreadCpuMsPerTurn: (mainThreadCpuMs(server.child.pid) - mainBefore) / turns };
  } finally {
    clearInterval(scraper);
  }
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg()[0] ?? NaN;
  const stub = await startIngestionStub();
  const caDir = mkdtempSync(path.join(os.tmpdir(), 'bench-ca-'));
  const caFile = path.join(caDir, 'ingestion-ca.pem');
  writeFileSync(caFile, stub.ca);
  const servers: ServerProcess[] = [];
  try {
    const off = await startServer('off', 'src/index.ts', { ...COMMON_ENV, LOG_LEVEL: 'silent', METRICS_ENABLED: 'false' });
    servers.push(off);
    const on = await startServer('on', 'src/index.ts', {
      ...COMMON_ENV,
      LOG_LEVEL: 'info',
      METRICS_ENABLED: 'true',
      APPLICATIONINSIGHTS_CONNECTION_STRING: stub.connectionString,
      TELEMETRY_SAMPLING_PERCENTAGE: String(SAMPLING),
      // The exporter only speaks HTTPS: trust the stand-in's certificate in the child.
      NODE_EXTRA_CA_CERTS: caFile,
    });
    servers.push(on);

    for (const server of servers) await runLoad(server.url, CONCURRENCY, 2, `warm-${server.name}`, true);

    const samples: Record<'off' | 'on', Sample[]> = { off: [], on: [] };
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [off, on] : [on, off];
      for (const server of order) {
        const sample = await measure(server, `${server.name}-${round}`, server === on);
        samples[server.name as 'off' | 'on'].push(sample);
        process.stderr.write(
          `  round ${round + 1}/${ROUNDS} ${server.name}: ${fmt(sample.result.turnsPerSecond)} turns/s, p99 ${fmt(sample.result.latency.p99, 2)} ms\n`,
        );
      }
      const pair = { off: samples.off[round], on: samples.on[round] };
      if (pair.off && pair.on) ratios.push(pair.on.result.turnsPerSecond / pair.off.result.turnsPerSecond);
    }

    // Let the exporter's batch timer fire so the count below reflects what "on" really sent.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const metricsText = await (await fetch(`${on.url}/metrics`)).text();
    const countedTurns = /^supportbot_turns_total\{channel="emulator",outcome="ok"\} (\d+)/m.exec(metricsText)?.[1];

    const row = (name: 'off' | 'on'): string => {
      const s = samples[name];
      const errors = s.reduce((sum, x) => sum + x.result.errors + x.result.wrongAnswers, 0);
      return `| ${name} | ${fmt(median(s.map((x) => x.result.turnsPerSecond)))} | ${fmt(median(s.map((x) => x.result.latency.p50)), 2)} | ${fmt(median(s.map((x) => x.result.latency.p99)), 2)} | ${fmt(median(s.map((x) => x.cpuMsPerTurn)), 2)} | ${fmt(median(s.map((x) => x.mainThreadCpuMsPerTurn)), 2)} | ${fmt(name === 'on' ? on.rssMb() : off.rssMb(), 0)} | ${errors} |`;
    };
    const offTps = median(samples.off.map((x) => x.result.turnsPerSecond));
    const onTps = median(samples.on.map((x) => x.result.turnsPerSecond));
    console.log(
      `\nTelemetry overhead: full order conversations (3 turns) over HTTP with expectReplies, concurrency ${CONCURRENCY}, ${ROUNDS} rounds x ${SECONDS} s per target (alternating), Application Insights sampling ${SAMPLING}%, node ${process.version}, ${os.cpus().length} cores, 1-minute load average at start ${fmt(loadAtStart)}\n`,
    );
    console.log(
      '| telemetry, metrics, logs | turns/s (median) | p50 ms | p99 ms | server CPU ms/turn | main thread CPU ms/turn | RSS MB | errors + wrong answers |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    console.log(row('off'));
    console.log(row('on'));
    const cpu = (name: 'off' | 'on', main: boolean): number => median(samples[name].map((x) => (main ? x.mainThreadCpuMsPerTurn : x.cpuMsPerTurn)));
    console.log(
      `\nCPU per turn on/off: whole process ${fmt(cpu('on', false) / cpu('off', false), 3)}, main thread ${fmt(cpu('on', true) / cpu('off', true), 3)}`,
    );
    console.log(
      `throughput on/off: ${fmt(onTps / offTps, 3)} (overhead ${fmt((1 - onTps / offTps) * 100, 1)}%); per-round ratios ${ratios.map((r) => fmt(r, 3)).join(', ')} (median ${fmt(median(ratios), 3)})`,
    );
    console.log(
      `Application Insights stand-in received ${stub.envelopes.length} envelopes (${stub.events().length} custom events); /metrics counted ${countedTurns ?? '?'} emulator turns on "on"`,
    );
  } finally {
    for (const server of servers) await server.stop();
    await stub.close();
    rmSync(caDir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
