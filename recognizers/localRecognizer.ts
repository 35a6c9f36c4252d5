import { performance } from 'node:perf_hooks';
import type { Activity, RecognizerResult } from 'botbuilder-core';
import { Recognizer, type DialogContext } from 'botbuilder-dialogs';
import { NONE_INTENT, type TrainingData } from './types';
import { ALL_BUILTIN_ENTITIES, findBuiltinEntities, type BuiltinEntity } from './entities/builtins';
import { EntityExtractor, type ExtractorState, type FoundEntity } from './entities/extractor';
import { DEFAULT_ORDER_ID_PATTERN, ORDER_ID_ENTITY } from './entities/orderId';
import { DEFAULT_TAGGER_OPTIONS } from './entities/tagger';
import { DEFAULT_INTENT_MODEL_OPTIONS, IntentModel, type IntentModelOptions, type IntentModelState } from './intent/intentModel';
import { DEFAULT_WEIGHT_PRECISION, type WeightPrecision } from './quantize';
import { applyTemperature, calibrate, stratifiedFolds, type CalibrationInfo, type HeldOut } from './calibration';
import {
  applyFallback,
  DEFAULT_AMBIGUITY_MARGIN,
  DEFAULT_IN_SCOPE_BUDGET,
  DEFAULT_THRESHOLD,
  isRetrievalLabel,
  reportedIntent,
  type IntentCandidate,
} from './fallback';

/**
 * Longest prefix of a message that the recognizer reads (cut at a word boundary). A customer's
 * request and order ID come early; like a transformer encoder's token window, the rest is
 * ignored, so recognition time is bounded (about 10-20 ms at most on one core).
 */
export const MAX_RECOGNIZED_CHARS = 4096;

/** The part of `text` that recognition reads: all of it, or its first MAX_RECOGNIZED_CHARS cut before a partial word. */
export function recognitionWindow(text: string): string {
  if (text.length <= MAX_RECOGNIZED_CHARS) return text;
  const cut = text.slice(0, MAX_RECOGNIZED_CHARS);
  const lastSpace = cut.search(/\s\S*$/);
  return lastSpace > MAX_RECOGNIZED_CHARS / 2 ? cut.slice(0, lastSpace) : cut;
}

/** Options of {@link LocalRecognizer.train}. */
export interface LocalRecognizerOptions {
  /** Top intent scores below this become `None` (default {@link DEFAULT_THRESHOLD}). */
  threshold?: number;
  /** When the top two scores are closer than this, the answer is `None` too (default {@link DEFAULT_AMBIGUITY_MARGIN}). */
  ambiguityMargin?: number;
  /** Regex source for order ids, matched case-insensitively (default {@link DEFAULT_ORDER_ID_PATTERN}). */
  orderIdPattern?: string;
  /** Seed for shuffling during training; same data + seed gives the same model. */
  seed?: number;
  /** Built-in entities from Microsoft Recognizers-Text to add (default: all; `[]` for none). */
  builtinEntities?: BuiltinEntity[];
  /**
   * Static-embedding features beside the n-grams: the name of an artifact under
   * models/static-embeddings/, or false for none. Default: {@link DEFAULT_STATIC_EMBEDDINGS}
   * from 2,000 examples on (where the MLPs are trained too), none below.
   */
  staticEmbeddings?: string | false;
  /** weight of the embedding block against the n-gram blocks (default 1) */
  staticEmbeddingWeight?: number;
  /**
   * Calibrate the intent confidences and choose the threshold from held-out folds of the
   * training data (default true). false keeps the raw scores and {@link DEFAULT_THRESHOLD}.
   */
  calibrate?: boolean;
  /**
   * The stated out-of-scope trade-off for the chosen threshold: the largest share of correctly
   * classified in-scope examples it may send to `None` (default {@link DEFAULT_IN_SCOPE_BUDGET}).
   */
  inScopeBudget?: number;
  /**
   * Train the MLPs next to the linear model (default true; they are skipped anyway below 2,000
   * examples). false trains about 5x faster at some accuracy cost on large data.
   */
  mlp?: boolean;
  /**
   * How the big weight matrices are kept and saved (default {@link DEFAULT_WEIGHT_PRECISION}):
   * `int8` rounds them to int8 rows right after training, so the model answers exactly as its
   * model file will, at a quarter of the float32 file size.
   */
  weightPrecision?: WeightPrecision;
  /**
   * Loss weight factor of the out-of-scope class (`out_of_scope`, `out_of_scope/*`, `oos`)
   * when the training data has one, on top of the class balancing (default
   * {@link DEFAULT_OUT_OF_SCOPE_WEIGHT}); 1 treats it like any intent.
   */
  outOfScopeWeight?: number;
}

