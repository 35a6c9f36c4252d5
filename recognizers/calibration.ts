import { createRng, shuffleInPlace } from './random';
import { reportedIntent } from './fallback';
import { NONE_INTENT } from './types';

/**
 * How the intent confidences were calibrated and the threshold chosen, stored in the model file
 * (`model.calibration`). Figures are out-of-fold: each held-out example was scored by a model
 * that did not see it.
 */
export interface CalibrationInfo {
  /** softmax temperature applied to the intent model's log-probabilities (1 = unchanged) */
  temperature: number;
  /** threshold chosen from the held-out confidences (the recognizer uses it unless one is given) */
  chosenThreshold: number;
  /** stated trade-off: the largest share of correctly classified in-scope examples the threshold may send to None */
  inScopeBudget: number;
  /** folds trained for calibration (1 = one held-out fifth, used on large data) */
  folds: number;
  heldOutExamples: number;
  /** held-out intent accuracy without fallback (out-of-scope answered None counts as right) */
  heldOutAccuracy: number;
  /** held-out intent accuracy with the chosen threshold */
  heldOutAccuracyWithFallback: number;
  /** held-out share of gold out-of-scope examples answered None at the chosen threshold; null without any */
  heldOutOutOfScopeRecall: number | null;
  /** expected calibration error (10 bins) of the top confidence, before and after the temperature */
  eceBefore: number;
  eceAfter: number;
}

/** One held-out prediction: the model's probability per training label and the gold label index. */
export interface HeldOut {
  probs: Float64Array;
  gold: number;
  /** false when the fold's model never saw the gold label (too few examples of it) */
  goldSeen: boolean;
}

/**
 * Stratified folds: each label's indices are shuffled (seeded) and dealt round-robin, labels
 * in sorted order, so the assignment depends only on the labels and the seed.
 */
export function stratifiedFolds(labels: string[], folds: number, seed: number): Int32Array {
  const rng = createRng(seed);
  const foldOf = new Int32Array(labels.length);
  const byLabel = new Map<string, number[]>();
  labels.forEach((l, i) => {
    const list = byLabel.get(l);
    if (list) list.push(i);
    else byLabel.set(l, [i]);
  });
  let dealer = 0;
  for (const label of [...byLabel.keys()].sort()) {
    const idx = byLabel.get(label) as number[];
    shuffleInPlace(idx, rng);
    for (const i of idx) foldOf[i] = dealer++ % folds;
  }
  return foldOf;
}

/** Probabilities sharpened (T < 1) or softened (T > 1) in place: p_i^(1/T), renormalised. */
export function applyTemperature(probs: Float64Array, temperature: number): Float64Array {
  if (temperature === 1) return probs;
  let max = -Infinity;
  for (let c = 0; c < probs.length; c++) {
    probs[c] = Math.log(Math.max(probs[c] as number, 1e-300)) / temperature;
    max = Math.max(max, probs[c] as number);
  }
  let sum = 0;
  for (let c = 0; c < probs.length; c++) {
    probs[c] = Math.exp((probs[c] as number) - max);
    sum += probs[c] as number;
  }
  for (let c = 0; c < probs.length; c++) probs[c] = (probs[c] as number) / sum;
  return probs;
}

function negativeLogLikelihood(heldOut: HeldOut[], temperature: number): number {
  let total = 0;
  const buffer = new Float64Array(heldOut[0]?.probs.length ?? 0);
  for (const h of heldOut) {
    buffer.set(h.probs);
    applyTemperature(buffer, temperature);
    total -= Math.log(Math.max(buffer[h.gold] as number, 1e-12));
  }
  return total / Math.max(1, heldOut.length);
}

/**
 * Temperature scaling (Guo et al., 2017): the one temperature that minimises the held-out
 * negative log-likelihood, by golden-section search over log T in [ln 0.05, ln 20]. It does not
 * change which intent wins, only how confident the answer claims to be.
 */
