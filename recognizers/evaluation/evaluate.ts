import { performance } from 'node:perf_hooks';
import { LocalRecognizer, type LocalRecognizerOptions, type LuisInstance, type ProgressFn } from '../localRecognizer';
import { createRng, shuffleInPlace } from '../random';
import { entityLabel, NONE_INTENT, type Example, type TrainingData } from '../types';
import { isRetrievalLabel, reportedIntent } from '../fallback';
import { expectedCalibrationError, type CalibrationInfo } from '../calibration';
import { entityMetrics, intentMetrics, median, type EntityMetrics, type IntentMetrics, type TypedSpan } from './metrics';

/** One evaluated utterance, as written to the report's `predictions`. */
export interface Prediction {
  text: string;
  /** gold intent; out-of-scope labels (`oos`, `out_of_scope`) are mapped to `None` */
  intent: string;
  /** intent after the fallback policy */
  predicted: string;
  /** the model's best intent before the fallback policy, and its score */
  candidate: string;
  confidence: number;
  /** top score minus second score, for threshold/margin sweeps without re-running */
  margin: number;
  entities: TypedSpan[];
  predictedEntities: Array<TypedSpan & { value: string }>;
  /** gold `base/sub` label of a retrieval intent, and the predicted response key */
  responseKey?: string;
  predictedResponseKey?: string;
}

/** Everything `npm run nlu -- evaluate` writes to its JSON report. */
export interface EvaluationReport {
  trainExamples: number;
  testExamples: number;
  folds?: number;
  threshold: number;
  ambiguityMargin: number;
  intent: IntentMetrics;
  /** accuracy over gold in-scope utterances only (a `None` answer counts as wrong) */
  inScopeAccuracy: number;
  /** share of gold out-of-scope utterances answered with `None`; null when the test set has none */
  outOfScopeRecall: number | null;
  outOfScopeSupport: number;
  /**
   * Expected calibration error (10 bins) of the model's top confidence against whether that top
   * intent was right, before any fallback: 0 means "confidence 0.8 is right 80% of the time".
   */
  calibrationError: number;
  /** how the trained model calibrated itself (single train/test runs; absent for CV and --model without it) */
  calibration?: CalibrationInfo;
  /** retrieval intents: share of gold `base/sub` utterances answered with that exact response key; null without any */
  responseKeyAccuracy: number | null;
  responseKeySupport: number;
  entities: EntityMetrics;
  /**
   * Entity scores by `entity@role#group` label (Rasa roles and groups): a span counts only with
   * the right role and group too. null when neither gold nor predictions have roles or groups.
   */
  entityRoles: EntityMetrics | null;
  /** wall-clock training time */
  trainSeconds: number;
  /** CPU time of training (user + system); robust to other processes competing for cores */
  trainCpuSeconds: number;
  medianInferenceMs: number;
  predictions: Prediction[];
}

/** Gold intent in report terms: out-of-scope labels become `None`, retrieval intents their base. */
export function goldIntent(label: string): string {
  return reportedIntent(label);
}

/** Runs the recognizer over test examples and collects predictions with timings. */
export function predict(recognizer: LocalRecognizer, examples: Example[]): { predictions: Prediction[]; timesMs: number[] } {
  const predictions: Prediction[] = [];
  const timesMs: number[] = [];
  for (const ex of examples) {
    const start = performance.now();
    const result = recognizer.parse(ex.text);
    timesMs.push(performance.now() - start);
    const top = topIntentOf(result.intents);
    // The model's own ranking, None included (result.candidates leaves None out because
    // dialogs offer only real intents); computed outside the timed call.
    const [first, second] = recognizer.scoreIntents(ex.text);
    const instance = (result.entities?.$instance ?? {}) as Record<string, LuisInstance[]>;
    predictions.push({
      text: ex.text,
      intent: goldIntent(ex.intent),
      predicted: top,
      candidate: first?.intent ?? NONE_INTENT,
      confidence: first?.score ?? 0,
      margin: (first?.score ?? 0) - (second?.score ?? 0),
      entities: ex.entities.map((e) => withRoleAndGroup({ entity: e.entity, start: e.start, end: e.end }, e)),
      predictedEntities: Object.values(instance)
        .flat()
        .map((i) => withRoleAndGroup({ entity: i.type, start: i.startIndex, end: i.endIndex, value: i.text }, i)),
      ...(isRetrievalLabel(ex.intent) ? { responseKey: ex.intent } : {}),
      ...(result.retrieval ? { predictedResponseKey: result.retrieval.responseKey } : {}),
    });
  }
  return { predictions, timesMs };
}

