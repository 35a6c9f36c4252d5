/**
 * Command line for the local recognizer: `npm run nlu -- <command> [flags]`.
 * Usage errors exit with code 2, failures while running with code 1.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadTrainingData, LocalRecognizer, type LocalRecognizerOptions, type TrainingData } from '../../recognizers';
import { crossValidate, trainAndEvaluate, type EvaluationReport } from '../../recognizers/evaluation/evaluate';

const DEFAULT_NLU = resolve(__dirname, '../../data/nlu.yml');

const USAGE = `usage: npm run nlu -- <command> [flags]

commands:
  parse "text" [--train FILE]            print the RecognizerResult as JSON
  evaluate [--train FILE] (--test FILE | --folds N) [--out report.json]
                                         train and evaluate; prints a summary
common flags:
  --train FILE       training data (.yml/.yaml Rasa NLU or .jsonl); default data/nlu.yml
  --threshold X      confidence threshold in [0, 1]
  --margin X         ambiguity margin in [0, 1]
  --seed N           training seed`;

/** A command-line mistake: printed with the usage text, exit code 2. */
class UsageError extends Error {}

interface Flags {
  positional: string[];
  values: Map<string, string>;
}

const VALUE_FLAGS = new Set(['train', 'test', 'folds', 'out', 'threshold', 'margin', 'seed']);

function parseFlags(argv: string[]): Flags {
  const positional: string[] = [];
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (!VALUE_FLAGS.has(name)) throw new UsageError(`unknown flag --${name}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    values.set(name, value);
  }
  return { positional, values };
}

function numberFlag(flags: Flags, name: string, min: number, max: number, integer = false): number | undefined {
  const raw = flags.values.get(name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max} (got "${raw}")`);
  }
  return n;
}

function dataFile(flags: Flags, name: string, fallback?: string): string | undefined {
  const file = flags.values.get(name) ?? fallback;
  if (file !== undefined && !existsSync(file)) throw new UsageError(`--${name}: file not found: ${file}`);
  return file;
}

function recognizerOptions(flags: Flags): LocalRecognizerOptions {
  const options: LocalRecognizerOptions = {};
  const threshold = numberFlag(flags, 'threshold', 0, 1);
  const margin = numberFlag(flags, 'margin', 0, 1);
  const seed = numberFlag(flags, 'seed', 0, 2 ** 32 - 1, true);
  if (threshold !== undefined) options.threshold = threshold;
  if (margin !== undefined) options.ambiguityMargin = margin;
  if (seed !== undefined) options.seed = seed;
  return options;
}

function pct(x: number | null): string {
  return x === null ? '-' : (x * 100).toFixed(2);
}

/** Short human summary of a report. */
export function formatSummary(report: EvaluationReport): string {
  const lines = [
    `examples: train ${report.trainExamples}, test ${report.testExamples}${report.folds ? ` (${report.folds}-fold CV)` : ''}`,
    `intent accuracy ${pct(report.intent.accuracy)}  macro F1 ${pct(report.intent.macroF1)}  in-scope accuracy ${pct(report.inScopeAccuracy)}`,
    `out-of-scope recall ${pct(report.outOfScopeRecall)} (n=${report.outOfScopeSupport})  threshold ${report.threshold}  margin ${report.ambiguityMargin}`,
    `entity micro F1 ${report.entities.support > 0 ? pct(report.entities.f1) : '-'} (P ${pct(report.entities.precision)} R ${pct(report.entities.recall)}, n=${report.entities.support})`,
    `train ${report.trainSeconds.toFixed(2)} s  median inference ${report.medianInferenceMs.toFixed(3)} ms/utterance`,
  ];
  return lines.join('\n');
}

function runParse(flags: Flags): void {
  const text = flags.positional[1];
  if (text === undefined) throw new UsageError('parse needs the text to parse, e.g. parse "where is my order 12345?"');
  const train = loadTrainingData(dataFile(flags, 'train', DEFAULT_NLU) as string);
  const recognizer = LocalRecognizer.train(train, recognizerOptions(flags));
  process.stdout.write(`${JSON.stringify(recognizer.parse(text), null, 2)}\n`);
}

function runEvaluate(flags: Flags): void {
  const trainFile = dataFile(flags, 'train', DEFAULT_NLU) as string;
  const testFile = dataFile(flags, 'test');
  const folds = numberFlag(flags, 'folds', 2, 100, true);
  if ((testFile === undefined) === (folds === undefined)) throw new UsageError('evaluate needs exactly one of --test FILE or --folds N');
  const train: TrainingData = loadTrainingData(trainFile);
  const options = recognizerOptions(flags);
  const report = testFile !== undefined
    ? trainAndEvaluate(train, loadTrainingData(testFile).examples, options).report
    : crossValidate(train, folds as number, options);
  process.stdout.write(`${formatSummary(report)}\n`);
  const out = flags.values.get('out');
  if (out !== undefined) {
    mkdirSync(dirname(resolve(out)), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`report written to ${out}\n`);
  }
}

/** Entry point; returns the process exit code. */
export function main(argv: string[]): number {
  try {
    const flags = parseFlags(argv);
    const command = flags.positional[0];
    if (command === 'parse') runParse(flags);
    else if (command === 'evaluate') runEvaluate(flags);
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

if (require.main === module) process.exitCode = main(process.argv.slice(2));
