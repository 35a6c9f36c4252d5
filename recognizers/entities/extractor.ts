import { entityLabel, parseEntityLabel, type Example, type TrainingData } from '../types';
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
  /** entity role and group, when the tagger learned them from annotations */
  role?: string;
  group?: string;
}

/** Serialisable extractor state. */
export interface ExtractorState {
  /** null when the data declares no order_id entity, so benchmarks get no spurious ids */
  orderIdPattern: string | null;
  regexes: Record<string, string[]>;
  synonyms: Record<string, string>;
  /** entity type -> values declared by lookup tables and synonyms, matched directly */
  declaredValues: Record<string, string[]>;
  gazetteer: GazetteerState;
  tagger: TaggerState | null;
  /**
   * entity type -> lower-cased values the training data mentions un-annotated more often than
   * annotated: not reported when a lookup (direct value match) finds them (see {@link inconsistentValues})
   */
  unannotatedValues: Record<string, string[]>;
}

/**
 * Combines the learned tagger with the rules that nlu.yml declares (regexes, lookups,
 * synonyms) and the order-id pattern. The tagger sees regex and gazetteer hits as features, so
 * it learns context; the rules then add what the tagger missed.
 */
export class EntityExtractor {
  private readonly compiled: Array<{ name: string; re: RegExp }>;
  private readonly declared: Array<{ name: string; re: RegExp }>;
  private readonly suppressed: Map<string, Set<string>>;

