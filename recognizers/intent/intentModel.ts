import { DEFAULT_FEATURIZER_OPTIONS, Featurizer, type FeaturizerOptions, type FeaturizerState, type SparseVector } from './featurizer';
import { DEFAULT_MLP_OPTIONS, MlpClassifier, type MlpOptions, type MlpState } from './mlpClassifier';
import { DEFAULT_SOFTMAX_OPTIONS, SoftmaxClassifier, type SoftmaxOptions, type SoftmaxState } from './softmaxClassifier';
import { loadStaticEmbeddings, type StaticEmbeddings } from './staticEmbeddings';
import { isOutOfScopeLabel } from '../fallback';

/** Distilled static sentence-embedding features beside the n-grams (see staticEmbeddings.ts). */
export interface EmbeddingFeatures {
  /** artifact name under models/static-embeddings/ */
  name: string;
  /** weight of the L2-normalised embedding block against the n-gram blocks */
  weight: number;
}

/** Settings of the intent model: one featuriser, a linear model and optional MLPs. */
export interface IntentModelOptions {
  featurizer: FeaturizerOptions;
  softmax: SoftmaxOptions;
  /** null trains the linear model only (faster, slightly less accurate) */
  mlp: MlpOptions | null;
  /** how many MLPs (seeds mlp.seed, mlp.seed + 1, ...) join the ensemble */
  mlpCount: number;
  /**
   * Below this many examples the MLPs are skipped: on a few hundred examples (the bot's own
   * data) they add nothing in cross-validation and cost most of the training time.
   */
  mlpMinExamples: number;
  /** static-embedding features; null or absent for n-grams only */
  embeddings?: EmbeddingFeatures | null;
  /** loss weight factor of out-of-scope classes (`oos`, `out_of_scope`, `out_of_scope/*`); default 1 */
  outOfScopeWeight?: number;
}

/**
 * Chosen on the dev splits of clinc150, banking77 and snips (docs/nlu.md): six epochs of the
 * linear model at a higher rate match twelve at a lower one; three six-epoch MLPs of 128 units
 * with input dropout match two of 256 units in accuracy with less time and memory, and beat
 * one twelve-epoch MLP.
 */
export const DEFAULT_INTENT_MODEL_OPTIONS: IntentModelOptions = {
  featurizer: DEFAULT_FEATURIZER_OPTIONS,
  softmax: { ...DEFAULT_SOFTMAX_OPTIONS, epochs: 6, learningRate: 1 },
  mlp: { ...DEFAULT_MLP_OPTIONS, hidden: 128, epochs: 6, inputDropout: 0.3 },
  mlpCount: 3,
  mlpMinExamples: 2000,
};

/** Serialisable intent model. */
export interface IntentModelState {
  classes: string[];
  featurizer: FeaturizerState;
  softmax: SoftmaxState | null;
  mlps: MlpState[];
  /** absent in models trained without static embeddings */
  embeddings?: EmbeddingFeatures;
}

/**
 * Intent classifier: TF-IDF word + char n-grams into an ensemble of multinomial logistic
 * regression and one-hidden-layer MLPs, combined by the normalised geometric mean of their
 * probabilities. They err differently (linear vs shared hidden features, different seeds), so
 * the ensemble is more accurate than any member, and its confidence separates out-of-scope
 * input better.
 */
export class IntentModel {
  readonly classes: string[];
  private readonly featurizer: Featurizer;
  private readonly linear: SoftmaxClassifier | null;
  private readonly mlps: MlpClassifier[];
  private readonly buffer: Float64Array;
  private readonly embeddings: { config: EmbeddingFeatures; table: StaticEmbeddings; out: Float32Array } | null;

  private constructor(
    classes: string[],
    featurizer: Featurizer,
    linear: SoftmaxClassifier | null,
    mlps: MlpClassifier[],
    embeddings: EmbeddingFeatures | null,
  ) {
    this.classes = classes;
    this.featurizer = featurizer;
    this.linear = linear;
    this.mlps = mlps;
    this.buffer = new Float64Array(classes.length);
    if (embeddings === null) this.embeddings = null;
    else {
      const table = loadStaticEmbeddings(embeddings.name);
      this.embeddings = { config: embeddings, table, out: new Float32Array(table.dims) };
    }
  }

  /** Input size of the classifiers: the n-gram features plus the embedding block. */
  private get inputSize(): number {
    return this.featurizer.size + (this.embeddings?.table.dims ?? 0);
  }