/**
 * A small prior towards out-of-scope: its examples count three times in the loss. Out-of-scope
 * examples cover a vast space with few examples, so class balancing alone under-weights them;
 * see docs/nlu.md ("Out-of-scope examples") for what 1, 1.5, 2, 3, 4 and 6 gave.
 */
export const DEFAULT_OUT_OF_SCOPE_WEIGHT = 3;

/** Receives human-readable progress lines during long training runs (stage, examples per second). */
export type ProgressFn = (message: string) => void;

/** Intent candidate list plus fallback details, added to the LUIS-style RecognizerResult. */
export interface LocalRecognizerResult extends RecognizerResult {
  /** Intents by the model's score, best first, before the fallback policy (for "Did you mean ...?"). */
  candidates: IntentCandidate[];
  /** Present when the fallback policy turned the answer into `None`. */
  fallback?: { reason: 'low_confidence' | 'ambiguous'; threshold: number; ambiguityMargin: number };
  /**
   * Present when the top intent is the base of retrieval intents (`faq` from `faq/ask_price`):
   * the full `base/sub` label to pick the response by, like Rasa's response selector.
   */
  retrieval?: RetrievalResult;
}

/** The response key of a retrieval intent (see {@link LocalRecognizerResult.retrieval}). */
export interface RetrievalResult {
  /** the base intent, as reported in `intents` */
  intent: string;
  /** the full label, e.g. `faq/ask_price` */
  responseKey: string;
  /** share of the base intent's probability that this sub-intent holds (0-1) */
  score: number;
  /** the base intent's sub-intents, best first (at most 5) */
  ranking: Array<{ responseKey: string; score: number }>;
}

/** One `$instance` entry: where an entity was found (`endIndex` exclusive). */
export interface LuisInstance {
  startIndex: number;
  endIndex: number;
  text: string;
  type: string;
  score: number;
  /** entity role (Rasa `"role"`, LUIS role), when annotated in training data */
  role?: string;
  /** entity group (Rasa `"group"`), when annotated in training data */
  group?: string;
}

/** Everything needed to rebuild a trained recognizer (the model file's payload). */
export interface RecognizerState {
  /** the threshold in force: the option given, else the calibrated choice */
  threshold: number;
  /** null when trained with `calibrate: false` or on too little data */
  calibration: CalibrationInfo | null;
  ambiguityMargin: number;
  builtinEntities: BuiltinEntity[];
  /** how the weight matrices are rounded (absent in format version 5 files: float32) */
  weightPrecision?: WeightPrecision;
  intent: IntentModelState;
  entities: ExtractorState;
}

interface Parts {
  intentModel: IntentModel;
  calibration: CalibrationInfo | null;
  extractor: EntityExtractor;
  threshold: number;
  ambiguityMargin: number;
  builtinEntities: BuiltinEntity[];
  weightPrecision: WeightPrecision;
}

/**
 * A trainable local recognizer: TF-IDF word and char n-grams into an ensemble of logistic
 * regression and an MLP for intents; a perceptron tagger plus nlu.yml rules and built-ins for
 * entities; a threshold + ambiguity-margin fallback to `None`. Synchronous `parse` for tools and
 * tests, `recognize` for dialogs.
 */
export class LocalRecognizer extends Recognizer {
  private readonly parts: Parts;
  /** Intent names the model can return (out-of-scope labels appear as `None`). */
  readonly intents: string[];

