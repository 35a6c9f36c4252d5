/**
 * Side-by-side NLU benchmark: `npm run bench:nlu [-- flags]`. Trains and tests this
 * repository's recognizer and NLP.js on the same splits in one run and prints one table.
 *
 *   --dataset NAME         a folder under the benchmark root (repeatable; default: all)
 *   --split dev|test       which file of each dataset to test on (default dev)
 *   --train FILE --test FILE   any pair of split files instead of datasets (repeatable, in pairs)
 *   --root DIR             benchmark root (default $NLU_BENCHMARKS_DIR or /work/shared/nlu-benchmarks)
 *   --systems a,b          local, nlpjs (default both)
 *   --threshold X          local recognizer threshold (default: the one it calibrates at training time)
 *   --out FILE             also write all figures as JSON
 */
import { fork } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadTrainingData, NONE_INTENT, isOutOfScopeLabel } from '../../recognizers';
import { entityMetrics, intentMetrics, median } from '../../recognizers/evaluation/metrics';
import { LocalSystem, NlpJsSystem, type BenchSystem, type CompactStats } from './systems';

// The local recognizer's fallback is its own: the threshold it chooses from held-out folds of
// the training data (docs/nlu.md, "Calibration"), unless --threshold sets one.

interface Pair {
  name: string;
  train: string;
  test: string;
}