  private constructor(
    private readonly orderIdPattern: string | null,
    private readonly regexes: Record<string, string[]>,
    /** lower-cased surface form -> canonical value */
    private readonly synonyms: Record<string, string>,
    private readonly gazetteer: Gazetteer,
    private readonly tagger: PerceptronTagger | null,
    /** entity types annotated in training data; regex/lookup hits of other names are features only */
    private readonly annotatedTypes: Set<string>,
    private readonly declaredValues: Record<string, string[]>,
    private readonly unannotatedValues: Record<string, string[]>,
  ) {
    this.suppressed = new Map(Object.entries(unannotatedValues).map(([type, values]) => [type, new Set(values)]));
    this.compiled = [];
    for (const [name, patterns] of Object.entries(regexes)) {
      for (const p of patterns) this.compiled.push({ name, re: new RegExp(p, 'giu') });
    }
    // Like Rasa's RegexEntityExtractor with lookup tables: declared values are matched as
    // whole words, longest first, so values the examples never show are still found.
    this.declared = Object.entries(declaredValues)
      .filter(([, values]) => values.length > 0)
      .map(([name, values]) => {
        const alternatives = [...values].sort((a, b) => b.length - a.length).map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
        return { name, re: new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu') };
      });
  }

  /** Trains the tagger (when any example is annotated) and indexes the rules. */
  static train(data: TrainingData, orderIdPattern: string | null, options: TaggerOptions): EntityExtractor {
    const synonyms: Record<string, string> = {};
    for (const [canonical, surfaces] of Object.entries(data.synonyms)) {
      for (const s of surfaces) synonyms[s.toLowerCase()] = canonical;
    }
    const gazetteer = Gazetteer.build(data, tokenize);
    const annotated = data.examples.some((e) => e.entities.length > 0);
    const types = typesOf(data.examples);
    const declaredValues = declaredValuesOf(data, types);
    const unannotated = inconsistentValues(data, types, declaredValues);
    const draft = new EntityExtractor(orderIdPattern, data.regexes, synonyms, gazetteer, null, types, declaredValues, unannotated);
    let tagger: PerceptronTagger | null = null;
    if (annotated) {
      const sentences = data.examples.map((ex) => {
        const tokens = tokenize(ex.text);
        // Roles and groups are part of the tag (`B-city@departure`), so one Viterbi pass finds both.
        const spans = ex.entities.map((e) => ({ entity: entityLabel(e), start: e.start, end: e.end }));
        return { tokens, tags: bioTags(tokens, spans), extra: draft.extraFeatures(ex.text, tokens, ex) };
      });
      tagger = PerceptronTagger.train(sentences, options);
    }
    return new EntityExtractor(orderIdPattern, data.regexes, synonyms, gazetteer, tagger, types, declaredValues, unannotated);
  }

  /** Rebuilds from model-file state. */
  static fromState(state: ExtractorState): EntityExtractor {
    const tagger = state.tagger ? PerceptronTagger.fromState(state.tagger) : null;
    const types = new Set([...(tagger?.entityTypes ?? []).map((label) => parseEntityLabel(label).entity), ...Object.keys(state.declaredValues)]);
    return new EntityExtractor(
      state.orderIdPattern,
      state.regexes,
      state.synonyms,
      Gazetteer.fromState(state.gazetteer),
      tagger,
      types,
      state.declaredValues,
      state.unannotatedValues ?? {},
    );
  }

  /** Rounds the tagger's weights to int8 rows, in place (what an int8 model file holds). */
  quantizeWeights(): void {
    this.tagger?.quantizeWeights();
  }

  /** Serialisable state. */
  toState(): ExtractorState {
    return {
      orderIdPattern: this.orderIdPattern,
      regexes: this.regexes,
      synonyms: this.synonyms,
      declaredValues: this.declaredValues,
      gazetteer: this.gazetteer.toState(),
      tagger: this.tagger?.toState() ?? null,
      unannotatedValues: this.unannotatedValues,
    };
  }

  /**
   * All entities in the text, overlaps resolved (see {@link resolveOverlaps}). `extra` holds entities found elsewhere (built-ins) to resolve together.
   */
  extract(text: string, extra: FoundEntity[] = []): FoundEntity[] {
    const tokens = tokenize(text);
    const found: FoundEntity[] = [...extra];
    if (this.tagger !== null && tokens.length > 0) {
      for (const s of this.tagger.tag(tokens, this.extraFeatures(text, tokens))) {
        const start = (tokens[s.startToken] as Token).start;
        const end = (tokens[s.endToken - 1] as Token).end;
        const surface = text.slice(start, end);
        const { entity, role, group } = parseEntityLabel(s.entity);
        // A learned order id must still be a valid id, so the dialog never gets "status".
        if (entity === ORDER_ID_ENTITY && this.orderIdPattern !== null && !isValidOrderId(surface, this.orderIdPattern)) continue;
        const e: FoundEntity = { type: entity, start, end, text: surface, value: this.canonical(entity, surface), score: round(s.score), source: 'tagger' };
        if (role !== undefined) e.role = role;
        if (group !== undefined) e.group = group;
        found.push(e);
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
    for (const { name, re } of this.declared) {
      re.lastIndex = 0;
      for (const m of text.matchAll(re)) {
        const start = m.index ?? 0;
        found.push({ type: name, start, end: start + m[0].length, text: m[0], value: this.canonical(name, m[0]), score: 0.7, source: 'lookup' });
      }
    }
    return resolveOverlaps(this.suppressed.size === 0 ? found : found.filter((e) => !this.isSuppressed(e)));
  }

  /**
   * A lookup hit of a value the training data mostly leaves un-annotated. Only direct lookup
   * matches, which ignore context: the tagger already learns from the bare mentions (they are
   * `O` in its training data), and suppressing its hits by value cost 0.6-1.6 points of span F1
   * on the hwu64 and snips dev splits, whose annotation is consistent (docs/nlu.md).
   */
  private isSuppressed(e: FoundEntity): boolean {
    if (e.source !== 'lookup') return false;
    return this.suppressed.get(e.type)?.has(normalizeValue(e.text)) ?? false;
  }

  /** Regex, order-id pattern and gazetteer hits as per-token tagger features. */
  extraFeatures(text: string, tokens: Token[], exclude?: Example): string[][] {
    const out = this.gazetteer.features(tokens, exclude);
    // Tokens are sorted by position: find the first one a match touches by bisection, so marking
    // costs the match's own tokens, not the whole message (long input stays linear).
    const mark = (start: number, end: number, name: string): void => {
      for (let i = firstTokenEndingAfter(tokens, start); i < tokens.length && (tokens[i] as Token).start < end; i++) {
        (out[i] as string[]).push(`re:${name}`);
      }
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

function normalizeValue(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Whole-word mentions of one value in the training examples: annotated as its type, or bare. */
export interface MentionCounts {
  annotated: number;
  /** not overlapping any annotation (of any type) */
  bare: number;
}

/**
 * For each entity type, how often each of its values (annotated surfaces and declared
 * lookup/synonym values, lower-cased) is mentioned as a whole word annotated as that type, and
 * how often bare. A mention annotated as another type is neither: that is a type question,
 * not an un-annotated mention.
 */
export function valueMentionCounts(data: TrainingData, types: Set<string>, declaredValues: Record<string, string[]>): Map<string, Map<string, MentionCounts>> {
  const candidates = new Map<string, Set<string>>();
  const add = (type: string, value: string): void => {
    const v = normalizeValue(value);
    if (v === '' || type === ORDER_ID_ENTITY || !types.has(type)) return;
    const set = candidates.get(type);
    if (set) set.add(v);
    else candidates.set(type, new Set([v]));
  };
  for (const ex of data.examples) for (const e of ex.entities) add(e.entity, ex.text.slice(e.start, e.end));
  for (const [type, values] of Object.entries(declaredValues)) for (const v of values) add(type, v);
  const out = new Map<string, Map<string, MentionCounts>>();
  for (const [type, values] of [...candidates].sort(([a], [b]) => a.localeCompare(b))) {
    const alternatives = [...values].sort((a, b) => b.length - a.length).map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+'));
    const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
    const counts = new Map<string, MentionCounts>([...values].map((v) => [v, { annotated: 0, bare: 0 }]));
    for (const ex of data.examples) {
      for (const m of ex.text.matchAll(re)) {
        const start = m.index ?? 0;
        const end = start + m[0].length;
        const overlapping = ex.entities.filter((s) => s.start < end && start < s.end);
        const c = counts.get(normalizeValue(m[0]));
        if (c === undefined) continue;
        if (overlapping.length === 0) c.bare++;
        else if (overlapping.some((s) => s.entity === type)) c.annotated++;
      }
    }
    out.set(type, counts);
  }
  return out;
}

/**
 * How many times more often a value must be mentioned bare than annotated before the
 * extractor stops reporting it (and at least {@link MIN_BARE_MENTIONS} bare mentions).
 */
export const BARE_MENTION_RATIO = 1;
export const MIN_BARE_MENTIONS = 2;

/**
 * Values of each entity type that the examples mention bare (no annotation at all) more often
 * than annotated as that type, and at least twice. Rasa data often annotates a product name
 * in a few examples and leaves it bare in hundreds; tagging every mention then floods
 * precision, because the gold data says those mentions are not entities.
 */
export function inconsistentValues(
  data: TrainingData,
  types: Set<string>,
  declaredValues: Record<string, string[]>,
  ratio = BARE_MENTION_RATIO,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [type, counts] of valueMentionCounts(data, types, declaredValues)) {
    const flagged = [...counts]
      .filter(([, c]) => c.bare >= MIN_BARE_MENTIONS && c.bare > ratio * c.annotated)
      .map(([v]) => v)
      .sort();
    if (flagged.length > 0) out[type] = flagged;
  }
  return out;
}

/** Lookup values and synonym forms for entity types that examples annotate. */
function declaredValuesOf(data: TrainingData, types: Set<string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (type: string, value: string): void => {
    if (type === ORDER_ID_ENTITY || !types.has(type) || value.trim() === '') return;
    const list = out[type] ?? [];
    out[type] = list;
    if (!list.includes(value)) list.push(value);
  };
  for (const [name, values] of Object.entries(data.lookups)) for (const v of values) add(name, v);
  const typeOfCanonical = new Map<string, string>();
  for (const ex of data.examples) for (const e of ex.entities) typeOfCanonical.set(e.value, e.entity);
  for (const [canonical, surfaces] of Object.entries(data.synonyms)) {
    const type = typeOfCanonical.get(canonical);
    if (type !== undefined) for (const v of [canonical, ...surfaces]) add(type, v);
  }
  return out;
}

function typesOf(examples: Example[]): Set<string> {
  return new Set(examples.flatMap((e) => e.entities.map((s) => s.entity)));
}

// Values a user declared (lookup tables, synonyms) are exact evidence and beat the tagger,
// which can be unsure on small data; the tagger beats the generic patterns.
const PRIORITY: Record<FoundEntity['source'], number> = { lookup: 1, tagger: 2, pattern: 3, regex: 4, builtin: 5 };

// E-mails, URLs and formatted phone numbers are specific formats, while the order-id pattern is
// generic ("555-123-4567" fits it), so these built-ins win over anything they overlap.
function rank(e: FoundEntity): number {
  const specific = e.source === 'builtin' && (e.type === 'email' || e.type === 'url' || (e.type === 'phonenumber' && /[\s()+.-]/.test(e.text)));
  return specific ? 0 : PRIORITY[e.source];
}

/**
 * Resolves overlaps: by rank (specific built-ins, lookup, tagger, pattern, regex, other
 * built-ins), then longer spans first. A lower-ranked built-in is dropped when it overlaps
 * anything else; other entities are dropped only when they overlap one of the same type or a
 * higher-ranked non-built-in. Output is sorted by position.
 */
export function resolveOverlaps(found: FoundEntity[]): FoundEntity[] {
  const ranked = [...found].sort((a, b) => rank(a) - rank(b) || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: FoundEntity[] = [];
  // Kept entities by the characters they cover: a candidate is compared only with those sharing
  // a character, so the cost follows the total span length instead of growing with entities².
  const covering = new Map<number, FoundEntity[]>();
  for (const e of ranked) {
    let clash = false;
    for (let c = e.start; c < e.end && !clash; c++) {
      clash = covering.get(c)?.some((k) => k.type === e.type || k.source !== 'builtin' || rank(k) === 0 || e.source === 'builtin') ?? false;
    }
    if (clash) continue;
    kept.push(e);
    for (let c = e.start; c < e.end; c++) {
      const list = covering.get(c);
      if (list) list.push(e);
      else covering.set(c, [e]);
    }
  }
  return kept.sort((a, b) => a.start - b.start || a.type.localeCompare(b.type));
}

/** Index of the first token that ends after `offset` (tokens.length when none does). */
function firstTokenEndingAfter(tokens: Token[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((tokens[mid] as Token).end > offset) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
