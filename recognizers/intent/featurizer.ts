import { tokenize, normalizeToken, isWordToken } from '../text/tokenizer';

/** Settings of the text featuriser; stored in model files so a loaded model featurises alike. */
export interface FeaturizerOptions {
  /** log2 of the number of hash buckets before compaction (2^20 keeps collisions rare). */
  hashBits: number;
  /** word n-gram orders to use, e.g. [1, 2] */
  wordNgrams: number[];
  /** char n-gram orders inside word boundaries, e.g. [2, 3, 4, 5] */
  charNgrams: number[];
  /** relative weight of the word block and the char block (each block is L2-normalised first) */
  wordWeight: number;
  charWeight: number;
  /** features seen in fewer training utterances than this are dropped */
  minDf: number;
}

export const DEFAULT_FEATURIZER_OPTIONS: FeaturizerOptions = {
  hashBits: 20,
  wordNgrams: [1, 2],
  charNgrams: [2, 3, 4, 5],
  wordWeight: 1,
  charWeight: 1,
  minDf: 1,
};

/** A sparse, L2-normalised feature vector over the compact feature space. */
export interface SparseVector {
  idx: Int32Array;
  val: Float32Array;
}

/** The fitted part of the featuriser (kept in model files). */
export interface FeaturizerState {
  options: FeaturizerOptions;
  /** hash bucket of each compact feature, ascending */
  buckets: number[];
  idf: number[];
}

const WORD_SEED = 0x811c9dc5;
const CHAR_SEED = 0x01234567;

// Digits carry little intent signal but make the vocabulary explode ("order 12345" vs
// "order 98765"), so numbers and ID-like tokens collapse to shape placeholders.
function wordForm(token: string): string {
  if (!/\d/.test(token)) return token;
  if (/^\d+$/.test(token)) return token.length >= 4 ? '<longnum>' : '<num>';
  return /^[\p{L}\d-]+$/u.test(token) && token.length >= 4 ? '<code>' : token.replace(/\d/g, '0');
}

/** Normalised word forms of a text, in order; punctuation dropped. Shared with the tagger. */
export function intentWords(text: string): string[] {
  const out: string[] = [];
  for (const t of tokenize(text)) if (isWordToken(t.text)) out.push(wordForm(normalizeToken(t.text)));
  return out;
}

function hashString(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Turns text into hashed word n-gram and char n-gram counts. Kept separate from fitting so the
 * same code path serves training and inference.
 */
export class Featurizer {
  private readonly mask: number;
  /** bucket -> compact index, or -1; a typed table is far faster than a Map at inference */
  private readonly lookup: Int32Array;
  private readonly idf: Float32Array;
  private readonly state: FeaturizerState;

  private constructor(state: FeaturizerState) {
    this.state = state;
    this.mask = (1 << state.options.hashBits) - 1;
    this.lookup = new Int32Array(1 << state.options.hashBits).fill(-1);
    for (const [i, b] of state.buckets.entries()) this.lookup[b] = i;
    this.idf = Float32Array.from(state.idf);
  }

  /** Number of compact features. */
  get size(): number {
    return this.state.buckets.length;
  }

  /** Serialisable state. */
  toJSON(): FeaturizerState {
    return this.state;
  }

  /** Rebuilds a featuriser from model-file state. */
  static fromState(state: FeaturizerState): Featurizer {
    return new Featurizer(state);
  }

  /** Learns the vocabulary (hash buckets seen often enough) and IDF weights from texts. */
  static fit(texts: string[], options: FeaturizerOptions = DEFAULT_FEATURIZER_OPTIONS): Featurizer {
    const mask = (1 << options.hashBits) - 1;
    const df = new Uint32Array(mask + 1);
    for (const text of texts) {
      const { word, char } = rawCounts(text, options, mask);
      for (const b of word.keys()) df[b] = df[b] + 1;
      for (const b of char.keys()) df[b] = df[b] + 1;
    }
    const buckets: number[] = [];
    const idf: number[] = [];
    const n = texts.length;
    for (let b = 0; b <= mask; b++) {
      const d = df[b];
      if (d > 0 && d >= options.minDf) {
        buckets.push(b);
        idf.push(Math.log((1 + n) / (1 + d)) + 1);
      }
    }
    return new Featurizer({ options, buckets, idf });
  }

  /** Sublinear-TF x IDF vector; word and char blocks are L2-normalised then weighted. */
  transform(text: string): SparseVector {
    const { options } = this.state;
    const { word, char } = rawCounts(text, options, this.mask);
    const idx: number[] = [];
    const val: number[] = [];
    const block = (counts: Map<number, number>, weight: number): void => {
      const from = idx.length;
      let norm = 0;
      for (const [b, c] of counts) {
        const f = this.lookup[b];
        if (f < 0) continue;
        const v = (1 + Math.log(c)) * this.idf[f];
        idx.push(f);
        val.push(v);
        norm += v * v;
      }
      if (norm === 0) return;
      const scale = weight / Math.sqrt(norm);
      for (let i = from; i < val.length; i++) val[i] = val[i] * scale;
    };
    block(word, options.wordWeight);
    block(char, options.charWeight);
    // Word and char buckets can collide into the same compact index; merging keeps the dot
    // product exact and the vector canonical (sorted, unique).
    return canonical(idx, val);
  }
}

function rawCounts(text: string, options: FeaturizerOptions, mask: number): { word: Map<number, number>; char: Map<number, number> } {
  const words = intentWords(text);
  const word = new Map<number, number>();
  const char = new Map<number, number>();
  const bump = (m: Map<number, number>, h: number): void => {
    const b = h & mask;
    m.set(b, (m.get(b) ?? 0) + 1);
  };
  for (const n of options.wordNgrams) {
    if (n === 1) {
      for (const w of words) bump(word, hashString(w, WORD_SEED));
      continue;
    }
    const padded = ['<s>', ...words, '</s>'];
    for (let i = 0; i + n <= padded.length; i++) bump(word, hashString(`${n}|${padded.slice(i, i + n).join(' ')}`, WORD_SEED));
  }
  for (const w of words) {
    const s = ` ${w} `;
    for (const n of options.charNgrams) {
      for (let i = 0; i + n <= s.length; i++) {
        let h = CHAR_SEED ^ n;
        for (let k = i; k < i + n; k++) {
          h ^= s.charCodeAt(k);
          h = Math.imul(h, 0x01000193);
        }
        bump(char, h >>> 0);
      }
    }
  }
  return { word, char };
}

function canonical(idx: number[], val: number[]): SparseVector {
  const order = idx.map((_, i) => i).sort((a, b) => idx[a] - idx[b]);
  const outIdx: number[] = [];
  const outVal: number[] = [];
  for (const i of order) {
    const f = idx[i];
    const v = val[i];
    if (outIdx.length > 0 && outIdx[outIdx.length - 1] === f) outVal[outVal.length - 1] = outVal[outVal.length - 1] + v;
    else {
      outIdx.push(f);
      outVal.push(v);
    }
  }
  return { idx: Int32Array.from(outIdx), val: Float32Array.from(outVal) };
}
