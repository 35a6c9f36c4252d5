import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startIngestionStub } from '../test/telemetry/ingestionStub';
import { BENCH_BOT_ENV } from './lib/benchEnv';
import { arg, flag } from './lib/args';
import { fmt, runLoad } from './lib/driver';
import { startServer } from './lib/processes';

/**
 * `npm run bench:profile`: a CPU profile of the bot (or the echo bot) under the `npm run bench`
 * load, summarised by self time per function and per package.
 *
 *   npm run bench:profile -- [--seconds 10] [--concurrency 16] [--target bot|echo] [--top 25]
 *      [--env KEY=VALUE,...] [--telemetry]
 *
 * `--telemetry` turns on what `npm run bench` calls "telemetry on": Application Insights to a
 * local stand-in, metrics, info logs. Each thread (the Application Insights worker too) writes
 * its own profile; all are summarised.
 *
 * The bot runs `src/index.ts` with `node --cpu-prof`; the profile is written when it exits after
 * SIGTERM and its path is printed, for Chrome DevTools (Performance, Load profile) or speedscope.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const SECONDS = Number(arg('seconds', '10'));
const CONCURRENCY = Number(arg('concurrency', '16'));
const TARGET = arg('target', 'bot');
const TOP = Number(arg('top', '25'));
const EXTRA_ENV = Object.fromEntries(
  arg('env', '')
    .split(',')
    .filter(Boolean)
    .map((pair) => pair.split('=') as [string, string]),
);

/** Where a frame's code lives: a package, one of our folders, node internals, or the VM. */
export function category(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const root = path.resolve(__dirname, '..');
  const file = url.replace(/^file:\/\//, '');
  if (file.startsWith(root)) return path.relative(root, file).split('/').slice(0, 2).join('/');
  return url;
}

export function summarise(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idle = [...selfUs].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);
  const busy = total - idle;
  const fns = new Map<string, number>();
  const cats = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)?.callFrame ?? { functionName: '?', url: '', lineNumber: 0 };
    if (functionName === '(idle)') continue;
    const cat = category(url, functionName);
    const fn = `${functionName || '(anonymous)'} ${cat}${url ? `:${lineNumber + 1}` : ''}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
    cats.set(cat, (cats.get(cat) ?? 0) + us);
  }
  const table = (title: string, m: Map<string, number>): string =>
    [`| ${title} | self ms | % of busy |`, '|---|---|---|']
      .concat(
        [...m]
          .sort((a, b) => b[1] - a[1])
          .slice(0, top)
          .map(([k, us]) => `| ${k.replaceAll('|', '\\|')} | ${fmt(us / 1000, 0)} | ${fmt((100 * us) / busy, 1)} |`),
      )
      .join('\n');
  return `busy ${fmt(busy / 1000, 0)} ms of ${fmt(total / 1000, 0)} ms sampled\n\n${table('package or folder', cats)}\n\n${table('function', fns)}`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bot-cpu-prof-'));
  const entry = TARGET === 'echo' ? 'bench/echoBot.ts' : 'src/index.ts';
  const stub = flag('telemetry') ? await startIngestionStub() : undefined;
  const telemetryEnv: Record<string, string> = {};
  if (stub) {
    writeFileSync(path.join(dir, 'ca.pem'), stub.ca);
    Object.assign(telemetryEnv, {
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      METRICS_ENABLED: 'true',
      APPLICATIONINSIGHTS_CONNECTION_STRING: stub.connectionString,
      NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem'),
    });
  }
  const server = await startServer(
    TARGET,
    entry,
    { ...BENCH_BOT_ENV, METRICS_ENABLED: 'false', ORDER_VERIFICATION_MAX_FAILURES: '100', ...telemetryEnv, ...EXTRA_ENV },
    undefined,
    ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  );
  try {
    await runLoad(server.url, 4, 2, 'warm', false);
    const result = await runLoad(server.url, CONCURRENCY, SECONDS, 'profile', TARGET !== 'echo');
    console.log(
      `${TARGET}: ${fmt(result.turnsPerSecond)} turns/s at concurrency ${CONCURRENCY} under the profiler, ${result.errors} errors, ${result.wrongAnswers} wrong answers`,
    );
  } finally {
    await server.stop();
    await stub?.close();
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no profile written in ${dir}`);
  for (const file of files) {
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    console.log(`\nprofile: ${path.join(dir, file)}\n`);
    console.log(summarise(profile, TOP));
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
