import type { Example, TrainingData } from '../types';
import { tokenize, type Token } from '../text/tokenizer';
import { Gazetteer } from './gazetteer';
import { findOrderIds, normalizeOrderId, isValidOrderId, ORDER_ID_ENTITY } from './orderId';
import { bioTags, PerceptronTagger, type TaggerOptions, type TaggerState } from './tagger';
import type { GazetteerState } from './gazetteer';

/** One extracted entity, before it is put into RecognizerResult form. */
export interface FoundEntity {
  type: string;
  start: number;
  end: number;
  text: string;
  /** canonical value (synonym-resolved, order ids normalised); built-ins resolve to numbers or objects */
  value: unknown;
  score: number;
  source: 'tagger' | 'pattern' | 'regex' | 'lookup' | 'builtin';
}

/** Serialisable extractor state. */
export interface ExtractorState {
  /** null when the data declares no order_id entity, so benchmarks get no spurious ids */
  orderIdPattern: string | null;
  regexes: Record<string, string[]>;
  synonyms: Record<string, string>;
  gazetteer: GazetteerState;
  tagger: TaggerState | null;
}

/**
 * Combines the learned tagger with the rules that nlu.yml declares (regexes, lookups,
 * synonyms) and the order-id pattern. The tagger sees regex and gazetteer hits as features, so
 * it learns context; the rules then add what the tagger missed.
 */
export class EntityExtractor {
  private readonly compiled: Array<{ name: string; re: RegExp }>;

  private constructor(
    private readonly orderIdPattern: string | null,
    private readonly regexes: Record<string, string[]>,
    /** lower-cased surface form -> canonical value */
    private readonly synonyms: Record<string, string>,
    private readonly gazetteer: Gazetteer,
    private readonly tagger: PerceptronTagger | null,
    /** entity types annotated in training data; regex/lookup hits of other names are features only */
    private readonly annotatedTypes: Set<string>,
  ) {
    this.compiled = [];
    for (const [name, patterns] of Object.entries(regexes)) {
      for (const p of patterns) this.compiled.push({ name, re: new RegExp(p, 'giu') });
    }
  }

  /** Trains the tagger (when any example is annotated) and indexes the rules. */
  static train(data: TrainingData, orderIdPattern: string | null, options: TaggerOptions): EntityExtractor {
    const synonyms: Record<string, string> = {};
    for (const [canonical, surfaces] of Object.entries(data.synonyms)) {
      for (const s of surfaces) synonyms[s.toLowerCase()] = canonical;
    }
    const gazetteer = Gazetteer.build(data, tokenize);
    const annotated = data.examples.some((e) => e.entities.length > 0);
    const draft = new EntityExtractor(orderIdPattern, data.regexes, synonyms, gazetteer, null, typesOf(data.examples));
    let tagger: PerceptronTagger | null = null;
    if (annotated) {
      const sentences = data.examples.map((ex) => {
        const tokens = tokenize(ex.text);
        return { tokens, tags: bioTags(tokens, ex.entities), extra: draft.extraFeatures(ex.text, tokens, ex) };
      });
      tagger = PerceptronTagger.train(sentences, options);
    }
    return new EntityExtractor(orderIdPattern, data.regexes, synonyms, gazetteer, tagger, typesOf(data.examples));
  }

  /** Rebuilds from model-file state. */
  static fromState(state: ExtractorState): EntityExtractor {
    const tagger = state.tagger ? PerceptronTagger.fromState(state.tagger) : null;
    return new EntityExtractor(state.orderIdPattern, state.regexes, state.synonyms, Gazetteer.fromState(state.gazetteer), tagger, new Set(tagger?.entityTypes ?? []));
  }

  /** Serialisable state. */
  toState(): ExtractorState {
    return { orderIdPattern: this.orderIdPattern, regexes: this.regexes, synonyms: this.synonyms, gazetteer: this.gazetteer.toState(), tagger: this.tagger?.toState() ?? null };
  }

