import { createRng, shuffleInPlace } from '../random';
import { Arena, pad4 } from './kernels';
import { roundTripInt8Rows } from '../quantize';
import type { SparseVector } from './featurizer';
import { balancedWeights, effectiveEpochs, softmaxInPlace } from './softmaxClassifier';

/** Training settings of the one-hidden-layer network. */
export interface MlpOptions {
  hidden: number;
  epochs: number;
  /** initial learning rate; decays linearly to a tenth */
  learningRate: number;
  /** dropout rate on the hidden layer during training */
  dropout: number;
  /** dropout rate on input features during training (word/char n-grams) */
  inputDropout: number;
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

export const DEFAULT_MLP_OPTIONS: MlpOptions = {
  hidden: 256,
  epochs: 8,
  learningRate: 0.1,
  dropout: 0.3,
  inputDropout: 0,
  balanced: true,
  seed: 42,
  minUpdates: 10000,
};

/** Serialisable weights (rows padded to multiples of 4). */
export interface MlpState {
  classes: string[];
  features: number;
  hidden: number;
  /** features x pad4(hidden) */
  w1: Float32Array;
  b1: Float32Array;
  /** hidden x pad4(classes) */
  w2: Float32Array;
  b2: Float32Array;
}

/**
 * Sparse input -> ReLU hidden layer -> softmax. The hidden layer lets intents share learned
 * n-gram combinations, which a linear model cannot; it is ensembled with the linear model.
 */
export class MlpClassifier {
  readonly classes: string[];
  private readonly arena: Arena;
  private readonly F: number;
  private readonly H: number;
  private readonly Hp: number;
  private readonly Cp: number;
  // byte offsets in the arena
  private readonly w1: number;
  private readonly b1: number;
  private readonly w2: number;
  private readonly b2: number;
  private readonly h: number;
  private readonly o: number;
  private readonly go: number;
  private readonly gh: number;

  private constructor(classes: string[], features: number, hidden: number) {
    this.classes = classes;
    this.F = features;
    this.H = hidden;
    this.Hp = pad4(hidden);
    this.Cp = pad4(classes.length);
    const { Hp, Cp } = this;
    this.arena = new Arena(features * Hp + hidden * Cp + 4 * (Hp + Cp) + 256);
    this.w1 = this.arena.alloc(features * Hp);
    this.b1 = this.arena.alloc(Hp);
    this.w2 = this.arena.alloc(hidden * Cp);
    this.b2 = this.arena.alloc(Cp);
    this.h = this.arena.alloc(Hp);
    this.o = this.arena.alloc(Cp);
    this.go = this.arena.alloc(Cp);
    this.gh = this.arena.alloc(Hp);
  }

  /** Rebuilds from model-file state. */
  static fromState(s: MlpState): MlpClassifier {
    const m = new MlpClassifier(s.classes, s.features, s.hidden);
    if (s.w1.length !== s.features * m.Hp || s.w2.length !== s.hidden * m.Cp) throw new Error('MLP weight sizes do not match');
    const f32 = m.arena.f32;
    f32.set(s.w1, m.w1 >> 2);
    f32.set(s.b1, m.b1 >> 2);
    f32.set(s.w2, m.w2 >> 2);
    f32.set(s.b2, m.b2 >> 2);
    return m;
  }

  /** Serialisable state (copies out of the arena). */
  toState(): MlpState {
    const f32 = this.arena.f32;
    const take = (at: number, n: number): Float32Array => f32.slice(at >> 2, (at >> 2) + n);
    return {
      classes: this.classes,
      features: this.F,
      hidden: this.H,
      w1: take(this.w1, this.F * this.Hp),
      b1: take(this.b1, this.Hp),
      w2: take(this.w2, this.H * this.Cp),
      b2: take(this.b2, this.Cp),
    };
  }

  /** Rounds the input weights to int8 per feature row, in place (what an int8 model file holds). */
  quantizeWeights(): void {
    const start = this.w1 >> 2;
    roundTripInt8Rows(this.arena.f32.subarray(start, start + this.F * this.Hp), this.Hp);
  }

