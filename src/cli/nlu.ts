/**
 * Command line for the local recognizer: `npm run nlu -- <command> [flags]`.
 * Usage errors exit with code 2, failures while running with code 1.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { dirname, join, resolve } from 'node:path';
import {
  loadModel,
  measureModelFile,
  WEIGHT_PRECISIONS,
  type ModelFileStats,
  type WeightPrecision,
  loadTrainingData,
  LocalRecognizer,
  mergeTrainingData,
  resolveTrainingFiles,
  saveModel,
  trainingDataHash,
  type LocalRecognizerOptions,
  type TrainingData,
} from '../../recognizers';
import { crossValidate, evaluateRecognizer, timedTrain, trainAndEvaluate, type EvaluationReport } from '../../recognizers/evaluation/evaluate';
import { checkGate, formatGate, readGateThresholds } from '../../recognizers/evaluation/gate';
import { writeReportDir } from '../../recognizers/evaluation/reports';
import { DEFAULT_MARGINS, DEFAULT_THRESHOLDS, formatSweep, recommend, sweep, type SweepRow } from '../../recognizers/evaluation/sweep';

const ROOT = resolve(__dirname, '../..');
const DEFAULT_NLU = resolve(ROOT, 'data/nlu.yml');
const DEFAULT_MODEL = resolve(ROOT, 'models/nlu.model.json');
const DEFAULT_GATE = resolve(ROOT, 'data/nlu-gate.json');

const USAGE = `usage: npm run nlu -- <command> [flags]

commands:
  parse "text" [--train FILE | --model FILE]   print the RecognizerResult as JSON
  train [--train FILE] [--out FILE]            train and write a model file (default models/nlu.model.json)
  evaluate [--train FILE | --model FILE] (--test FILE | --folds N)
           [--out report.json] [--report-dir DIR] [--sweep] [--builtins]
                                               evaluate and print a summary
  gate [--thresholds FILE] [--test FILE] [--train FILE]
                                               regression gate: exit 1 when intent accuracy or an
                                               entity's F1 on the held-out file is below the
                                               thresholds (default data/nlu-gate.json)
flags:
  --train FILE     training data (.yml/.yaml Rasa NLU or .jsonl), a directory or a glob
                   ("data/nlu/*.yml"); repeat to merge (e.g. train + dev); default data/nlu.yml
  --model FILE     use a trained model file instead of training
  --test FILE      test data (.yml/.yaml or .jsonl, a directory or a glob)
  --folds N        stratified N-fold cross-validation on the training data
  --out FILE       train: model file; evaluate: JSON report with every prediction
  --report-dir DIR rasa-style reports: intent/entity reports, errors, confusion matrix and
                   confidence histogram (PNG and SVG)
  --sweep          print the threshold/margin trade-off table and a recommended setting
  --threshold X    confidence threshold in [0, 1]
  --margin X       ambiguity margin in [0, 1]
  --seed N         training seed
  --builtins       evaluate with built-in entities (number, datetime, ...) switched on
  --no-mlp         linear intent model only (faster training)
  --thresholds FILE gate thresholds (JSON: minIntentAccuracy, minEntityF1, test)
  --embeddings NAME static-embedding features from models/static-embeddings/NAME.json, or
                   none (default: minilm-l6-v2-static-v1 from 2,000 examples on, none below);
                   --embedding-weight X scales them (default 1)
  --precision P    weight matrices as int8 (default: a quarter of the size, accuracy within 0.1
                   point on the benchmarks) or float32
  --oos-weight X   loss weight factor of the out-of-scope class (default 3; 1 = like any intent)
  --no-calibration raw scores and the fixed default threshold 0.5 / margin 0.05 (as before calibration)`;

/** A command-line mistake: printed with the usage text, exit code 2. */
class UsageError extends Error {}

interface Flags {
  positional: string[];
  values: Map<string, string[]>;
  switches: Set<string>;
}