export function fitTemperature(heldOut: HeldOut[]): number {
  const usable = heldOut.filter((h) => h.goldSeen);
  if (usable.length < 5) return 1;
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = hi - phi * (hi - lo);
  let b = lo + phi * (hi - lo);
  let fa = negativeLogLikelihood(usable, Math.exp(a));
  let fb = negativeLogLikelihood(usable, Math.exp(b));
  for (let i = 0; i < 40; i++) {
    if (fa <= fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = negativeLogLikelihood(usable, Math.exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = negativeLogLikelihood(usable, Math.exp(b));
    }
  }
  return Math.round(Math.exp((lo + hi) / 2) * 10000) / 10000;
}

/** One held-out example in reported-intent terms, after calibration. */
interface Scored {
  gold: string;
  top: string;
  confidence: number;
}

function score(heldOut: HeldOut[], classes: string[], temperature: number): Scored[] {
  return heldOut.map((h) => {
    const probs = applyTemperature(Float64Array.from(h.probs), temperature);
    const merged = new Map<string, number>();
    classes.forEach((c, i) => {
      merged.set(reportedIntent(c), (merged.get(reportedIntent(c)) ?? 0) + (probs[i] as number));
    });
    let top = NONE_INTENT;
    let confidence = -1;
    for (const [name, p] of [...merged].sort(([x], [y]) => x.localeCompare(y))) {
      if (p > confidence) {
        top = name;
        confidence = p;
      }
    }
    return { gold: reportedIntent(classes[h.gold] as string), top, confidence };
  });
}

/** Expected calibration error of the top confidence over 10 equal-width bins. */
export function expectedCalibrationError(points: Array<{ confidence: number; correct: boolean }>): number {
  const bins = Array.from({ length: 10 }, () => ({ n: 0, conf: 0, right: 0 }));
  for (const p of points) {
    const bin = bins[Math.min(9, Math.floor(p.confidence * 10))] as { n: number; conf: number; right: number };
    bin.n++;
    bin.conf += p.confidence;
    bin.right += p.correct ? 1 : 0;
  }
  let ece = 0;
  for (const b of bins) if (b.n > 0) ece += (b.n / Math.max(1, points.length)) * Math.abs(b.conf / b.n - b.right / b.n);
  return Math.round(ece * 10000) / 10000;
}

/**
 * The threshold for a stated trade-off: the highest one at which at most `inScopeBudget` of
 * the in-scope held-out examples the classifier got right would be sent to `None` (a fallback
 * turns a right answer into a wrong one; a wrong answer stays wrong). Rounded down to 3
 * decimals; 0 when there is nothing to learn from.
 */
export function chooseThreshold(scored: Scored[], inScopeBudget: number): number {
  const inScope = scored.filter((s) => s.gold !== NONE_INTENT);
  const rightConfidences = inScope
    .filter((s) => s.top === s.gold)
    .map((s) => s.confidence)
    .sort((a, b) => a - b);
  if (rightConfidences.length === 0) return 0;
  const allowed = Math.floor(inScopeBudget * inScope.length);
  const at = rightConfidences[Math.min(allowed, rightConfidences.length - 1)] as number;
  return Math.floor(at * 1000) / 1000;
}

/** Fits the temperature and chooses the threshold from held-out predictions. */
export function calibrate(heldOut: HeldOut[], classes: string[], inScopeBudget: number, folds: number): CalibrationInfo {
  const temperature = fitTemperature(heldOut);
  const before = score(heldOut, classes, 1);
  const after = score(heldOut, classes, temperature);
  const chosenThreshold = chooseThreshold(after, inScopeBudget);
  const answer = (s: Scored): string => (s.confidence < chosenThreshold ? NONE_INTENT : s.top);
  const oos = after.filter((s) => s.gold === NONE_INTENT);
  const share = (n: number, d: number): number => Math.round((10000 * n) / Math.max(1, d)) / 10000;
  const ece = (list: Scored[]): number => expectedCalibrationError(list.map((s) => ({ confidence: s.confidence, correct: s.top === s.gold })));
  return {
    temperature,
    chosenThreshold,
    inScopeBudget,
    folds,
    heldOutExamples: heldOut.length,
    heldOutAccuracy: share(after.filter((s) => s.top === s.gold).length, after.length),
    heldOutAccuracyWithFallback: share(after.filter((s) => answer(s) === s.gold).length, after.length),
    heldOutOutOfScopeRecall: oos.length === 0 ? null : share(oos.filter((s) => answer(s) === NONE_INTENT).length, oos.length),
    eceBefore: ece(before),
    eceAfter: ece(after),
  };
}