  /** Trains with SGD and hidden-layer dropout; deterministic per seed. */
  static train(xs: SparseVector[], labels: Int32Array, classes: string[], nFeatures: number, options: MlpOptions = DEFAULT_MLP_OPTIONS): MlpClassifier {
    const m = new MlpClassifier(classes, nFeatures, options.hidden);
    const { arena, H, Hp, Cp } = m;
    const C = classes.length;
    const rng = createRng(options.seed);
    // Glorot-uniform initialisation; the input fan-in is the typical number of active features.
    const f32 = arena.f32;
    const r1 = Math.sqrt(6 / (H + 100));
    for (let f = 0; f < nFeatures; f++) for (let j = 0; j < H; j++) f32[(m.w1 >> 2) + f * Hp + j] = (rng() * 2 - 1) * r1;
    const r2 = Math.sqrt(6 / (H + C));
    for (let j = 0; j < H; j++) for (let c = 0; c < C; c++) f32[(m.w2 >> 2) + j * Cp + c] = (rng() * 2 - 1) * r2;
    const classWeight = balancedWeights(labels, C, options.balanced, options.classWeightScale);
    const keep = 1 - options.dropout;
    const order = Int32Array.from(xs.keys());
    const probs = new Float64Array(C);
    const epochs = effectiveEpochs(options.epochs, options.minUpdates, xs.length);
    const total = Math.max(1, epochs * xs.length);
    let t = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      shuffleInPlace(order, rng);
      for (const i of order) {
        const eta = options.learningRate * (1 - (0.9 * t) / total);
        t++;
        const x = options.inputDropout > 0 ? dropFeatures(xs[i] as SparseVector, options.inputDropout, rng) : (xs[i] as SparseVector);
        const y = labels[i];
        m.hiddenLayer(x);
        const h = m.h >> 2;
        for (let j = 0; j < H; j++) {
          // Inverted dropout: kept units are scaled up so inference needs no rescaling.
          f32[h + j] = f32[h + j] > 0 && rng() < keep ? f32[h + j] / keep : 0;
        }
        m.outputLayer(probs);
        const go = m.go >> 2;
        const cw = classWeight[y];
        for (let c = 0; c < C; c++) f32[go + c] = (probs[c] - (c === y ? 1 : 0)) * cw;
        const gh = m.gh >> 2;
        for (let j = 0; j < H; j++) {
          const a = f32[h + j];
          if (a === 0) {
            f32[gh + j] = 0;
            continue;
          }
          const row = m.w2 + j * Cp * 4;
          // Dropped units have zero gradient; kept ones carry the 1/keep scale of their output.
          f32[gh + j] = arena.dot(row, m.go, Cp) / keep;
          arena.axpy(row, m.go, Cp, -eta * a);
        }
        arena.axpy(m.b2, m.go, Cp, -eta);
        arena.axpy(m.b1, m.gh, Hp, -eta);
        const { idx, val } = x;
        for (let k = 0; k < idx.length; k++) arena.axpy(m.w1 + idx[k] * Hp * 4, m.gh, Hp, -eta * val[k]);
      }
    }
    return m;
  }

  private hiddenLayer(x: SparseVector): void {
    const { arena, Hp } = this;
    const f32 = arena.f32;
    f32.copyWithin(this.h >> 2, this.b1 >> 2, (this.b1 >> 2) + Hp);
    const { idx, val } = x;
    for (let k = 0; k < idx.length; k++) arena.axpy(this.h, this.w1 + idx[k] * Hp * 4, Hp, val[k]);
  }

  private outputLayer(out: Float64Array): void {
    const { arena, H, Cp } = this;
    const f32 = arena.f32;
    const h = this.h >> 2;
    f32.copyWithin(this.o >> 2, this.b2 >> 2, (this.b2 >> 2) + Cp);
    for (let j = 0; j < H; j++) {
      const a = f32[h + j];
      if (a !== 0) arena.axpy(this.o, this.w2 + j * Cp * 4, Cp, a);
    }
    const o = this.o >> 2;
    for (let c = 0; c < out.length; c++) out[c] = f32[o + c];
    softmaxInPlace(out);
  }

  /** Class probabilities for one vector. */
  predictProba(x: SparseVector, out: Float64Array = new Float64Array(this.classes.length)): Float64Array {
    this.hiddenLayer(x);
    const f32 = this.arena.f32;
    const h = this.h >> 2;
    for (let j = 0; j < this.H; j++) if (f32[h + j] < 0) f32[h + j] = 0;
    this.outputLayer(out);
    return out;
  }
}

/** A copy of x with each feature dropped with probability p and the rest scaled by 1/(1-p). */
function dropFeatures(x: SparseVector, p: number, rng: () => number): SparseVector {
  const idx: number[] = [];
  const val: number[] = [];
  for (let k = 0; k < x.idx.length; k++) {
    if (rng() < p) continue;
    idx.push(x.idx[k]);
    val.push(x.val[k] / (1 - p));
  }
  return { idx: Int32Array.from(idx), val: Float32Array.from(val) };
}