function withRoleAndGroup<T extends TypedSpan>(span: T, from: { role?: string | undefined; group?: string | undefined }): T {
  if (from.role !== undefined) span.role = from.role;
  if (from.group !== undefined) span.group = from.group;
  return span;
}

/** Spans relabelled `entity@role#group`, so per-label scores are per role and group. */
function byRole(spans: TypedSpan[]): TypedSpan[] {
  return spans.map((s) => ({ entity: entityLabel(s), start: s.start, end: s.end }));
}

/** Builds the report from predictions (also used after a threshold change in sweeps). */
export function summarise(
  predictions: Prediction[],
  info: {
    calibration?: CalibrationInfo;
    trainExamples: number;
    trainSeconds: number;
    trainCpuSeconds: number;
    timesMs: number[];
    threshold: number;
    ambiguityMargin: number;
    folds?: number;
  },
): EvaluationReport {
  const inScope = predictions.filter((p) => p.intent !== NONE_INTENT);
  const oos = predictions.filter((p) => p.intent === NONE_INTENT);
  const retrieval = predictions.filter((p) => p.responseKey !== undefined);
  const hasRoles = predictions.some((p) => [...p.entities, ...p.predictedEntities].some((e) => e.role !== undefined || e.group !== undefined));
  const report: EvaluationReport = {
    trainExamples: info.trainExamples,
    testExamples: predictions.length,
    threshold: info.threshold,
    ambiguityMargin: info.ambiguityMargin,
    intent: intentMetrics(
      predictions.map((p) => p.intent),
      predictions.map((p) => p.predicted),
    ),
    inScopeAccuracy: inScope.length === 0 ? 0 : inScope.filter((p) => p.predicted === p.intent).length / inScope.length,
    outOfScopeRecall: oos.length === 0 ? null : oos.filter((p) => p.predicted === NONE_INTENT).length / oos.length,
    outOfScopeSupport: oos.length,
    calibrationError: expectedCalibrationError(predictions.map((p) => ({ confidence: p.confidence, correct: p.candidate === p.intent }))),
    responseKeyAccuracy: retrieval.length === 0 ? null : retrieval.filter((p) => p.predictedResponseKey === p.responseKey).length / retrieval.length,
    responseKeySupport: retrieval.length,
    entities: entityMetrics(
      predictions.map((p) => p.entities),
      predictions.map((p) => p.predictedEntities),
    ),
    entityRoles: hasRoles
      ? entityMetrics(
          predictions.map((p) => byRole(p.entities)),
          predictions.map((p) => byRole(p.predictedEntities)),
        )
      : null,
    trainSeconds: info.trainSeconds,
    trainCpuSeconds: info.trainCpuSeconds,
    medianInferenceMs: median(info.timesMs),
    predictions,
  };
  if (info.folds !== undefined) report.folds = info.folds;
  if (info.calibration !== undefined) report.calibration = info.calibration;
  return report;
}

/** CPU seconds used by this process so far (user + system). */
export function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Trains (timed, wall and CPU) with the given options. */
export function timedTrain(
  train: TrainingData,
  options: LocalRecognizerOptions,
  progress?: ProgressFn,
): { recognizer: LocalRecognizer; trainSeconds: number; trainCpuSeconds: number } {
  const wall = performance.now();
  const cpu = cpuSeconds();
  const recognizer = LocalRecognizer.train(train, options, progress);
  return { recognizer, trainSeconds: (performance.now() - wall) / 1000, trainCpuSeconds: cpuSeconds() - cpu };
}

/** Evaluates an already trained recognizer (e.g. loaded from a model file). */
export function evaluateRecognizer(
  recognizer: LocalRecognizer,
  test: Example[],
  info: { trainExamples: number; trainSeconds: number; trainCpuSeconds: number },
): EvaluationReport {
  const { predictions, timesMs } = predict(recognizer, test);
  return summarise(predictions, {
    ...info,
    ...(recognizer.calibration === null ? {} : { calibration: recognizer.calibration }),
    timesMs,
    threshold: recognizer.threshold,
    ambiguityMargin: recognizer.ambiguityMargin,
  });
}