const VALUE_FLAGS = new Set([
  'train',
  'test',
  'folds',
  'out',
  'threshold',
  'margin',
  'seed',
  'model',
  'report-dir',
  'thresholds',
  'embeddings',
  'embedding-weight',
  'precision',
  'oos-weight',
]);
const SWITCHES = new Set(['sweep', 'builtins', 'no-mlp', 'no-calibration']);

function parseFlags(argv: string[]): Flags {
  const flags: Flags = { positional: [], values: new Map(), switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      flags.positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (SWITCHES.has(name)) {
      flags.switches.add(name);
      continue;
    }
    if (!VALUE_FLAGS.has(name)) throw new UsageError(`unknown flag --${name}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    if (flags.values.has(name) && name !== 'train') throw new UsageError(`--${name} given twice`);
    flags.values.set(name, [...(flags.values.get(name) ?? []), value]);
  }
  return flags;
}

function one(flags: Flags, name: string): string | undefined {
  return flags.values.get(name)?.[0];
}

function numberFlag(flags: Flags, name: string, min: number, max: number, integer = false): number | undefined {
  const raw = one(flags, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max} (got "${raw}")`);
  }
  return n;
}

function existing(name: string, file: string): string {
  if (!existsSync(file)) throw new UsageError(`--${name}: file not found: ${file}`);
  return file;
}

/** A file, directory or glob given to --train/--test; usage error when it names nothing. */
function dataSpec(name: string, spec: string): string {
  try {
    resolveTrainingFiles(spec);
  } catch (err) {
    throw new UsageError(`--${name}: ${(err as Error).message}`);
  }
  return spec;
}

const warnOnStderr = (message: string): void => {
  process.stderr.write(`warning: ${message}\n`);
};

/** Progress lines (fold, stage, examples per second) go to stderr so stdout stays the result. */
const progressOnStderr = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

function trainingData(flags: Flags): { data: TrainingData; files: string[] } {
  const files = (flags.values.get('train') ?? [DEFAULT_NLU]).map((f) => dataSpec('train', f));
  return { data: mergeTrainingData(...files.map((f) => loadTrainingData(f, { warn: warnOnStderr }))), files };
}

function recognizerOptions(flags: Flags, forEvaluation: boolean): LocalRecognizerOptions {
  const options: LocalRecognizerOptions = {};
  const threshold = numberFlag(flags, 'threshold', 0, 1);
  const margin = numberFlag(flags, 'margin', 0, 1);
  const seed = numberFlag(flags, 'seed', 0, 2 ** 31 - 1, true);
  if (threshold !== undefined) options.threshold = threshold;
  if (margin !== undefined) options.ambiguityMargin = margin;
  if (seed !== undefined) options.seed = seed;
  if (flags.switches.has('no-mlp')) options.mlp = false;
  if (flags.switches.has('no-calibration')) options.calibrate = false;
  const embeddings = one(flags, 'embeddings');
  const embeddingWeight = numberFlag(flags, 'embedding-weight', 0, 10);
  if (embeddings !== undefined) options.staticEmbeddings = embeddings === 'none' ? false : embeddings;
  if (embeddingWeight !== undefined) options.staticEmbeddingWeight = embeddingWeight;
  const oosWeight = numberFlag(flags, 'oos-weight', 0.1, 100);
  if (oosWeight !== undefined) options.outOfScopeWeight = oosWeight;
  const precision = one(flags, 'precision');
  if (precision !== undefined) {
    if (!(WEIGHT_PRECISIONS as readonly string[]).includes(precision))
      throw new UsageError(`--precision must be one of ${WEIGHT_PRECISIONS.join(', ')} (got "${precision}")`);
    options.weightPrecision = precision as WeightPrecision;
  }
  // Built-ins are not in benchmark gold data and cost milliseconds per utterance, so
  // evaluation leaves them out unless asked.
  if (forEvaluation && !flags.switches.has('builtins')) options.builtinEntities = [];
  return options;
}

