import { createRng, shuffleInPlace } from '../random';
import { Arena, pad4 } from './kernels';
import { roundTripInt8Rows } from '../quantize';
import type { SparseVector } from './featurizer';

/** Training settings of the multinomial logistic regression. */
export interface SoftmaxOptions {
  epochs: number;
  /** initial learning rate; decays linearly to a tenth */
  learningRate: number;
  /** L2 strength per example (like 1 / (C * n) in scikit-learn terms) */
  l2: number;
  /** weight classes by inverse frequency so small intents are not drowned out */
  balanced: boolean;
  seed: number;
  /**
   * At least this many SGD updates in total: small training sets (the bot's few hundred
   * examples) get more epochs, so they are not left underfitted by a budget tuned for 15k.
   */
  minUpdates: number;
  /** per-class factor on the loss weight (e.g. a larger weight for the out-of-scope class) */
  classWeightScale?: readonly number[];
}

export const DEFAULT_SOFTMAX_OPTIONS: SoftmaxOptions = {
  epochs: 12,
  learningRate: 0.5,
  l2: 1e-5,
  balanced: true,
  seed: 42,
  minUpdates: 10000,
};

/** Serialisable weights of a trained classifier (rows padded to a multiple of 4 classes). */
export interface SoftmaxState {
  classes: string[];
  features: number;
  /** feature-major weights: weights[f * pad4(classes) + c] */
  weights: Float32Array;
  bias: Float32Array;
}

/**
 * Multinomial logistic regression over sparse vectors, trained with SGD. L2 decay uses the
 * global scale trick (W = scale * V), so a step costs O(nonzeros x classes), not O(|W|).
 */
export class SoftmaxClassifier {
  readonly classes: string[];
  private readonly features: number;
  private readonly stride: number;
  private readonly arena: Arena;
  private readonly w: number;
  private readonly out: number;
  private readonly bias: Float32Array;

  private constructor(classes: string[], features: number, arena: Arena, w: number, bias: Float32Array) {
    this.classes = classes;
    this.features = features;
    this.stride = pad4(classes.length);
    this.arena = arena;
    this.w = w;
    this.out = arena.alloc(this.stride);
    this.bias = bias;
  }

  private static allocate(classes: string[], features: number): SoftmaxClassifier {
    const stride = pad4(classes.length);
    const arena = new Arena(features * stride + 4 * stride + 64);
    const w = arena.alloc(features * stride);
    return new SoftmaxClassifier(classes, features, arena, w, new Float32Array(classes.length));
  }

  /** Rebuilds a classifier from model-file state. */
  static fromState(state: SoftmaxState): SoftmaxClassifier {
    const clf = SoftmaxClassifier.allocate(state.classes, state.features);
    if (state.weights.length !== state.features * clf.stride) throw new Error('weight matrix size does not match classes x features');
    clf.arena.f32.set(state.weights, clf.w >> 2);
    clf.bias.set(state.bias);
    return clf;
  }

  /** Serialisable state (copies the weights out of the arena). */
  toState(): SoftmaxState {
    const n = this.features * this.stride;
    return { classes: this.classes, features: this.features, weights: this.arena.f32.slice(this.w >> 2, (this.w >> 2) + n), bias: this.bias.slice() };
  }

  /** Rounds the weights to int8 per feature row, in place (what an int8 model file holds). */
  quantizeWeights(): void {
    const start = this.w >> 2;
    roundTripInt8Rows(this.arena.f32.subarray(start, start + this.features * this.stride), this.stride);
  }