  private constructor(parts: Parts) {
    super();
    this.parts = parts;
    this.intents = [...new Set(parts.intentModel.classes.map(reportedIntent))];
    if (!this.intents.includes(NONE_INTENT)) this.intents.push(NONE_INTENT);
  }

  /** Trains synchronously; deterministic for the same data and seed. Throws on empty data. */
  static train(data: TrainingData, options: LocalRecognizerOptions = {}, progress?: ProgressFn): LocalRecognizer {
    if (data.examples.length === 0) throw new Error('cannot train a recognizer on training data with no examples');
    const stage = startStage(progress, data.examples.length);
    const seed = options.seed ?? 42;
    const texts = data.examples.map((e) => e.text);
    const labels = data.examples.map((e) => e.intent);
    const intentOptions = intentModelOptions(options, seed, texts.length);
    const intentModel = IntentModel.train(texts, labels, intentOptions);
    stage('intent model');
    const calibration =
      options.calibrate === false
        ? null
        : calibrateIntentModel(texts, labels, intentModel.classes, intentOptions, options.inScopeBudget ?? DEFAULT_IN_SCOPE_BUDGET, seed, progress);
    if (calibration !== null)
      stage(
        `calibration (${calibration.folds === 1 ? 'one held-out fifth' : `${calibration.folds} folds`}, temperature ${calibration.temperature}, threshold ${calibration.chosenThreshold})`,
      );
    const declaresOrderId =
      options.orderIdPattern !== undefined ||
      ORDER_ID_ENTITY in data.regexes ||
      data.examples.some((e) => e.entities.some((s) => s.entity === ORDER_ID_ENTITY));
    const pattern = declaresOrderId ? (options.orderIdPattern ?? DEFAULT_ORDER_ID_PATTERN) : null;
    const extractor = EntityExtractor.train(data, pattern, { ...DEFAULT_TAGGER_OPTIONS, seed });
    stage('entity extractor');
    const recognizer = new LocalRecognizer({
      intentModel,
      calibration,
      extractor,
      threshold: options.threshold ?? calibration?.chosenThreshold ?? DEFAULT_THRESHOLD,
      // A calibrated threshold already prices in close calls; the margin stays for explicit use.
      ambiguityMargin: options.ambiguityMargin ?? (calibration === null ? DEFAULT_AMBIGUITY_MARGIN : 0),
      builtinEntities: [...(options.builtinEntities ?? ALL_BUILTIN_ENTITIES)],
      weightPrecision: 'float32',
    });
    if ((options.weightPrecision ?? DEFAULT_WEIGHT_PRECISION) === 'int8') recognizer.quantizeWeights();
    return recognizer;
  }

  /** Rebuilds a recognizer from {@link RecognizerState} (see `loadModel`). */
  static fromState(state: RecognizerState): LocalRecognizer {
    return new LocalRecognizer({
      intentModel: IntentModel.fromState(state.intent),
      calibration: state.calibration ?? null,
      extractor: EntityExtractor.fromState(state.entities),
      threshold: state.threshold,
      ambiguityMargin: state.ambiguityMargin,
      builtinEntities: state.builtinEntities,
      weightPrecision: state.weightPrecision ?? 'float32',
    });
  }

  /** Serialisable state of the trained recognizer. */
  toState(): RecognizerState {
    const { intentModel, calibration, extractor, threshold, ambiguityMargin, builtinEntities, weightPrecision } = this.parts;
    return { threshold, calibration, ambiguityMargin, builtinEntities, weightPrecision, intent: intentModel.toState(), entities: extractor.toState() };
  }

  /** How the weight matrices are rounded (and saved): `int8` or `float32`. */
  get weightPrecision(): WeightPrecision {
    return this.parts.weightPrecision;
  }

