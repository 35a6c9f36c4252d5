import type { Activity, RecognizerResult } from 'botbuilder-core';
import { Recognizer, type DialogContext } from 'botbuilder-dialogs';
import { NONE_INTENT, type TrainingData } from './types';
import { EntityExtractor, type FoundEntity } from './entities/extractor';
import { DEFAULT_ORDER_ID_PATTERN, ORDER_ID_ENTITY } from './entities/orderId';
import { DEFAULT_TAGGER_OPTIONS } from './entities/tagger';
import { DEFAULT_FEATURIZER_OPTIONS, Featurizer } from './intent/featurizer';
import { DEFAULT_SOFTMAX_OPTIONS, SoftmaxClassifier } from './intent/softmaxClassifier';
import { applyFallback, DEFAULT_AMBIGUITY_MARGIN, DEFAULT_THRESHOLD, isOutOfScopeLabel, type IntentCandidate } from './fallback';

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
  /** SGD epochs of the intent classifier. */
  epochs?: number;
}

/** Intent candidate list plus fallback details, added to the LUIS-style RecognizerResult. */
export interface LocalRecognizerResult extends RecognizerResult {
  /** Intents by the model's score, best first, before the fallback policy (for "Did you mean ...?"). */
  candidates: IntentCandidate[];
  /** Present when the fallback policy turned the answer into `None`. */
  fallback?: { reason: 'low_confidence' | 'ambiguous'; threshold: number; ambiguityMargin: number };
}

interface Parts {
  featurizer: Featurizer;
  classifier: SoftmaxClassifier;
  extractor: EntityExtractor;
  threshold: number;
  ambiguityMargin: number;
}

/**
 * A trainable local recognizer: TF-IDF word and char n-grams into multinomial logistic
 * regression for intents, and a perceptron tagger plus rules for entities. Synchronous
 * `parse` for tools and tests; `recognize` for dialogs.
 */
export class LocalRecognizer extends Recognizer {
  private readonly parts: Parts;
  /** Intent names the model can return (out-of-scope labels appear as `None`). */
  readonly intents: string[];

  private constructor(parts: Parts) {
    super();
    this.parts = parts;
    this.intents = [...new Set(parts.classifier.classes.map((c) => (isOutOfScopeLabel(c) ? NONE_INTENT : c)))];
    if (!this.intents.includes(NONE_INTENT)) this.intents.push(NONE_INTENT);
  }

  /** Trains synchronously; deterministic for the same data and seed. Throws on empty data. */
  static train(data: TrainingData, options: LocalRecognizerOptions = {}): LocalRecognizer {
    if (data.examples.length === 0) throw new Error('cannot train a recognizer on training data with no examples');
    const seed = options.seed ?? DEFAULT_SOFTMAX_OPTIONS.seed;
    const texts = data.examples.map((e) => e.text);
    const featurizer = Featurizer.fit(texts, DEFAULT_FEATURIZER_OPTIONS);
    const classes = [...new Set(data.examples.map((e) => e.intent))].sort();
    const classIndex = new Map(classes.map((c, i) => [c, i]));
    const xs = texts.map((t) => featurizer.transform(t));
    const labels = Int32Array.from(data.examples.map((e) => classIndex.get(e.intent) ?? 0));
    const classifier = SoftmaxClassifier.train(xs, labels, classes, featurizer.size, {
      ...DEFAULT_SOFTMAX_OPTIONS,
      seed,
      epochs: options.epochs ?? DEFAULT_SOFTMAX_OPTIONS.epochs,
    });
    const declaresOrderId =
      options.orderIdPattern !== undefined ||
      ORDER_ID_ENTITY in data.regexes ||
      data.examples.some((e) => e.entities.some((s) => s.entity === ORDER_ID_ENTITY));
    const pattern = declaresOrderId ? options.orderIdPattern ?? DEFAULT_ORDER_ID_PATTERN : null;
    const extractor = EntityExtractor.train(data, pattern, { ...DEFAULT_TAGGER_OPTIONS, seed });
    return new LocalRecognizer({
      featurizer,
      classifier,
      extractor,
      threshold: options.threshold ?? DEFAULT_THRESHOLD,
      ambiguityMargin: options.ambiguityMargin ?? DEFAULT_AMBIGUITY_MARGIN,
    });
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

  /** Model scores per intent before the fallback policy, best first (out-of-scope labels as None). */
  scoreIntents(text: string): IntentCandidate[] {
    const { featurizer, classifier } = this.parts;
    const probs = classifier.predictProba(featurizer.transform(text));
    const merged = new Map<string, number>();
    classifier.classes.forEach((c, i) => {
      const name = isOutOfScopeLabel(c) ? NONE_INTENT : c;
      merged.set(name, (merged.get(name) ?? 0) + (probs[i] as number));
    });
    if (!merged.has(NONE_INTENT)) merged.set(NONE_INTENT, 0);
    if (text.trim() === '') {
      // Nothing to classify: the prior would otherwise pick the most frequent intent.
      for (const k of merged.keys()) merged.set(k, k === NONE_INTENT ? 1 : 0);
    }
    return [...merged].map(([intent, score]) => ({ intent, score })).sort((a, b) => b.score - a.score || a.intent.localeCompare(b.intent));
  }

  /** Recognises intents and entities synchronously. */
  parse(text: string): LocalRecognizerResult {
    const candidates = this.scoreIntents(text);
    const decision = applyFallback(candidates, this.parts.threshold, this.parts.ambiguityMargin);
    const intents: Record<string, { score: number }> = {};
    for (const c of decision.intents) intents[c.intent] = { score: round(c.score) };
    const result: LocalRecognizerResult = {
      text,
      intents,
      entities: toLuisEntities(text.trim() === '' ? [] : this.parts.extractor.extract(text)),
      candidates: candidates.filter((c) => c.intent !== NONE_INTENT).slice(0, 5).map((c) => ({ intent: c.intent, score: round(c.score) })),
    };
    if (decision.fallback) result.fallback = { reason: decision.fallback, threshold: this.parts.threshold, ambiguityMargin: this.parts.ambiguityMargin };
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

/** One `$instance` entry: where an entity was found (`endIndex` exclusive). */
export interface LuisInstance {
  startIndex: number;
  endIndex: number;
  text: string;
  type: string;
  score: number;
}

/** Converts found entities to LUIS form: `{ type: [values], $instance: { type: [spans] } }`. */
export function toLuisEntities(found: FoundEntity[]): RecognizerResult['entities'] {
  const values: Record<string, string[]> = {};
  const instance: Record<string, LuisInstance[]> = {};
  for (const e of found) {
    (values[e.type] ??= []).push(e.value);
    (instance[e.type] ??= []).push({ startIndex: e.start, endIndex: e.end, text: e.text, type: e.type, score: e.score });
  }
  return { ...values, $instance: instance };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
