import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadTrainingData, type TrainingDataWarn } from './data/trainingData';
import { LocalRecognizer, type LocalRecognizerOptions, type RecognizerState } from './localRecognizer';
import { dequantizeRows, isInt8Rows, quantizeRows } from './quantize';
import type { TrainingData } from './types';

/** Identifies our model files; anything else is refused with a clear error. */
export const MODEL_FORMAT = 'order-support-bot/local-recognizer';

/**
 * Bumped whenever featurisation or model layout changes, so an old file is never read as a new
 * one. It is also part of the training hash, which makes `loadOrTrain` retrain after upgrades.
 * Version 6: weight matrices may be stored as int8 rows (`{"$q8", "scales", "cols"}`).
 */
export const MODEL_FORMAT_VERSION = 6;

/**
 * Older versions this build still reads: version 5 has the same layout with float32 weights
 * only, so a v5 file loads as it is (`loadOrTrain` still retrains it, since the version is part
 * of the training hash).
 */
export const READABLE_MODEL_FORMAT_VERSIONS: readonly number[] = [5, MODEL_FORMAT_VERSION];

/** The JSON document written by `npm run nlu -- train`. */
export interface ModelFile {
  format: typeof MODEL_FORMAT;
  version: number;
  /** sha256 of the training data, the training options and the format version */
  trainingDataHash: string;
  options: LocalRecognizerOptions;
  model: RecognizerState;
}

/** Information about where a recognizer came from (set by `loadModel` / `loadOrTrain`). */
export interface ModelInfo {
  trainingDataHash: string;
  /** true when `loadOrTrain` had to train (no file, or the data changed) */
  retrained: boolean;
  modelFile: string;
}

/** Stable fingerprint of training data plus the options that shape the model. */
export function trainingDataHash(data: TrainingData, options: LocalRecognizerOptions = {}): string {
  const sortedOptions = Object.fromEntries(
    Object.entries(options)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  return createHash('sha256')
    .update(JSON.stringify({ v: MODEL_FORMAT_VERSION, options: sortedOptions, data }))
    .digest('hex');
}

// Typed arrays become {"$f32": base64} (about 4x smaller than number lists, and exact).
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Float32Array) return { $f32: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  return value;
}

function decodeTyped(value: object): unknown {
  if (isInt8Rows(value)) return dequantizeRows(value);
  if ('$f32' in value) {
    const raw = Buffer.from(String((value as { $f32: unknown }).$f32), 'base64');
    const copy = new Uint8Array(raw.byteLength);
    copy.set(raw);
    return new Float32Array(copy.buffer);
  }
  return undefined;
}

/**
 * Turns the typed-array markers of a parsed document back into Float32Arrays, in place. A walk
 * after a plain JSON.parse: a reviver would be called for each of the tens of thousands of
 * numbers in the feature tables, which made loading the bot's small model several times slower.
 */
function reviveTyped(node: unknown): unknown {
  if (node === null || typeof node !== 'object') return node;
  const typed = decodeTyped(node);
  if (typed !== undefined) return typed;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const v: unknown = node[i];
      if (v !== null && typeof v === 'object') node[i] = reviveTyped(v);
    }
    return node;
  }
  const record = node as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (v !== null && typeof v === 'object') record[key] = reviveTyped(v);
  }
  return node;
}

/**
 * The state as written: with int8 precision the big matrices (linear model, MLP input layers,
 * tagger features) become int8 rows; the reviver turns them back into Float32Arrays.
 */
function encodeState(state: RecognizerState): unknown {
  if (state.weightPrecision !== 'int8') return state;
  const { intent, entities } = state;
  const softmax = intent.softmax;
  const tagger = entities.tagger;
  return {
    ...state,
    intent: {
      ...intent,
      softmax: softmax === null ? null : { ...softmax, weights: quantizeRows(softmax.weights, softmax.weights.length / Math.max(1, softmax.features)) },
      mlps: intent.mlps.map((m) => ({ ...m, w1: quantizeRows(m.w1, m.w1.length / Math.max(1, m.features)) })),
    },
    entities: { ...entities, tagger: tagger === null ? null : { ...tagger, weights: quantizeRows(tagger.weights, tagger.tags.length) } },
  };
}

/** Writes a trained recognizer to a versioned JSON model file (atomically: temp file + rename). */
export function saveModel(recognizer: LocalRecognizer, file: string, hash: string, options: LocalRecognizerOptions = {}): void {
  const doc = { format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, trainingDataHash: hash, options, model: encodeState(recognizer.toState()) };
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(doc, replacer));
  renameSync(tmp, file);
}