  /**
   * Rounds the weight matrices to int8 rows in place, as an int8 model file stores them
   * (a no-op when already int8). Used after training, and by benchmarks to measure what the
   * rounding costs on the same trained model.
   */
  quantizeWeights(): void {
    if (this.parts.weightPrecision === 'int8') return;
    this.parts.intentModel.quantizeWeights();
    this.parts.extractor.quantizeWeights();
    this.parts.weightPrecision = 'int8';
  }

  /** How the confidences were calibrated and the threshold chosen; null when not calibrated. */
  get calibration(): CalibrationInfo | null {
    return this.parts.calibration;
  }

  /** Current confidence threshold. */
  get threshold(): number {
    return this.parts.threshold;
  }

  /** Current ambiguity margin. */
  get ambiguityMargin(): number {
    return this.parts.ambiguityMargin;
  }

  /** Changes the fallback policy without retraining (e.g. after a threshold sweep). */
  setFallbackPolicy(threshold: number, ambiguityMargin: number = this.parts.ambiguityMargin): void {
    this.parts.threshold = threshold;
    this.parts.ambiguityMargin = ambiguityMargin;
  }

  /**
   * Model scores per intent before the fallback policy, best first. Out-of-scope labels count
   * as None and retrieval intents (`faq/ask_price`) as their base (`faq`), with the sub-intents'
   * probabilities summed.
   */
  scoreIntents(text: string): IntentCandidate[] {
    return this.mergeScores(this.classProbabilities(text));
  }

  /** Probability of each training label (intentModel.classes order); null for blank text. */
  private classProbabilities(text: string): Float64Array | null {
    if (text.trim() === '') return null;
    const probs = this.parts.intentModel.predict(text);
    return this.parts.calibration === null ? probs : applyTemperature(probs, this.parts.calibration.temperature);
  }

  private mergeScores(probs: Float64Array | null): IntentCandidate[] {
    const merged = new Map<string, number>();
    if (probs === null) {
      // Nothing to classify: the class prior would otherwise pick the most frequent intent.
      for (const intent of this.intents) merged.set(intent, intent === NONE_INTENT ? 1 : 0);
    } else {
      this.parts.intentModel.classes.forEach((c, i) => {
        const name = reportedIntent(c);
        merged.set(name, (merged.get(name) ?? 0) + (probs[i] as number));
      });
      if (!merged.has(NONE_INTENT)) merged.set(NONE_INTENT, 0);
    }
    return [...merged].map(([intent, score]) => ({ intent, score })).sort((a, b) => b.score - a.score || a.intent.localeCompare(b.intent));
  }

  /** The response key within retrieval intent `base`, or undefined when `base` has no sub-intents. */
  private retrievalOf(base: string, probs: Float64Array | null): RetrievalResult | undefined {
    if (probs === null) return undefined;
    const subs: Array<{ responseKey: string; score: number }> = [];
    let total = 0;
    this.parts.intentModel.classes.forEach((c, i) => {
      if (!isRetrievalLabel(c) || reportedIntent(c) !== base) return;
      subs.push({ responseKey: c, score: probs[i] as number });
      total += probs[i] as number;
    });
    if (subs.length === 0) return undefined;
    subs.sort((a, b) => b.score - a.score || a.responseKey.localeCompare(b.responseKey));
    const ranking = subs.slice(0, 5).map((s) => ({ responseKey: s.responseKey, score: round(total > 0 ? s.score / total : 0) }));
    const best = ranking[0] as { responseKey: string; score: number };
    return { intent: base, responseKey: best.responseKey, score: best.score, ranking };
  }

  /** Entities only (learned, rules and built-ins), overlaps resolved. */
  extractEntities(text: string): FoundEntity[] {
    if (text.trim() === '') return [];
    return this.parts.extractor.extract(text, findBuiltinEntities(text, this.parts.builtinEntities));
  }

