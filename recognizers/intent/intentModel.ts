import { DEFAULT_FEATURIZER_OPTIONS, Featurizer, type FeaturizerOptions, type FeaturizerState, type SparseVector } from './featurizer';
import { DEFAULT_MLP_OPTIONS, MlpClassifier, type MlpOptions, type MlpState } from './mlpClassifier';
import { DEFAULT_SOFTMAX_OPTIONS, SoftmaxClassifier, type SoftmaxOptions, type SoftmaxState } from './softmaxClassifier';

/** Settings of the intent model: one featuriser, a linear model and an optional MLP. */
export interface IntentModelOptions {
  featurizer: FeaturizerOptions;
  softmax: SoftmaxOptions;
  /** null trains the linear model only (faster, slightly less accurate) */
  mlp: MlpOptions | null;
}

export const DEFAULT_INTENT_MODEL_OPTIONS: IntentModelOptions = {
  featurizer: DEFAULT_FEATURIZER_OPTIONS,
  softmax: DEFAULT_SOFTMAX_OPTIONS,
  mlp: DEFAULT_MLP_OPTIONS,
};

/** Serialisable intent model. */
export interface IntentModelState {
  classes: string[];
  featurizer: FeaturizerState;
  softmax: SoftmaxState | null;
  mlp: MlpState | null;
}

/**
 * Intent classifier: TF-IDF word + char n-grams into an ensemble of multinomial logistic
 * regression and a one-hidden-layer MLP, combined by the normalised geometric mean of their
 * probabilities. The two err differently (linear vs shared hidden features), so the ensemble
 * is more accurate than either, and its confidence separates out-of-scope input better.
 */
export class IntentModel {
  readonly classes: string[];
  private readonly featurizer: Featurizer;
  private readonly linear: SoftmaxClassifier | null;
  private readonly mlp: MlpClassifier | null;
  private readonly buffer: Float64Array;

  private constructor(classes: string[], featurizer: Featurizer, linear: SoftmaxClassifier | null, mlp: MlpClassifier | null) {
    this.classes = classes;
    this.featurizer = featurizer;
    this.linear = linear;
    this.mlp = mlp;
    this.buffer = new Float64Array(classes.length);
  }

  /** Trains on texts and their intents; deterministic for the same inputs and seeds. */
  static train(texts: string[], intents: string[], options: IntentModelOptions = DEFAULT_INTENT_MODEL_OPTIONS): IntentModel {
    const classes = [...new Set(intents)].sort();
    const featurizer = Featurizer.fit(texts, options.featurizer);
    if (classes.length < 2) return new IntentModel(classes, featurizer, null, null);
    const classIndex = new Map(classes.map((c, i) => [c, i]));
    const xs = texts.map((t) => featurizer.transform(t));
    const labels = Int32Array.from(intents.map((i) => classIndex.get(i) ?? 0));
    const linear = SoftmaxClassifier.train(xs, labels, classes, featurizer.size, options.softmax);
    const mlp = options.mlp === null ? null : MlpClassifier.train(xs, labels, classes, featurizer.size, options.mlp);
    return new IntentModel(classes, featurizer, linear, mlp);
  }

  /** Rebuilds from model-file state. */
  static fromState(state: IntentModelState): IntentModel {
    return new IntentModel(
      state.classes,
      Featurizer.fromState(state.featurizer),
      state.softmax ? SoftmaxClassifier.fromState(state.softmax) : null,
      state.mlp ? MlpClassifier.fromState(state.mlp) : null,
    );
  }

  /** Serialisable state. */
  toState(): IntentModelState {
    return { classes: this.classes, featurizer: this.featurizer.toJSON(), softmax: this.linear?.toState() ?? null, mlp: this.mlp?.toState() ?? null };
  }

  /** Probability of each class (same order as `classes`) for one text. */
  predict(text: string): Float64Array {
    const out = new Float64Array(this.classes.length);
    if (this.linear === null) {
      out.fill(1 / Math.max(1, this.classes.length));
      return out;
    }
    const x = this.featurizer.transform(text);
    this.linear.predictProba(x, out);
    if (this.mlp !== null) combineGeometric(out, this.mlp.predictProba(x, this.buffer));
    return out;
  }

  /** The sparse features of a text (exposed for diagnostics and tests). */
  features(text: string): SparseVector {
    return this.featurizer.transform(text);
  }
}

/** a <- normalised sqrt(a * b): the geometric mean of two distributions. */
function combineGeometric(a: Float64Array, b: Float64Array): void {
  let sum = 0;
  for (let c = 0; c < a.length; c++) {
    a[c] = Math.sqrt(a[c] * b[c]);
    sum += a[c];
  }
  if (sum > 0) for (let c = 0; c < a.length; c++) a[c] /= sum;
}
