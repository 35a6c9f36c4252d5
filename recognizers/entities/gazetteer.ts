import type { Example, TrainingData } from '../types';
import { normalizeToken, type Token } from '../text/tokenizer';

/** Longest phrase (in tokens) the gazetteer tries to match; longer values are ignored. */
const MAX_PHRASE_TOKENS = 6;

/** Serialisable gazetteer: normalised phrase -> entity type -> how many sources list it. */
export type GazetteerState = Record<string, Record<string, number>>;

/**
 * Known entity values (lookup tables, synonyms and annotated training values), matched as
 * token sequences. Its hits become tagger features, so the tagger learns how far to trust them.
 */
export class Gazetteer {
  private readonly phrases: Map<string, Map<string, number>>;

  private constructor(phrases: Map<string, Map<string, number>>) {
    this.phrases = phrases;
  }

  /** Builds the gazetteer from lookups, synonyms (keyed by entity via annotated values) and examples. */
  static build(data: TrainingData, tokenizeFn: (text: string) => Token[]): Gazetteer {
    const phrases = new Map<string, Map<string, number>>();
    const add = (value: string, entity: string): void => {
      const key = phraseKey(tokenizeFn(value));
      if (key === '' || key.split(' ').length > MAX_PHRASE_TOKENS) return;
      const types = phrases.get(key) ?? new Map<string, number>();
      types.set(entity, (types.get(entity) ?? 0) + 1);
      phrases.set(key, types);
    };
    const entityOfCanonical = new Map<string, string>();
    for (const ex of data.examples) {
      for (const e of ex.entities) {
        add(ex.text.slice(e.start, e.end), e.entity);
        entityOfCanonical.set(e.value, e.entity);
      }
    }
    for (const [name, values] of Object.entries(data.lookups)) for (const v of values) add(v, name);
    for (const [canonical, surfaces] of Object.entries(data.synonyms)) {
      const entity = entityOfCanonical.get(canonical);
      if (entity === undefined) continue;
      for (const s of [canonical, ...surfaces]) add(s, entity);
    }
    return new Gazetteer(phrases);
  }

  /** Rebuilds from model-file state. */
  static fromState(state: GazetteerState): Gazetteer {
    const phrases = new Map<string, Map<string, number>>();
    for (const [k, v] of Object.entries(state)) phrases.set(k, new Map(Object.entries(v)));
    return new Gazetteer(phrases);
  }

  /** Serialisable state. */
  toState(): GazetteerState {
    const out: GazetteerState = {};
    for (const [k, v] of this.phrases) out[k] = Object.fromEntries(v);
    return out;
  }

  /**
   * Per-token features `gz:B-type` / `gz:I-type` for every known phrase in the tokens. When
   * `exclude` (the example's own annotations) is given, its values are discounted once, so
   * training sees the gazetteer as it will be at test time: without the answer in it.
   */
  features(tokens: Token[], exclude?: Example): string[][] {
    const out: string[][] = tokens.map(() => []);
    const own = new Map<string, number>();
    if (exclude) {
      for (const e of exclude.entities) {
        const inside = tokens.filter((t) => t.start < e.end && t.end > e.start);
        const k = `${phraseKey(inside)}\u0000${e.entity}`;
        own.set(k, (own.get(k) ?? 0) + 1);
      }
    }
    const norm = tokens.map((t) => normalizeToken(t.text));
    for (let i = 0; i < tokens.length; i++) {
      let key = '';
      for (let len = 1; len <= MAX_PHRASE_TOKENS && i + len <= tokens.length; len++) {
        key = len === 1 ? (norm[i] as string) : `${key} ${norm[i + len - 1]}`;
        const types = this.phrases.get(key);
        if (types === undefined) continue;
        for (const [entity, count] of types) {
          if (count - (own.get(`${key}\u0000${entity}`) ?? 0) <= 0) continue;
          (out[i] as string[]).push(`gz:B-${entity}`, `gz:len${Math.min(len, 3)}-${entity}`);
          for (let k = i + 1; k < i + len; k++) (out[k] as string[]).push(`gz:I-${entity}`);
        }
      }
    }
    return out;
  }
}

function phraseKey(tokens: Token[]): string {
  return tokens.map((t) => normalizeToken(t.text)).join(' ');
}
