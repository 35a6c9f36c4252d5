/**
 * The systems compared by `npm run bench:nlu`, behind one small interface so each is trained
 * and tested on exactly the same examples in the same process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LocalRecognizer,
  loadModel,
  measureModelFile,
  NONE_INTENT,
  isOutOfScopeLabel,
  saveModel,
  type LuisInstance,
  type TrainingData,
} from '../../recognizers';

/** One system's answer for one utterance. */
export interface BenchAnswer {
  /** final intent (after the system's own fallback), out-of-scope labels as None */
  intent: string;
  /** best intent before any fallback */
  top: string;
  entities: Array<{ entity: string; start: number; end: number }> | null;
}

/** A model file's size and load times (first load in the process, median of 3, median CPU). */
export interface FileStats {
  bytes: number;
  firstLoadMs: number;
  medianLoadMs: number;
  medianLoadCpuMs: number;
}

/** The compact (int8) model file and, for comparison, the same model saved with float32 weights. */
export interface CompactStats extends FileStats {
  float32: FileStats;
}

/** A system under test. */
export interface BenchSystem {
  readonly name: string;
  /** false when the system has no learned entity extraction to score */
  readonly extractsEntities: boolean;
  train(data: TrainingData): Promise<void>;
  predict(text: string): Promise<BenchAnswer>;
  /**
   * Systems with compact model files: round the trained model's weights as its model file
   * does, write the file, read the model back from it for the next predictions, and report
   * the file's size and load times (first load in this process, median of 3).
   */
  compact?(): Promise<CompactStats>;
}

/** This repository's recognizer; built-in entities off, since gold data never has them. */
export class LocalSystem implements BenchSystem {
  readonly name = 'local';
  readonly extractsEntities = true;
  private recognizer: LocalRecognizer | undefined;

  /** `threshold` undefined: the one the recognizer calibrates at training time. */
  constructor(private readonly threshold?: number) {}

  async train(data: TrainingData): Promise<void> {
    // float32 first, so the bench measures what rounding to int8 costs on the same model.
    this.recognizer = LocalRecognizer.train(data, {
      builtinEntities: [],
      weightPrecision: 'float32',
      ...(this.threshold === undefined ? {} : { threshold: this.threshold }),
    });
  }

  async compact(): Promise<CompactStats> {
    if (this.recognizer === undefined) throw new Error('train first');
    const dir = mkdtempSync(join(tmpdir(), 'bench-nlu-'));
    const pick = (s: FileStats): FileStats => ({
      bytes: s.bytes,
      firstLoadMs: s.firstLoadMs,
      medianLoadMs: s.medianLoadMs,
      medianLoadCpuMs: s.medianLoadCpuMs,
    });
    try {
      // The float32 file first (what a model file was before format version 6), then int8.
      const float32File = join(dir, 'model-float32.json');
      saveModel(this.recognizer, float32File, 'bench');
      const float32 = pick(measureModelFile(float32File, 3));
      rmSync(float32File);
      this.recognizer.quantizeWeights();
      const file = join(dir, 'model.json');
      saveModel(this.recognizer, file, 'bench');
      this.recognizer = undefined;
      const stats = pick(measureModelFile(file, 3));
      this.recognizer = loadModel(file);
      return { ...stats, float32 };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async predict(text: string): Promise<BenchAnswer> {
    if (this.recognizer === undefined) throw new Error('train first');
    const result = this.recognizer.parse(text);
    const intent = Object.entries(result.intents).sort((a, b) => (b[1].score ?? 0) - (a[1].score ?? 0))[0]?.[0] ?? NONE_INTENT;
    const instance = (result.entities?.$instance ?? {}) as Record<string, LuisInstance[]>;
    return {
      intent,
      // Without a fallback the top intent is the model's own choice (possibly None from an
      // out-of-scope class); after one, the best real candidate.
      top: result.fallback === undefined ? intent : (result.candidates[0]?.intent ?? NONE_INTENT),
      entities: Object.values(instance)
        .flat()
        .map((i) => ({ entity: i.type, start: i.startIndex, end: i.endIndex })),
    };
  }
}

// NLP.js ships without TypeScript types; this is the part of its API the benchmark uses.
interface NlpJs {
  use(plugin: unknown): void;
  addDocument(locale: string, text: string, intent: string): void;
  train(): Promise<unknown>;
  process(locale: string, text: string): Promise<{ intent: string; score: number; classifications?: Array<{ intent: string; score: number }> }>;
}

/**
 * NLP.js (`@nlpjs/nlp`) with its default neural intent classifier. It uses the English
 * stemmer package when one is installed (`@nlpjs/lang-en` or `@nlpjs/lang-en-min`); without
 * it, NLP.js falls back to plain tokens, which costs it accuracy.
 */
export class NlpJsSystem implements BenchSystem {
  readonly name: string;
  readonly extractsEntities = false;
  private nlp: NlpJs | undefined;
  private readonly langPlugin: unknown;

  constructor() {
    this.langPlugin = tryRequire('@nlpjs/lang-en')?.LangEn ?? tryRequire('@nlpjs/lang-en-min')?.LangEn;
    this.name = this.langPlugin === undefined ? 'nlp.js (no lang-en)' : 'nlp.js';
  }

  async train(data: TrainingData): Promise<void> {
    const { Nlp } = require('@nlpjs/nlp') as { Nlp: new (settings: object) => NlpJs };
    const nlp = new Nlp({ languages: ['en'], autoSave: false, autoLoad: false, nlu: { log: false }, log: false });
    if (this.langPlugin !== undefined) nlp.use(this.langPlugin);
    for (const e of data.examples) if (e.text.trim() !== '') nlp.addDocument('en', e.text, e.intent);
    await nlp.train();
    this.nlp = nlp;
  }

  async predict(text: string): Promise<BenchAnswer> {
    if (this.nlp === undefined) throw new Error('train first');
    const r = await this.nlp.process('en', text);
    const norm = (i: string | undefined): string => (i === undefined || i === 'None' || isOutOfScopeLabel(i) ? NONE_INTENT : i);
    return { intent: norm(r.intent), top: norm(r.classifications?.[0]?.intent ?? r.intent), entities: null };
  }
}

function tryRequire(id: string): Record<string, unknown> | undefined {
  try {
    return require(id) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