  /** Recognises intents and entities synchronously. */
  parse(fullText: string): LocalRecognizerResult {
    // Every stage is linear in the text, but a long message still costs tens of milliseconds per
    // 10 KB; reading a bounded window keeps one turn cheap whatever MAX_MESSAGE_CHARS allows.
    const text = recognitionWindow(fullText);
    const probs = this.classProbabilities(text);
    const candidates = this.mergeScores(probs);
    const decision = applyFallback(candidates, this.parts.threshold, this.parts.ambiguityMargin);
    const intents: Record<string, { score: number }> = {};
    for (const c of decision.intents) intents[c.intent] = { score: round(c.score) };
    const result: LocalRecognizerResult = {
      text: fullText,
      intents,
      entities: toLuisEntities(this.extractEntities(text)),
      candidates: candidates
        .filter((c) => c.intent !== NONE_INTENT)
        .slice(0, 5)
        .map((c) => ({ intent: c.intent, score: round(c.score) })),
    };
    if (decision.fallback) result.fallback = { reason: decision.fallback, threshold: this.parts.threshold, ambiguityMargin: this.parts.ambiguityMargin };
    const retrieval = decision.topIntent === NONE_INTENT ? undefined : this.retrievalOf(decision.topIntent, probs);
    if (retrieval !== undefined) result.retrieval = retrieval;
    return result;
  }

  /** Bot Framework entry point: recognises `activity.text` and tracks the result in telemetry. */
  override async recognize(
    dialogContext: DialogContext,
    activity: Partial<Activity>,
    telemetryProperties?: Record<string, string>,
    telemetryMetrics?: Record<string, number>,
  ): Promise<RecognizerResult> {
    const result = this.parse(activity.text ?? '');
    this.trackRecognizerResult(
      dialogContext,
      'LocalRecognizerResult',
      this.fillRecognizerResultTelemetryProperties(result, telemetryProperties ?? {}, dialogContext),
      telemetryMetrics,
    );
    return result;
  }
}

/** Converts found entities to LUIS form: `{ type: [values], $instance: { type: [spans] } }`. */
export function toLuisEntities(found: FoundEntity[]): RecognizerResult['entities'] {
  const values: Record<string, unknown[]> = {};
  const instance: Record<string, LuisInstance[]> = {};
  for (const e of found) {
    const list = values[e.type] ?? [];
    values[e.type] = list;
    list.push(e.value);
    const entry: LuisInstance = { startIndex: e.start, endIndex: e.end, text: e.text, type: e.type, score: e.score };
    if (e.role !== undefined) entry.role = e.role;
    if (e.group !== undefined) entry.group = e.group;
    instance[e.type] ??= [];
    instance[e.type]?.push(entry);
  }
  return { ...values, $instance: instance };
}

/** One entity of a result with its value, role and group (see {@link entitiesOf}). */
export interface ResultEntity extends LuisInstance {
  value: unknown;
}

/**
 * The entities of a recognizer result of type `entity`, optionally only those with the given
 * role and/or group, in text order: what a dialog reads for "from [Berlin] to [Rome]"
 * (`entitiesOf(result, 'city', { role: 'departure' })`).
 */
export function entitiesOf(result: Pick<RecognizerResult, 'entities'>, entity: string, filter: { role?: string; group?: string } = {}): ResultEntity[] {
  const entities = (result.entities ?? {}) as Record<string, unknown>;
  const values = entities[entity];
  const instances = ((entities.$instance ?? {}) as Record<string, LuisInstance[] | undefined>)[entity] ?? [];
  return instances
    .map((instance, i) => ({ ...instance, value: Array.isArray(values) ? values[i] : undefined }))
    .filter((e) => (filter.role === undefined || e.role === filter.role) && (filter.group === undefined || e.group === filter.group))
    .sort((a, b) => a.startIndex - b.startIndex);
}

/** Intent model settings for these recognizer options; MLPs on or off as decided for `examples`. */
function intentModelOptions(options: LocalRecognizerOptions, seed: number, examples: number): IntentModelOptions {
  const defaults = DEFAULT_INTENT_MODEL_OPTIONS;
  const mlp = options.mlp === false || defaults.mlp === null || examples < defaults.mlpMinExamples ? null : { ...defaults.mlp, seed: seed + 1 };
  const name = options.staticEmbeddings ?? (examples >= defaults.mlpMinExamples ? DEFAULT_STATIC_EMBEDDINGS : false);
  const embeddings = name === false ? null : { name, weight: options.staticEmbeddingWeight ?? 1 };
  return { ...defaults, softmax: { ...defaults.softmax, seed }, mlp, embeddings, outOfScopeWeight: options.outOfScopeWeight ?? DEFAULT_OUT_OF_SCOPE_WEIGHT };
}