/** Wall time of the first `--model` load in this process (the cold one), for the evaluate summary. */
let coldModelLoad: { ms: number; cpuMs: number } | undefined;

function modelFlag(flags: Flags): LocalRecognizer | undefined {
  const file = one(flags, 'model');
  if (file === undefined) return undefined;
  if (flags.values.has('train')) throw new UsageError('give either --model or --train, not both');
  const path = existing('model', file);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const recognizer = loadModel(path);
  const used = process.cpuUsage(cpu);
  coldModelLoad = { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
  const threshold = numberFlag(flags, 'threshold', 0, 1);
  const margin = numberFlag(flags, 'margin', 0, 1);
  if (threshold !== undefined || margin !== undefined) recognizer.setFallbackPolicy(threshold ?? recognizer.threshold, margin ?? recognizer.ambiguityMargin);
  return recognizer;
}

function pct(x: number | null): string {
  return x === null ? '-' : (x * 100).toFixed(2);
}

/** One indented line per entity (or entity@role) label: precision, recall, F1 and gold support. */
function perLabelLines(kind: string, scores: Record<string, { precision: number; recall: number; f1: number; support: number }>): string[] {
  return Object.entries(scores)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, s]) => `  ${kind} ${name}: P ${pct(s.precision)} R ${pct(s.recall)} F1 ${pct(s.f1)} (n=${s.support})`);
}

/** Short human summary of a report. */
export function formatSummary(report: EvaluationReport): string {
  return [
    `examples: train ${report.trainExamples}, test ${report.testExamples}${report.folds ? ` (${report.folds}-fold CV)` : ''}`,
    `intent accuracy ${pct(report.intent.accuracy)}  macro F1 ${pct(report.intent.macroF1)}  in-scope accuracy ${pct(report.inScopeAccuracy)}`,
    `out-of-scope recall ${pct(report.outOfScopeRecall)} (n=${report.outOfScopeSupport})  threshold ${report.threshold}  margin ${report.ambiguityMargin}`,
    `calibration error (ECE, top confidence) ${pct(report.calibrationError)}${report.calibration ? `  temperature ${report.calibration.temperature}, chosen threshold ${report.calibration.chosenThreshold} for a ${pct(report.calibration.inScopeBudget)}% in-scope budget` : ''}`,
    `entity micro F1 ${report.entities.support > 0 ? pct(report.entities.f1) : '-'} (P ${pct(report.entities.precision)} R ${pct(report.entities.recall)}, n=${report.entities.support})`,
    ...perLabelLines('entity', report.entities.perEntity),
    ...(report.entityRoles === null
      ? []
      : [
          `entity@role#group micro F1 ${pct(report.entityRoles.f1)} (P ${pct(report.entityRoles.precision)} R ${pct(report.entityRoles.recall)})`,
          ...perLabelLines('role', report.entityRoles.perEntity),
        ]),
    ...(report.responseKeyAccuracy === null ? [] : [`retrieval response key accuracy ${pct(report.responseKeyAccuracy)} (n=${report.responseKeySupport})`]),
    `train ${report.trainSeconds.toFixed(2)} s wall, ${report.trainCpuSeconds.toFixed(2)} s CPU  median inference ${report.medianInferenceMs.toFixed(3)} ms/utterance`,
  ].join('\n');
}

/** "model file 0.47 MB (int8 weights), load 6.1 ms cold, 4.2 ms median of 5" */
export function formatModelStats(stats: ModelFileStats, precision: WeightPrecision): string {
  return `model file ${(stats.bytes / 2 ** 20).toFixed(2)} MB (${precision} weights), load ${stats.firstLoadMs.toFixed(1)} ms first in this process (${stats.firstLoadCpuMs.toFixed(1)} ms CPU), ${stats.medianLoadMs.toFixed(1)} ms median of ${stats.loads} (${stats.medianLoadCpuMs.toFixed(1)} ms CPU)`;
}

