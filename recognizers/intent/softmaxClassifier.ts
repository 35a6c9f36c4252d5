import { createRng, shuffleInPlace } from '../random';
import type { SparseVector } from './featurizer';

/** Training settings of the multinomial logistic regression. */
export interface SoftmaxOptions {
  epochs: number;
  /** initial learning rate */
  learningRate: number;
  /** L2 strength per example (like 1 / (C * n) in scikit-learn terms) */
  l2: number;
  /** weight classes by inverse frequency so small intents are not drowned out */
  balanced: boolean;
  seed: number;
}

export const DEFAULT_SOFTMAX_OPTIONS: SoftmaxOptions = {
  epochs: 12,
  learningRate: 0.5,
  l2: 1e-5,
  balanced: true,
  seed: 42,
};

/** Serialisable weights of a trained classifier. */
export interface SoftmaxState {
  classes: string[];
  features: number;
  /** feature-major weights: weights[f * classes + c] */
  weights: Float32Array;
  bias: Float32Array;
}

// Gradients smaller than this are skipped: after the first epoch most of the 150 classes have
// near-zero probability, and skipping them makes an epoch several times faster.
const MIN_GRADIENT = 1e-3;

/**
 * Multinomial logistic regression over sparse vectors, trained with SGD. L2 decay uses the
 * global scale trick (W = scale * V) so each step costs O(nonzeros x active classes), not O(|W|).
 */
export class SoftmaxClassifier {
  readonly classes: string[];
  private readonly nClasses: number;
  private readonly weights: Float32Array;
  private readonly bias: Float32Array;

  private constructor(state: SoftmaxState) {
    this.classes = state.classes;
    this.nClasses = state.classes.length;
    this.weights = state.weights;
    this.bias = state.bias;
  }

  /** Rebuilds a classifier from model-file state. */
  static fromState(state: SoftmaxState): SoftmaxClassifier {
    if (state.weights.length !== state.features * state.classes.length) throw new Error('weight matrix size does not match classes x features');
    return new SoftmaxClassifier(state);
  }

  /** Serialisable state (typed arrays; the model file encodes them). */
  toState(): SoftmaxState {
    return { classes: this.classes, features: this.weights.length / Math.max(1, this.nClasses), weights: this.weights, bias: this.bias };
  }

  /** Trains on pre-featurised examples; `labels[i]` indexes `classes`. Deterministic per seed. */
  static train(xs: SparseVector[], labels: Int32Array, classes: string[], nFeatures: number, options: SoftmaxOptions = DEFAULT_SOFTMAX_OPTIONS): SoftmaxClassifier {
    const C = classes.length;
    const W = new Float32Array(nFeatures * C);
    const bias = new Float32Array(C);
    const classWeight = new Float64Array(C).fill(1);
    if (options.balanced && xs.length > 0) {
      const counts = new Float64Array(C);
      for (const y of labels) counts[y] = counts[y] + 1;
      for (let c = 0; c < C; c++) classWeight[c] = counts[c] > 0 ? xs.length / (C * (counts[c])) : 1;
    }
    const rng = createRng(options.seed);
    const order = Int32Array.from(xs.keys());
    const scores = new Float64Array(C);
    const grad = new Float64Array(C);
    const active = new Int32Array(C);
    let scale = 1;
    let t = 0;
    const total = Math.max(1, options.epochs * xs.length);
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      shuffleInPlace(order, rng);
      for (const i of order) {
        const x = xs[i] as SparseVector;
        const y = labels[i];
        // Linear decay to a tenth of the initial rate: stable final epochs without averaging.
        const eta = options.learningRate * (1 - (0.9 * t) / total);
        t++;
        forward(W, bias, x, C, scale, scores);
        softmaxInPlace(scores);
        scale *= 1 - eta * options.l2;
        if (scale < 1e-6) {
          for (let k = 0; k < W.length; k++) W[k] = W[k] * scale;
          scale = 1;
        }
        let nActive = 0;
        const cw = classWeight[y];
        for (let c = 0; c < C; c++) {
          const g = (scores[c] - (c === y ? 1 : 0)) * cw;
          if (g > MIN_GRADIENT || g < -MIN_GRADIENT) {
            grad[nActive] = (eta * g) / scale;
            active[nActive++] = c;
            bias[c] = bias[c] - eta * g;
          }
        }
        const { idx, val } = x;
        for (let k = 0; k < idx.length; k++) {
          const base = idx[k] * C;
          const v = val[k];
          for (let a = 0; a < nActive; a++) {
            const c = active[a];
            W[base + c] = W[base + c] - grad[a] * v;
          }
        }
      }
    }
    if (scale !== 1) for (let k = 0; k < W.length; k++) W[k] = W[k] * scale;
    return new SoftmaxClassifier({ classes, features: nFeatures, weights: W, bias });
  }

  /** Class probabilities for one vector (softmax of the linear scores). */
  predictProba(x: SparseVector, out: Float64Array = new Float64Array(this.nClasses)): Float64Array {
    forward(this.weights, this.bias, x, this.nClasses, 1, out);
    softmaxInPlace(out);
    return out;
  }

  /** Raw linear scores (logits). */
  scores(x: SparseVector, out: Float64Array = new Float64Array(this.nClasses)): Float64Array {
    forward(this.weights, this.bias, x, this.nClasses, 1, out);
    return out;
  }
}

function forward(W: Float32Array, bias: Float32Array, x: SparseVector, C: number, scale: number, out: Float64Array): void {
  for (let c = 0; c < C; c++) out[c] = 0;
  const { idx, val } = x;
  for (let k = 0; k < idx.length; k++) {
    const base = idx[k] * C;
    const v = val[k];
    for (let c = 0; c < C; c++) out[c] = out[c] + W[base + c] * v;
  }
  for (let c = 0; c < C; c++) out[c] = out[c] * scale + bias[c];
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
  for (let i = 0; i < v.length; i++) v[i] = v[i] / sum;
}
