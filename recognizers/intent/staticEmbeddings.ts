import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Identifies static-embedding artifacts written by scripts/distill_static_embeddings.py. */
export const STATIC_EMBEDDINGS_FORMAT = 'order-support-bot/static-embeddings';
/** Artifact layout version this build reads. */
export const STATIC_EMBEDDINGS_VERSION = 1;
/** Where named artifacts live: `models/static-embeddings/<name>.json` in the repository. */
export const STATIC_EMBEDDINGS_DIR = resolve(__dirname, '..', '..', 'models', 'static-embeddings');

interface Artifact {
  format: string;
  version: number;
  dims: number;
  lowercase: boolean;
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
  vocab: string[];
  scales: string;
  vectors: string;
}

/**
 * A static token-embedding table distilled from a sentence encoder (all-MiniLM-L6-v2; see
 * docs/nlu.md): BERT's WordPiece tokenisation, then the mean of the tokens' vectors, L2
 * normalised. No transformer runs here; a sentence costs one table look-up per token.
 */
export class StaticEmbeddings {
  readonly dims: number;
  private readonly index: Map<string, number>;
  private readonly vectors: Int8Array;
  private readonly scales: Float32Array;

  private constructor(
    readonly name: string,
    private readonly artifact: Artifact,
  ) {
    this.dims = artifact.dims;
    this.index = new Map(artifact.vocab.map((t, i) => [t, i]));
    const raw = Buffer.from(artifact.vectors, 'base64');
    this.vectors = new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    const scales = Buffer.from(artifact.scales, 'base64');
    this.scales = new Float32Array(scales.buffer.slice(scales.byteOffset, scales.byteOffset + scales.byteLength));
    if (this.vectors.length !== artifact.vocab.length * this.dims || this.scales.length !== artifact.vocab.length) {
      throw new Error(`static embeddings "${name}": table size does not match the vocabulary`);
    }
  }

  /** Reads and checks an artifact file; errors name the file. */
  static fromFile(file: string, name = file): StaticEmbeddings {
    let artifact: Artifact;
    try {
      artifact = JSON.parse(readFileSync(file, 'utf8')) as Artifact;
    } catch (err) {
      throw new Error(`${file}: cannot read static embeddings (${(err as Error).message}); produce it with scripts/distill_static_embeddings.py`);
    }
    if (artifact.format !== STATIC_EMBEDDINGS_FORMAT || artifact.version !== STATIC_EMBEDDINGS_VERSION) {
      throw new Error(`${file}: not a static-embeddings artifact of version ${STATIC_EMBEDDINGS_VERSION}`);
    }
    return new StaticEmbeddings(name, artifact);
  }

  /** WordPiece ids of a text, as BERT's uncased tokenizer splits it (unknown pieces dropped). */
  tokenIds(text: string): number[] {
    const ids: number[] = [];
    let clean = text.normalize('NFD').replace(/\p{Mn}/gu, '');
    if (this.artifact.lowercase) clean = clean.toLowerCase();
    const words = clean.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
    const prefix = this.artifact.continuingSubwordPrefix;
    for (const word of words) {
      if (word.length > this.artifact.maxInputCharsPerWord) continue;
      const pieces: number[] = [];
      let start = 0;
      while (start < word.length) {
        let end = word.length;
        let found = -1;
        while (end > start) {
          const piece = (start > 0 ? prefix : '') + word.slice(start, end);
          const id = this.index.get(piece);
          if (id !== undefined) {
            found = id;
            break;
          }
          end--;
        }
        if (found < 0) {
          pieces.length = 0;
          break;
        }
        pieces.push(found);
        start = end;
      }
      ids.push(...pieces);
    }
    return ids;
  }

  /** The sentence vector of `text` into `out` (length `dims`): token mean, L2-normalised; zeros without known tokens. */
  embed(text: string, out: Float32Array): Float32Array {
    out.fill(0);
    const ids = this.tokenIds(text);
    for (const id of ids) {
      const scale = this.scales[id] as number;
      const row = id * this.dims;
      for (let d = 0; d < this.dims; d++) out[d] = (out[d] as number) + (this.vectors[row + d] as number) * scale;
    }
    let norm = 0;
    for (let d = 0; d < this.dims; d++) norm += (out[d] as number) ** 2;
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let d = 0; d < this.dims; d++) out[d] = (out[d] as number) * inv;
    }
    return out;
  }
}

const cache = new Map<string, StaticEmbeddings>();

/** A named artifact from {@link STATIC_EMBEDDINGS_DIR}, read once per process. */
export function loadStaticEmbeddings(name: string): StaticEmbeddings {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`static embeddings name "${name}" may only hold letters, digits, ".", "_" and "-"`);
  let found = cache.get(name);
  if (found === undefined) {
    found = StaticEmbeddings.fromFile(join(STATIC_EMBEDDINGS_DIR, `${name}.json`), name);
    cache.set(name, found);
  }
  return found;
}