  /** N-gram features, with the weighted sentence embedding appended after them. */
  private featurize(text: string): SparseVector {
    const x = this.featurizer.transform(text);
    if (this.embeddings === null) return x;
    const { table, out, config } = this.embeddings;
    table.embed(text, out);
    const base = this.featurizer.size;
    const idx = new Int32Array(x.idx.length + table.dims);
    const val = new Float32Array(x.val.length + table.dims);
    idx.set(x.idx);
    val.set(x.val);
    for (let d = 0; d < table.dims; d++) {
      idx[x.idx.length + d] = base + d;
      val[x.val.length + d] = (out[d] as number) * config.weight;
    }
    return { idx, val };
  }

  /** Trains on texts and their intents; deterministic for the same inputs and seeds. */
  static train(texts: string[], intents: string[], options: IntentModelOptions = DEFAULT_INTENT_MODEL_OPTIONS): IntentModel {
    const classes = [...new Set(intents)].sort();
    const featurizer = Featurizer.fit(texts, options.featurizer);
    const embeddings = options.embeddings ?? null;
    if (classes.length < 2) return new IntentModel(classes, featurizer, null, [], embeddings);
    const classIndex = new Map(classes.map((c, i) => [c, i]));
    const shell = new IntentModel(classes, featurizer, null, [], embeddings);
    const xs = texts.map((t) => shell.featurize(t));
    const size = shell.inputSize;
    const labels = Int32Array.from(intents.map((i) => classIndex.get(i) ?? 0));
    const oosWeight = options.outOfScopeWeight ?? 1;
    const classWeightScale = oosWeight === 1 ? undefined : classes.map((c) => (isOutOfScopeLabel(c) ? oosWeight : 1));
    const linear = SoftmaxClassifier.train(
      xs,
      labels,
      classes,
      size,
      classWeightScale === undefined ? options.softmax : { ...options.softmax, classWeightScale },
    );
    const mlps: MlpClassifier[] = [];
    const mlpOptions = options.mlp;
    const mlpCount = texts.length >= options.mlpMinExamples ? options.mlpCount : 0;
    for (let k = 0; mlpOptions !== null && k < mlpCount; k++) {
      mlps.push(
        MlpClassifier.train(xs, labels, classes, size, {
          ...mlpOptions,
          seed: mlpOptions.seed + k,
          ...(classWeightScale === undefined ? {} : { classWeightScale }),
        }),
      );
    }
    return new IntentModel(classes, featurizer, linear, mlps, embeddings);
  }

  /** Rebuilds from model-file state. */
  static fromState(state: IntentModelState): IntentModel {
    return new IntentModel(
      state.classes,
      Featurizer.fromState(state.featurizer),
      state.softmax ? SoftmaxClassifier.fromState(state.softmax) : null,
      state.mlps.map((m) => MlpClassifier.fromState(m)),
      state.embeddings ?? null,
    );
  }

  /** Serialisable state. */
  toState(): IntentModelState {
    const state: IntentModelState = {
      classes: this.classes,
      featurizer: this.featurizer.toJSON(),
      softmax: this.linear?.toState() ?? null,
      mlps: this.mlps.map((m) => m.toState()),
    };
    if (this.embeddings !== null) state.embeddings = this.embeddings.config;
    return state;
  }

  /** Rounds the big weight matrices to int8 rows, in place (what an int8 model file holds). */
  quantizeWeights(): void {
    this.linear?.quantizeWeights();
    for (const mlp of this.mlps) mlp.quantizeWeights();
  }

  /** Probability of each class (same order as `classes`) for one text. */
  predict(text: string): Float64Array {
    const out = new Float64Array(this.classes.length);
    if (this.linear === null) {
      out.fill(1 / Math.max(1, this.classes.length));
      return out;
    }
    const x = this.featurize(text);
    this.linear.predictProba(x, out);
    if (this.mlps.length === 0) return out;
    // Geometric mean of all members: sum the logs, then exponentiate and normalise.
    for (let c = 0; c < out.length; c++) out[c] = Math.log(Math.max(out[c], 1e-300));
    for (const mlp of this.mlps) {
      mlp.predictProba(x, this.buffer);
      for (let c = 0; c < out.length; c++) out[c] += Math.log(Math.max(this.buffer[c], 1e-300));
    }
    const members = 1 + this.mlps.length;
    let max = -Infinity;
    for (let c = 0; c < out.length; c++) max = Math.max(max, out[c] / members);
    let sum = 0;
    for (let c = 0; c < out.length; c++) {
      out[c] = Math.exp(out[c] / members - max);
      sum += out[c];
    }
    for (let c = 0; c < out.length; c++) out[c] /= sum;
    return out;
  }

  /** The sparse features of a text (exposed for diagnostics and tests). */
  features(text: string): SparseVector {
    return this.featurize(text);
  }
}