/** Trains on `train`, evaluates on `test`. */
export function trainAndEvaluate(
  train: TrainingData,
  test: Example[],
  options: LocalRecognizerOptions = {},
  progress?: ProgressFn,
): { report: EvaluationReport; recognizer: LocalRecognizer } {
  const { recognizer, trainSeconds, trainCpuSeconds } = timedTrain(train, options, progress);
  const started = performance.now();
  const { predictions, timesMs } = predict(recognizer, test);
  progress?.(`evaluated ${test.length} examples in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const report = summarise(predictions, {
    ...(recognizer.calibration === null ? {} : { calibration: recognizer.calibration }),
    trainExamples: train.examples.length,
    trainSeconds,
    trainCpuSeconds,
    timesMs,
    threshold: recognizer.threshold,
    ambiguityMargin: recognizer.ambiguityMargin,
  });
  return { report, recognizer };
}

/**
 * Stratified k-fold cross-validation: each intent's examples are shuffled (seeded) and dealt
 * round-robin to folds. Predictions from all folds are pooled; times are per-fold means.
 */
export function crossValidate(data: TrainingData, folds: number, options: LocalRecognizerOptions = {}, progress?: ProgressFn): EvaluationReport {
  if (!Number.isInteger(folds) || folds < 2) throw new Error(`folds must be an integer >= 2 (got ${folds})`);
  const rng = createRng(options.seed ?? 42);
  const foldOf = new Int32Array(data.examples.length);
  const byIntent = new Map<string, number[]>();
  for (const [i, e] of data.examples.entries()) byIntent.set(e.intent, [...(byIntent.get(e.intent) ?? []), i]);
  let dealer = 0;
  for (const intent of [...byIntent.keys()].sort()) {
    const idx = byIntent.get(intent) as number[];
    shuffleInPlace(idx, rng);
    for (const i of idx) foldOf[i] = dealer++ % folds;
  }
  const predictions: Prediction[] = [];
  const timesMs: number[] = [];
  let trainSeconds = 0;
  let trainCpuSeconds = 0;
  let threshold = 0;
  let ambiguityMargin = 0;
  for (let f = 0; f < folds; f++) {
    const train: TrainingData = { ...data, examples: data.examples.filter((_, i) => foldOf[i] !== f) };
    const test = data.examples.filter((_, i) => foldOf[i] === f);
    if (test.length === 0 || train.examples.length === 0) continue;
    const foldProgress = progress === undefined ? undefined : (message: string): void => progress(`fold ${f + 1}/${folds}: ${message}`);
    foldProgress?.(`training on ${train.examples.length} examples, testing on ${test.length}`);
    const { report } = trainAndEvaluate(train, test, options, foldProgress);
    predictions.push(...report.predictions);
    if (foldProgress) {
      const right = report.predictions.filter((p) => p.predicted === p.intent).length;
      foldProgress(
        `done: accuracy ${((100 * right) / test.length).toFixed(1)} in ${report.trainSeconds.toFixed(1)} s of training (${Math.round(train.examples.length / Math.max(report.trainSeconds, 1e-6))} examples/s)`,
      );
    }
    timesMs.push(report.medianInferenceMs);
    trainSeconds += report.trainSeconds / folds;
    trainCpuSeconds += report.trainCpuSeconds / folds;
    threshold = report.threshold;
    ambiguityMargin = report.ambiguityMargin;
  }
  return summarise(predictions, {
    trainExamples: Math.round((data.examples.length * (folds - 1)) / folds),
    trainSeconds,
    trainCpuSeconds,
    timesMs,
    threshold,
    ambiguityMargin,
    folds,
  });
}

function topIntentOf(intents: Record<string, { score?: number }>): string {
  let best = NONE_INTENT;
  let bestScore = -Infinity;
  for (const [name, { score }] of Object.entries(intents)) {
    if ((score ?? 0) > bestScore) {
      bestScore = score ?? 0;
      best = name;
    }
  }
  return best;
}