  /** Trains on pre-featurised examples; `labels[i]` indexes `classes`. Deterministic per seed. */
  static train(
    xs: SparseVector[],
    labels: Int32Array,
    classes: string[],
    nFeatures: number,
    options: SoftmaxOptions = DEFAULT_SOFTMAX_OPTIONS,
  ): SoftmaxClassifier {
    const clf = SoftmaxClassifier.allocate(classes, nFeatures);
    const C = classes.length;
    const stride = clf.stride;
    const { arena, bias } = clf;
    const grad = arena.alloc(stride);
    const classWeight = balancedWeights(labels, C, options.balanced, options.classWeightScale);
    const rng = createRng(options.seed);
    const order = Int32Array.from(xs.keys());
    const scores = new Float64Array(C);
    let scale = 1;
    let t = 0;
    const epochs = effectiveEpochs(options.epochs, options.minUpdates, xs.length);
    const total = Math.max(1, epochs * xs.length);
    for (let epoch = 0; epoch < epochs; epoch++) {
      shuffleInPlace(order, rng);
      for (const i of order) {
        const x = xs[i] as SparseVector;
        const y = labels[i];
        // Linear decay to a tenth of the initial rate: stable final epochs without averaging.
        const eta = options.learningRate * (1 - (0.9 * t) / total);
        t++;
        clf.logits(x, scale, scores);
        softmaxInPlace(scores);
        scale *= 1 - eta * options.l2;
        if (scale < 1e-6) {
          const f32 = arena.f32;
          for (let k = clf.w >> 2, end = k + nFeatures * stride; k < end; k++) f32[k] *= scale;
          scale = 1;
        }
        const f32 = arena.f32;
        const cw = classWeight[y];
        for (let c = 0; c < C; c++) {
          const g = (scores[c] - (c === y ? 1 : 0)) * cw;
          f32[(grad >> 2) + c] = g;
          bias[c] -= eta * g;
        }
        const { idx, val } = x;
        const step = -eta / scale;
        for (let k = 0; k < idx.length; k++) arena.axpy(clf.w + idx[k] * stride * 4, grad, stride, step * val[k]);
      }
    }
    if (scale !== 1) {
      const f32 = arena.f32;
      for (let k = clf.w >> 2, end = k + nFeatures * stride; k < end; k++) f32[k] *= scale;
    }
    return clf;
  }

  private logits(x: SparseVector, scale: number, out: Float64Array): void {
    const { arena, stride } = this;
    const f32 = arena.f32;
    const o = this.out >> 2;
    f32.fill(0, o, o + stride);
    const { idx, val } = x;
    for (let k = 0; k < idx.length; k++) arena.axpy(this.out, this.w + idx[k] * stride * 4, stride, val[k]);
    for (let c = 0; c < out.length; c++) out[c] = f32[o + c] * scale + this.bias[c];
  }

  /** Class probabilities for one vector (softmax of the linear scores). */
  predictProba(x: SparseVector, out: Float64Array = new Float64Array(this.classes.length)): Float64Array {
    this.logits(x, 1, out);
    softmaxInPlace(out);
    return out;
  }
}

/** Epoch count raised so that epochs x examples reaches `minUpdates` (at most 200 epochs). */
export function effectiveEpochs(epochs: number, minUpdates: number, examples: number): number {
  if (examples === 0) return 0;
  return Math.max(epochs, Math.min(200, Math.ceil(minUpdates / examples)));
}

/** Per-class loss weights: n / (C * count) when balancing, else 1. */
export function balancedWeights(labels: Int32Array, C: number, balanced: boolean, scale?: readonly number[]): Float64Array {
  const weights = new Float64Array(C).fill(1);
  if (balanced && labels.length > 0) {
    const counts = new Float64Array(C);
    for (const y of labels) counts[y] += 1;
    for (let c = 0; c < C; c++) weights[c] = counts[c] > 0 ? labels.length / (C * counts[c]) : 1;
  }
  if (scale !== undefined) for (let c = 0; c < C; c++) weights[c] *= scale[c] ?? 1;
  return weights;
}

/** In-place numerically stable softmax. */
export function softmaxInPlace(v: Float64Array): void {
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) if (v[i] > max) max = v[i];
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    const e = Math.exp(v[i] - max);
    v[i] = e;
    sum += e;
  }
  for (let i = 0; i < v.length; i++) v[i] /= sum;
}
