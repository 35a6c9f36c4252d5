import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadTrainingData, type TrainingDataWarn } from './data/trainingData';
import { LocalRecognizer, type LocalRecognizerOptions, type RecognizerState } from './localRecognizer';
import type { TrainingData } from './types';

/** Identifies our model files; anything else is refused with a clear error. */
export const MODEL_FORMAT = 'order-support-bot/local-recognizer';

/**
 * Bumped whenever featurisation or model layout changes, so an old file is never read as a new
 * one. It is also part of the training hash, which makes `loadOrTrain` retrain after upgrades.
 */
export const MODEL_FORMAT_VERSION = 5;

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

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && '$f32' in value) {
    const raw = Buffer.from(String((value as { $f32: unknown }).$f32), 'base64');
    const copy = new Uint8Array(raw.byteLength);
    copy.set(raw);
    return new Float32Array(copy.buffer);
  }
  return value;
}

/** Writes a trained recognizer to a versioned JSON model file (atomically: temp file + rename). */
export function saveModel(recognizer: LocalRecognizer, file: string, hash: string, options: LocalRecognizerOptions = {}): void {
  const doc: ModelFile = { format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, trainingDataHash: hash, options, model: recognizer.toState() };
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
    doc = JSON.parse(text, reviver);
  } catch (err) {
    throw new Error(`${file}: corrupt model file, not valid JSON (${(err as Error).message}); delete it to retrain`);
  }
  const d = doc as Partial<ModelFile> | null;
  if (d === null || typeof d !== 'object' || d.format !== MODEL_FORMAT) {
    throw new Error(`${file}: not a local-recognizer model file (expected format "${MODEL_FORMAT}")`);
  }
  if (d.version !== MODEL_FORMAT_VERSION) {
    throw new Error(
      `${file}: model format version ${String(d.version)} is not supported (this build reads ${MODEL_FORMAT_VERSION}); retrain with "npm run nlu -- train"`,
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
  if (existsSync(modelFile) && !isOlderModelVersion(modelFile)) {
    const doc = readModelFile(modelFile);
    if (doc.trainingDataHash === hash) {
      return { recognizer: fromDocument(doc, modelFile), info: { trainingDataHash: hash, retrained: false, modelFile } };
    }
  }
  const recognizer = LocalRecognizer.train(data, options);
  saveModel(recognizer, modelFile, hash, options);
  return { recognizer, info: { trainingDataHash: hash, retrained: true, modelFile } };
}