/** Large files are loaded fewer times (each load of clinc150's model takes a few hundred ms). */
function loadsFor(bytes: number): number {
  return bytes > 20 * 2 ** 20 ? 3 : 7;
}

/** Saves a trained recognizer to a temporary file to report what its model file would weigh and cost to load. */
function modelStatsOf(recognizer: LocalRecognizer, data: TrainingData, options: LocalRecognizerOptions): ModelFileStats {
  const dir = mkdtempSync(join(tmpdir(), 'nlu-model-'));
  try {
    const file = join(dir, 'model.json');
    saveModel(recognizer, file, trainingDataHash(data, options), options);
    const first = measureModelFile(file, 1);
    const stats = measureModelFile(file, loadsFor(first.bytes));
    // The first measurement of all is the coldest load this process sees: report that one.
    return { ...stats, firstLoadMs: first.firstLoadMs, firstLoadCpuMs: first.firstLoadCpuMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runParse(flags: Flags): void {
  const text = flags.positional[1];
  if (text === undefined) throw new UsageError('parse needs the text to parse, e.g. parse "where is my order 12345?"');
  const recognizer = modelFlag(flags) ?? LocalRecognizer.train(trainingData(flags).data, recognizerOptions(flags, false));
  process.stdout.write(`${JSON.stringify(recognizer.parse(text), null, 2)}\n`);
}

function runTrain(flags: Flags): void {
  const { data, files } = trainingData(flags);
  const options = recognizerOptions(flags, false);
  const out = one(flags, 'out') ?? DEFAULT_MODEL;
  const { recognizer, trainSeconds, trainCpuSeconds } = timedTrain(data, options, progressOnStderr);
  saveModel(recognizer, out, trainingDataHash(data, options), options);
  const first = measureModelFile(out, 1);
  const stats = measureModelFile(out, loadsFor(first.bytes));
  // The first measurement of all is the coldest load this process sees: report that one.
  stats.firstLoadMs = first.firstLoadMs;
  stats.firstLoadCpuMs = first.firstLoadCpuMs;
  process.stdout.write(
    `trained on ${data.examples.length} examples from ${files.join(', ')} in ${trainSeconds.toFixed(2)} s (${trainCpuSeconds.toFixed(2)} s CPU)\nmodel written to ${out}\n${formatModelStats(stats, recognizer.weightPrecision)}\n`,
  );
}

async function runEvaluate(flags: Flags): Promise<void> {
  const testFile = one(flags, 'test');
  const folds = numberFlag(flags, 'folds', 2, 100, true);
  if ((testFile === undefined) === (folds === undefined)) throw new UsageError('evaluate needs exactly one of --test FILE or --folds N');
  if (flags.values.has('model') && folds !== undefined) throw new UsageError('--folds trains models, so it cannot be used with --model');
  const model = modelFlag(flags);
  const options = recognizerOptions(flags, true);
  let report: EvaluationReport;
  let modelStats: { stats: ModelFileStats; precision: WeightPrecision; note: string };
  if (testFile !== undefined) {
    const test = loadTrainingData(dataSpec('test', testFile), { warn: warnOnStderr }).examples;
    if (model !== undefined) {
      report = evaluateRecognizer(model, test, { trainExamples: 0, trainSeconds: 0, trainCpuSeconds: 0 });
      const file = one(flags, 'model') as string;
      const stats = measureModelFile(file, loadsFor(measureModelFile(file, 1).bytes));
      // The cold load is the one --model did first, in a process that had not loaded a model yet.
      if (coldModelLoad !== undefined) {
        stats.firstLoadMs = coldModelLoad.ms;
        stats.firstLoadCpuMs = coldModelLoad.cpuMs;
      }
      modelStats = { stats, precision: model.weightPrecision, note: file };
    } else {
      const data = trainingData(flags).data;
      const trained = trainAndEvaluate(data, test, options, progressOnStderr);
      report = trained.report;
      modelStats = { stats: modelStatsOf(trained.recognizer, data, options), precision: trained.recognizer.weightPrecision, note: 'the evaluated model' };
    }
  } else {
    const data = trainingData(flags).data;
    report = crossValidate(data, folds as number, options, progressOnStderr);
    // The folds' models are not kept; size and load time are those of a model on all the data.
    progressOnStderr('training on all the data to measure the model file');
    const full = LocalRecognizer.train(data, options);
    modelStats = { stats: modelStatsOf(full, data, options), precision: full.weightPrecision, note: 'trained on all the data' };
  }
  process.stdout.write(`${formatSummary(report)}\n${formatModelStats(modelStats.stats, modelStats.precision)} (${modelStats.note})\n`);
  let sweepRows: SweepRow[] | undefined;
  if (flags.switches.has('sweep')) {
    sweepRows = sweep(report.predictions, DEFAULT_THRESHOLDS, DEFAULT_MARGINS);
    const best = recommend(sweepRows);
    process.stdout.write(`\nthreshold trade-off (margin 0):\n${formatSweep(sweepRows.filter((r) => r.margin === 0))}\n`);
    if (best) process.stdout.write(`\nrecommended: threshold ${best.threshold} margin ${best.margin}\n${formatSweep([best])}\n`);
  }
  const out = one(flags, 'out');
  if (out !== undefined) {
    mkdirSync(dirname(resolve(out)), { recursive: true });
    const modelFile = { ...modelStats.stats, weightPrecision: modelStats.precision, measuredOn: modelStats.note };
    writeFileSync(out, `${JSON.stringify(sweepRows ? { ...report, modelFile, sweep: sweepRows } : { ...report, modelFile }, null, 2)}\n`);
    process.stdout.write(`report written to ${out}\n`);
  }
  const dir = one(flags, 'report-dir');
  if (dir !== undefined) {
    const files = await writeReportDir(report, dir);
    process.stdout.write(`reports written to ${dir}: ${files.map((f) => f.slice(dir.length + 1)).join(', ')}\n`);
  }
}

/** Trains on the training data, evaluates the held-out file and compares with the thresholds. */
function runGate(flags: Flags): number {
  const thresholdsFile = existing('thresholds', one(flags, 'thresholds') ?? DEFAULT_GATE);
  const thresholds = readGateThresholds(thresholdsFile);
  const testFlag = one(flags, 'test');
  if (testFlag === undefined && thresholds.test === undefined) throw new UsageError(`gate needs --test FILE (or "test" in ${thresholdsFile})`);
  const testFile = existing('test', testFlag ?? resolve(ROOT, thresholds.test as string));
  const test = loadTrainingData(testFile).examples;
  const model = modelFlag(flags);
  const options = recognizerOptions(flags, true);
  const report =
    model !== undefined
      ? evaluateRecognizer(model, test, { trainExamples: 0, trainSeconds: 0, trainCpuSeconds: 0 })
      : trainAndEvaluate(trainingData(flags).data, test, options).report;
  const result = checkGate(report, thresholds);
  process.stdout.write(`NLU gate: ${test.length} held-out examples from ${testFile}, thresholds from ${thresholdsFile}\n${formatGate(result)}\n`);
  return result.passed ? 0 : 1;
}

/** Entry point; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'help' || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const flags = parseFlags(argv);
    const command = flags.positional[0];
    if (command === 'parse') runParse(flags);
    else if (command === 'train') runTrain(flags);
    else if (command === 'evaluate') await runEvaluate(flags);
    else if (command === 'gate') return runGate(flags);
    else throw new UsageError(command === undefined ? 'missing command' : `unknown command "${command}"`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`error: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