/**
 * The static-embedding artifact used by default on large data: all-MiniLM-L6-v2 distilled by
 * scripts/distill_static_embeddings.py. Weight 1 was best of 0.5/1/2 on banking77 dev.
 */
export const DEFAULT_STATIC_EMBEDDINGS = 'minilm-l6-v2-static-v1';

/** Below this many examples per fold's held-out part, calibration is skipped. */
const MIN_CALIBRATION_EXAMPLES = 10;
/** From this many examples on, calibration trains one model on four fifths instead of five folds. */
const ONE_FOLD_FROM_EXAMPLES = 2000;

/**
 * Held-out predictions of models trained like the final one (same options, MLPs as decided for
 * the full data), then temperature and threshold fitted on them. Five stratified folds on small
 * data; one held-out fifth on large data, which costs one extra training of 80% of the data.
 */
function calibrateIntentModel(
  texts: string[],
  labels: string[],
  classes: string[],
  intentOptions: IntentModelOptions,
  budget: number,
  seed: number,
  progress?: ProgressFn,
): CalibrationInfo | null {
  if (texts.length < MIN_CALIBRATION_EXAMPLES || classes.length < 2) return null;
  const folds = 5;
  const trainedFolds = texts.length >= ONE_FOLD_FROM_EXAMPLES ? 1 : folds;
  const foldOf = stratifiedFolds(labels, folds, seed + 7);
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  // Fold models get the final model's MLP decision, whatever their own size.
  const foldOptions: IntentModelOptions = { ...intentOptions, mlpMinExamples: 0, mlpCount: intentOptions.mlp === null ? 0 : intentOptions.mlpCount };
  const heldOut: HeldOut[] = [];
  for (let f = 0; f < trainedFolds; f++) {
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    foldOf.forEach((k, i) => {
      (k === f ? testIdx : trainIdx).push(i);
    });
    if (testIdx.length === 0 || new Set(trainIdx.map((i) => labels[i])).size < 2) continue;
    const started = performance.now();
    const model = IntentModel.train(
      trainIdx.map((i) => texts[i] as string),
      trainIdx.map((i) => labels[i] as string),
      foldOptions,
    );
    const seen = model.classes.map((c) => classIndex.get(c) ?? -1);
    for (const i of testIdx) {
      const foldProbs = model.predict(texts[i] as string);
      const probs = new Float64Array(classes.length);
      seen.forEach((full, k) => {
        if (full >= 0) probs[full] = foldProbs[k] as number;
      });
      const gold = classIndex.get(labels[i] as string) ?? 0;
      heldOut.push({ probs, gold, goldSeen: model.classes.includes(labels[i] as string) });
    }
    const seconds = (performance.now() - started) / 1000;
    progress?.(
      `calibration fold ${f + 1}/${trainedFolds}: ${trainIdx.length} examples in ${seconds.toFixed(2)} s (${Math.round(trainIdx.length / Math.max(seconds, 1e-6))} examples/s)`,
    );
  }
  if (heldOut.length < MIN_CALIBRATION_EXAMPLES) return null;
  return calibrate(heldOut, classes, budget, trainedFolds);
}

/** A closure that reports each finished training stage with its time and throughput. */
function startStage(progress: ProgressFn | undefined, examples: number): (name: string) => void {
  let last = performance.now();
  return (name) => {
    if (progress === undefined) return;
    const now = performance.now();
    const seconds = (now - last) / 1000;
    last = now;
    progress(`${name}: ${examples} examples in ${seconds.toFixed(2)} s (${Math.round(examples / Math.max(seconds, 1e-6))} examples/s)`);
  };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