interface Row {
  dataset: string;
  system: string;
  accuracy: number;
  top1Accuracy: number;
  macroF1: number;
  inScopeAccuracy: number;
  oosRecall: number | null;
  entityF1: number | null;
  trainSeconds: number;
  trainCpuSeconds: number;
  medianInferenceMs: number;
  memoryMB: number;
  /**
   * Systems with compact model files (the local recognizer): the same trained model tested
   * before its weights were rounded (float32), and its model file's size and load time.
   */
  float32?: { accuracy: number; top1Accuracy: number; entityF1: number | null };
  modelFile?: CompactStats;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): { pairs: Pair[]; systems: string[]; threshold?: number; out?: string } {
  const values = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const name = arg.slice(2);
    if (!['dataset', 'split', 'train', 'test', 'root', 'systems', 'threshold', 'out'].includes(name)) throw new UsageError(`unknown flag ${arg}`);
    const value = argv[++i];
    if (value === undefined) throw new UsageError(`${arg} needs a value`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const root = values.get('root')?.[0] ?? process.env.NLU_BENCHMARKS_DIR ?? '/work/shared/nlu-benchmarks';
  const split = values.get('split')?.[0] ?? 'dev';
  const trains = values.get('train') ?? [];
  const tests = values.get('test') ?? [];
  if (trains.length !== tests.length) throw new UsageError('--train and --test must come in pairs');
  let pairs: Pair[] = trains.map((train, i) => ({ name: `${basename(dirname(train))}/${basename(tests[i] as string)}`, train, test: tests[i] as string }));
  if (pairs.length === 0) {
    if (!existsSync(root)) throw new UsageError(`benchmark root not found: ${root}`);
    const names =
      values.get('dataset') ??
      readdirSync(root)
        .filter((d) => existsSync(join(root, d, 'train.jsonl')))
        .sort();
    pairs = names.map((name) => ({ name: `${name}/${split}`, train: join(root, name, 'train.jsonl'), test: join(root, name, `${split}.jsonl`) }));
  }
  for (const p of pairs) for (const f of [p.train, p.test]) if (!existsSync(f)) throw new UsageError(`file not found: ${f}`);
  const systems = (values.get('systems')?.[0] ?? 'local,nlpjs').split(',').map((s) => s.trim());
  for (const s of systems) if (s !== 'local' && s !== 'nlpjs') throw new UsageError(`unknown system "${s}" (local, nlpjs)`);
  const thresholdRaw = values.get('threshold')?.[0];
  const threshold = thresholdRaw === undefined ? undefined : Number(thresholdRaw);
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new UsageError('--threshold must be in [0, 1]');
  const out = values.get('out')?.[0];
  return { pairs, systems, ...(threshold === undefined ? {} : { threshold }), ...(out === undefined ? {} : { out }) };
}

// A gc() handle gives steadier memory figures; enabling it at run time avoids a node flag.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function usedBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

async function measure(system: BenchSystem, pair: Pair): Promise<Row> {
  const train = loadTrainingData(pair.train);
  const test = loadTrainingData(pair.test).examples;
  const before = usedBytes();
  const wall = performance.now();
  const cpu = process.cpuUsage();
  await system.train(train);
  const cpuUsed = process.cpuUsage(cpu);
  const trainSeconds = (performance.now() - wall) / 1000;
  const memoryMB = Math.max(0, usedBytes() - before) / 2 ** 20;
  const gold: string[] = [];
  const final: string[] = [];
  const top: string[] = [];
  const goldSpans: Array<Array<{ entity: string; start: number; end: number }>> = [];
  const predSpans: Array<Array<{ entity: string; start: number; end: number }>> = [];
  const times: number[] = [];
  for (const ex of test) {
    const t = performance.now();
    const answer = await system.predict(ex.text);
    times.push(performance.now() - t);
    gold.push(isOutOfScopeLabel(ex.intent) ? NONE_INTENT : ex.intent);
    final.push(answer.intent);
    top.push(answer.top);
    goldSpans.push(ex.entities.map((e) => ({ entity: e.entity, start: e.start, end: e.end })));
    predSpans.push(answer.entities ?? []);
  }
  let float32: Row['float32'];
  let modelFile: Row['modelFile'];
  if (system.compact !== undefined) {
    float32 = {
      accuracy: intentMetrics(gold, final).accuracy,
      top1Accuracy: gold.filter((g, i) => g === top[i]).length / Math.max(1, gold.length),
      entityF1: null,
    };
    if (goldSpans.some((s) => s.length > 0) && system.extractsEntities) float32.entityF1 = entityMetrics(goldSpans, predSpans).f1;
    modelFile = await system.compact();
    // The figures below are those of the model read back from its compact model file.
    final.length = 0;
    top.length = 0;
    predSpans.length = 0;
    times.length = 0;
    for (const ex of test) {
      const t = performance.now();
      const answer = await system.predict(ex.text);
      times.push(performance.now() - t);
      final.push(answer.intent);
      top.push(answer.top);
      predSpans.push(answer.entities ?? []);
    }
  }
  const metrics = intentMetrics(gold, final);
  const inScope = gold.map((g, i) => [g, final[i]] as const).filter(([g]) => g !== NONE_INTENT);
  const oos = gold.map((g, i) => [g, final[i]] as const).filter(([g]) => g === NONE_INTENT);
  const hasEntities = goldSpans.some((s) => s.length > 0);
  return {
    dataset: pair.name,
    system: system.name,
    accuracy: metrics.accuracy,
    top1Accuracy: gold.filter((g, i) => g === top[i]).length / Math.max(1, gold.length),
    macroF1: metrics.macroF1,
    inScopeAccuracy: inScope.filter(([g, p]) => g === p).length / Math.max(1, inScope.length),
    oosRecall: oos.length === 0 ? null : oos.filter(([, p]) => p === NONE_INTENT).length / oos.length,
    entityF1: hasEntities && system.extractsEntities ? entityMetrics(goldSpans, predSpans).f1 : null,
    trainSeconds,
    trainCpuSeconds: (cpuUsed.user + cpuUsed.system) / 1e6,
    medianInferenceMs: median(times),
    memoryMB,
    ...(float32 === undefined ? {} : { float32 }),
    ...(modelFile === undefined ? {} : { modelFile }),
  };
}

function formatTable(rows: Row[]): string {
  const pct = (x: number | null): string => (x === null ? '-' : (x * 100).toFixed(2));
  const header = [
    'dataset',
    'system',
    'acc',
    'top1',
    'macroF1',
    'in-scope',
    'oos-rec',
    'entityF1',
    'train s',
    'cpu s',
    'ms/utt',
    'MB',
    'Δacc f32',
    'ΔentF1',
    'file MB',
    'load ms',
    'f32 MB',
    'f32 load',
  ];
  const delta = (a: number | null | undefined, b: number | null | undefined): string =>
    a === null || a === undefined || b === null || b === undefined ? '-' : `${a >= b ? '+' : ''}${((a - b) * 100).toFixed(2)}`;
  const body = rows.map((r) => [
    r.dataset,
    r.system,
    pct(r.accuracy),
    pct(r.top1Accuracy),
    pct(r.macroF1),
    pct(r.inScopeAccuracy),
    pct(r.oosRecall),
    pct(r.entityF1),
    r.trainSeconds.toFixed(2),
    r.trainCpuSeconds.toFixed(2),
    r.medianInferenceMs.toFixed(3),
    r.memoryMB.toFixed(0),
    delta(r.accuracy, r.float32?.accuracy),
    delta(r.entityF1, r.float32?.entityF1),
    r.modelFile === undefined ? '-' : (r.modelFile.bytes / 2 ** 20).toFixed(1),
    r.modelFile === undefined ? '-' : `${r.modelFile.firstLoadMs.toFixed(0)}/${r.modelFile.medianLoadMs.toFixed(0)}/${r.modelFile.medianLoadCpuMs.toFixed(0)}`,
    r.modelFile === undefined ? '-' : (r.modelFile.float32.bytes / 2 ** 20).toFixed(1),
    r.modelFile === undefined
      ? '-'
      : `${r.modelFile.float32.firstLoadMs.toFixed(0)}/${r.modelFile.float32.medianLoadMs.toFixed(0)}/${r.modelFile.float32.medianLoadCpuMs.toFixed(0)}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** What the parent process asks one child to measure. */
interface Job {
  pair: Pair;
  system: 'local' | 'nlpjs';
  /** undefined: the calibrated threshold */
  threshold?: number;
}

// Each (data set, system) runs in its own child process, so one system's garbage, JIT state
// or WebAssembly memory never shows up in another's time or memory figures.
function runChild(job: Job): Promise<Row> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(__filename, ['--child', JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let row: Row | undefined;
    child.on('message', (message) => (row = message as Row));
    child.on('error', reject);
    child.on('exit', (code) =>
      row !== undefined && code === 0 ? resolvePromise(row) : reject(new Error(`${job.pair.name} ${job.system}: child exited with code ${code}`)),
    );
  });
}

async function child(job: Job): Promise<void> {
  const system: BenchSystem = job.system === 'local' ? new LocalSystem(job.threshold) : new NlpJsSystem();
  const row = await measure(system, job.pair);
  await new Promise<void>((done) => process.send?.(row, () => done()));
}

async function main(): Promise<number> {
  if (process.argv[2] === '--child') {
    await child(JSON.parse(process.argv[3] ?? '{}') as Job);
    return 0;
  }
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\nsee the header of bench/nlu/run.ts for flags\n`);
      return 2;
    }
    throw err;
  }
  const rows: Row[] = [];
  for (const pair of args.pairs) {
    for (const system of args.systems as Array<'local' | 'nlpjs'>) {
      process.stderr.write(`${pair.name}: ${system}...\n`);
      rows.push(await runChild({ pair, system, ...(args.threshold === undefined ? {} : { threshold: args.threshold }) }));
    }
  }
  process.stdout.write(`${formatTable(rows)}\n`);
  process.stdout.write("acc/macroF1/in-scope/oos-rec use each system's final answer (after its own None fallback); top1 ignores fallback.\n");
  process.stdout.write('train s = wall clock, cpu s = process CPU time during training; MB = heap + external memory retained by the trained model.\n');
  process.stdout.write(
    'local: the figures are those of the model read back from its model file (int8 weights); Δacc f32 / ΔentF1 = that minus the same trained model before rounding (float32); file MB = model file size; load ms = first load in the process / median of 3 / median CPU ms; f32 MB, f32 load = the same model saved with float32 weights (format version 5 size), measured just before.\n',
  );
  process.stdout.write('Each system runs in its own process, one after the other.\n');
  if (args.out !== undefined) writeFileSync(args.out, `${JSON.stringify(rows, null, 2)}\n`);
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