/** Reads and validates a model file; every failure is an Error that names the file. */
export function readModelFile(file: string): ModelFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read model file (${(err as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: corrupt model file, not valid JSON (${(err as Error).message}); delete it to retrain`);
  }
  try {
    doc = reviveTyped(doc);
  } catch (err) {
    throw new Error(`${file}: corrupt model file (${(err as Error).message}); delete it to retrain`);
  }
  const d = doc as Partial<ModelFile> | null;
  if (d === null || typeof d !== 'object' || d.format !== MODEL_FORMAT) {
    throw new Error(`${file}: not a local-recognizer model file (expected format "${MODEL_FORMAT}")`);
  }
  if (typeof d.version !== 'number' || !READABLE_MODEL_FORMAT_VERSIONS.includes(d.version)) {
    throw new Error(
      `${file}: model format version ${String(d.version)} is not supported (this build reads versions ${READABLE_MODEL_FORMAT_VERSIONS.join(' and ')}); retrain with "npm run nlu -- train"`,
    );
  }
  if (typeof d.trainingDataHash !== 'string' || d.model === undefined || typeof d.model !== 'object') {
    throw new Error(`${file}: corrupt model file (missing trainingDataHash or model)`);
  }
  return d as ModelFile;
}

/** Loads a recognizer from a model file. */
export function loadModel(file: string): LocalRecognizer {
  return fromDocument(readModelFile(file), file);
}

/** Size and load time of a model file, as `npm run nlu -- train` and `bench:nlu` print them. */
export interface ModelFileStats {
  bytes: number;
  /** the first load in this process (cold: JIT and caches not warmed by an earlier load) */
  firstLoadMs: number;
  /** CPU time of that first load (user + system) */
  firstLoadCpuMs: number;
  /** median over all loads */
  medianLoadMs: number;
  /** median CPU time of a load (user + system): steadier than wall time on a busy machine */
  medianLoadCpuMs: number;
  loads: number;
}

/** Loads `file` `loads` times in this process and reports its size and load times. */
export function measureModelFile(file: string, loads = 5): ModelFileStats {
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < Math.max(1, loads); i++) {
    const t = performance.now();
    const cpu = process.cpuUsage();
    loadModel(file);
    const used = process.cpuUsage(cpu);
    times.push(performance.now() - t);
    cpuTimes.push((used.user + used.system) / 1000);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return {
    bytes: statSync(file).size,
    firstLoadMs: times[0] as number,
    firstLoadCpuMs: cpuTimes[0] as number,
    medianLoadMs: median(times),
    medianLoadCpuMs: median(cpuTimes),
    loads: times.length,
  };
}

function fromDocument(doc: ModelFile, file: string): LocalRecognizer {
  try {
    return LocalRecognizer.fromState(doc.model);
  } catch (err) {
    throw new Error(`${file}: corrupt model file (${(err as Error).message}); delete it to retrain`);
  }
}

/**
 * True for one of our model files written by an older build (a lower format version): the bot
 * retrains and overwrites it. Anything else unreadable is left to `readModelFile` to report.
 */
function isOlderModelVersion(file: string): boolean {
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as Partial<ModelFile> | null;
    return doc !== null && typeof doc === 'object' && doc.format === MODEL_FORMAT && typeof doc.version === 'number' && doc.version < MODEL_FORMAT_VERSION;
  } catch {
    return false;
  }
}

/**
 * Start-up helper for the bot: loads `modelFile` when it was trained on exactly this
 * `nluFile` content and these options; otherwise trains and (re)writes the file. A corrupt or
 * foreign model file is an error naming the file rather than a silent retrain, so a broken
 * deployment is noticed; a file from an older format version is retrained.
 */
export function loadOrTrain(
  nluFile: string,
  modelFile: string,
  options: LocalRecognizerOptions = {},
  warn?: TrainingDataWarn,
): { recognizer: LocalRecognizer; info: ModelInfo } {
  const data = loadTrainingData(nluFile, warn === undefined ? {} : { warn });
  const hash = trainingDataHash(data, options);
  if (existsSync(modelFile)) {
    let doc: ModelFile | undefined;
    try {
      doc = readModelFile(modelFile);
    } catch (err) {
      // Only an older build's file is retrained (parsed a second time, on this path only).
      if (!isOlderModelVersion(modelFile)) throw err;
    }
    if (doc !== undefined && doc.trainingDataHash === hash) {
      return { recognizer: fromDocument(doc, modelFile), info: { trainingDataHash: hash, retrained: false, modelFile } };
    }
  }
  const recognizer = LocalRecognizer.train(data, options);
  saveModel(recognizer, modelFile, hash, options);
  return { recognizer, info: { trainingDataHash: hash, retrained: true, modelFile } };
}