  /**
   * All entities in the text, overlaps resolved (tagger first, then pattern, regex, lookup,
   * built-in). `extra` holds entities found elsewhere (built-ins) to resolve together.
   */
  extract(text: string, extra: FoundEntity[] = []): FoundEntity[] {
    const tokens = tokenize(text);
    const found: FoundEntity[] = [...extra];
    if (this.tagger !== null && tokens.length > 0) {
      for (const s of this.tagger.tag(tokens, this.extraFeatures(text, tokens))) {
        const start = (tokens[s.startToken] as Token).start;
        const end = (tokens[s.endToken - 1] as Token).end;
        const surface = text.slice(start, end);
        // A learned order id must still be a valid id, so the dialog never gets "status".
        if (s.entity === ORDER_ID_ENTITY && this.orderIdPattern !== null && !isValidOrderId(surface, this.orderIdPattern)) continue;
        found.push({ type: s.entity, start, end, text: surface, value: this.canonical(s.entity, surface), score: round(s.score), source: 'tagger' });
      }
    }
    for (const m of this.orderIdPattern === null ? [] : findOrderIds(text, this.orderIdPattern)) {
      found.push({ type: ORDER_ID_ENTITY, start: m.start, end: m.end, text: m.text, value: m.value, score: 0.9, source: 'pattern' });
    }
    for (const { name, re } of this.compiled) {
      if (name === ORDER_ID_ENTITY || !this.annotatedTypes.has(name)) continue;
      re.lastIndex = 0;
      for (const m of text.matchAll(re)) {
        if (m[0].length === 0) continue;
        const start = m.index ?? 0;
        found.push({ type: name, start, end: start + m[0].length, text: m[0], value: this.canonical(name, m[0]), score: 0.8, source: 'regex' });
      }
    }
    return resolveOverlaps(found);
  }

  /** Regex, order-id pattern and gazetteer hits as per-token tagger features. */
  extraFeatures(text: string, tokens: Token[], exclude?: Example): string[][] {
    const out = this.gazetteer.features(tokens, exclude);
    const mark = (start: number, end: number, name: string): void => {
      tokens.forEach((t, i) => {
        if (t.start < end && t.end > start) (out[i] as string[]).push(`re:${name}`);
      });
    };
    if (this.orderIdPattern !== null) for (const m of findOrderIds(text, this.orderIdPattern, false)) mark(m.start, m.end, 'order_pattern');
    for (const { name, re } of this.compiled) {
      re.lastIndex = 0;
      for (const m of text.matchAll(re)) if (m[0].length > 0) mark(m.index ?? 0, (m.index ?? 0) + m[0].length, name);
    }
    return out;
  }

  private canonical(type: string, surface: string): string {
    if (type === ORDER_ID_ENTITY) return normalizeOrderId(surface);
    return this.synonyms[surface.toLowerCase()] ?? surface;
  }
}

function typesOf(examples: Example[]): Set<string> {
  return new Set(examples.flatMap((e) => e.entities.map((s) => s.entity)));
}

const PRIORITY: Record<FoundEntity['source'], number> = { tagger: 1, pattern: 2, regex: 3, lookup: 4, builtin: 5 };

// E-mails, URLs and formatted phone numbers are specific formats, while the order-id pattern is
// generic ("555-123-4567" fits it), so these built-ins win over anything they overlap.
function rank(e: FoundEntity): number {
  const specific = e.source === 'builtin' && (e.type === 'email' || e.type === 'url' || (e.type === 'phonenumber' && /[\s()+.-]/.test(e.text)));
  return specific ? 0 : PRIORITY[e.source];
}

/**
 * Resolves overlaps: by rank (specific built-ins, tagger, pattern, regex, lookup, other
 * built-ins), then longer spans first. A lower-ranked built-in is dropped when it overlaps
 * anything else; other entities are dropped only when they overlap one of the same type or a
 * higher-ranked non-built-in. Output is sorted by position.
 */
export function resolveOverlaps(found: FoundEntity[]): FoundEntity[] {
  const ranked = [...found].sort((a, b) => rank(a) - rank(b) || (b.end - b.start) - (a.end - a.start) || a.start - b.start);
  const kept: FoundEntity[] = [];
  for (const e of ranked) {
    const clash = kept.some((k) => k.start < e.end && e.start < k.end && (k.type === e.type || k.source !== 'builtin' || rank(k) === 0 || e.source === 'builtin'));
    if (!clash) kept.push(e);
  }
  return kept.sort((a, b) => a.start - b.start || a.type.localeCompare(b.type));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
