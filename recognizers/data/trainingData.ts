import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar } from 'yaml';
import type { Node, YAMLMap } from 'yaml';
import type { EntitySpan, Example, TrainingData } from '../types';
import { parseAnnotatedExample } from './annotations';

/** An empty TrainingData, handy as a starting point for merging. */
export function emptyTrainingData(): TrainingData {
  return { examples: [], synonyms: {}, regexes: {}, lookups: {} };
}

/**
 * Loads training or test data from a Rasa 3.x `nlu.yml`/`.yaml` file or a JSON Lines file.
 * Errors name the file and the (1-based) line, because users edit these files by hand.
 */
export function loadTrainingData(file: string): TrainingData {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read training data (${(err as Error).message})`);
  }
  const ext = extname(file).toLowerCase();
  if (ext === '.yml' || ext === '.yaml') return parseRasaYaml(source, file);
  if (ext === '.jsonl' || ext === '.ndjson') return parseJsonLines(source, file);
  throw new Error(`${file}: unsupported training data extension "${ext}" (use .yml, .yaml or .jsonl)`);
}

/** Parses JSON Lines: one `{"text", "intent", "entities"}` object per line; blank lines skipped. */
export function parseJsonLines(source: string, file = '<jsonl>'): TrainingData {
  const data = emptyTrainingData();
  const lines = source.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (err) {
      throw new Error(`${where}: invalid JSON (${(err as Error).message})`);
    }
    data.examples.push(validateJsonExample(row, where));
  });
  return data;
}

function validateJsonExample(row: unknown, where: string): Example {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    throw new Error(`${where}: expected a JSON object with "text" and "intent"`);
  }
  const record = row as Record<string, unknown>;
  if (typeof record.text !== 'string') throw new Error(`${where}: "text" must be a string`);
  if (typeof record.intent !== 'string' || record.intent === '') {
    throw new Error(`${where}: "intent" must be a non-empty string`);
  }
  const text = record.text;
  const rawEntities = record.entities ?? [];
  if (!Array.isArray(rawEntities)) throw new Error(`${where}: "entities" must be an array`);
  const entities: EntitySpan[] = rawEntities.map((e: unknown, k) => {
    const span = e as Partial<EntitySpan> | null;
    const ok =
      span !== null && typeof span === 'object' && typeof span.entity === 'string' &&
      Number.isInteger(span.start) && Number.isInteger(span.end) &&
      (span.start as number) >= 0 && (span.end as number) <= text.length &&
      (span.start as number) < (span.end as number);
    if (!ok) throw new Error(`${where}: entity #${k + 1} needs "entity", and 0 <= start < end <= text length`);
    const s = span as EntitySpan;
    return { entity: s.entity, start: s.start, end: s.end, value: typeof s.value === 'string' ? s.value : text.slice(s.start, s.end) };
  });
  return { text, intent: record.intent, entities };
}

/** Parses a Rasa 3.x NLU YAML document (`nlu:` with intent, synonym, regex and lookup items). */
export function parseRasaYaml(source: string, file = '<nlu.yml>'): TrainingData {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, keepSourceTokens: false });
  const lineOf = (node: Node | null | undefined): number =>
    node?.range ? lineCounter.linePos(node.range[0]).line : 1;
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = first?.linePos?.[0]?.line ?? 1;
    throw new Error(`${file}:${line}: YAML syntax error: ${first?.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (!isMap(root)) throw new Error(`${file}:1: expected a mapping with an "nlu:" key at the top`);
  const nlu = root.get('nlu', true);
  if (nlu === undefined || nlu === null) throw new Error(`${file}:1: no "nlu:" section found`);
  if (!isSeq(nlu)) throw new Error(`${file}:${lineOf(nlu as Node)}: "nlu:" must be a list of items`);

  const data = emptyTrainingData();
  for (const item of nlu.items) {
    const line = lineOf(item as Node);
    if (!isMap(item)) throw new Error(`${file}:${line}: each "nlu:" item must be a mapping`);
    const kind = (['intent', 'synonym', 'regex', 'lookup'] as const).find((k) => item.has(k));
    if (kind === undefined) {
      throw new Error(`${file}:${line}: item needs one of intent, synonym, regex or lookup`);
    }
    const name = item.get(kind);
    if (typeof name !== 'string' || name.trim() === '') {
      throw new Error(`${file}:${line}: "${kind}" must be a non-empty string`);
    }
    const lines = readExampleLines(item, file, lineOf);
    if (kind === 'intent') {
      for (const { text, line: exLine } of lines) {
        let parsed;
        try {
          parsed = parseAnnotatedExample(text);
        } catch (err) {
          throw new Error(`${file}:${exLine}: ${(err as Error).message}`);
        }
        data.examples.push({ text: parsed.text, intent: name, entities: parsed.entities });
        for (const s of parsed.synonyms) addUnique(data.synonyms, s.canonical, s.surface);
      }
    } else {
      const target = kind === 'synonym' ? data.synonyms : kind === 'regex' ? data.regexes : data.lookups;
      for (const { text, line: exLine } of lines) {
        if (kind === 'regex') assertRegex(text, `${file}:${exLine}`);
        addUnique(target, name, text);
      }
    }
  }
  return data;
}

interface SourceLine {
  text: string;
  line: number;
}

// `examples:` is usually a block scalar of "- " lines; Rasa 3 also allows a list of
// `{text: ..., metadata: ...}` maps, which we accept and read the text from.
function readExampleLines(item: YAMLMap, file: string, lineOf: (n: Node | null | undefined) => number): SourceLine[] {
  const examples = item.get('examples', true) as Node | undefined;
  const itemLine = lineOf(item);
  if (examples === undefined || examples === null) {
    throw new Error(`${file}:${itemLine}: item has no "examples:"`);
  }
  if (isScalar(examples) && typeof examples.value === 'string') {
    const block = examples.type === Scalar.BLOCK_LITERAL || examples.type === Scalar.BLOCK_FOLDED;
    const first = lineOf(examples) + (block ? 1 : 0);
    const out: SourceLine[] = [];
    examples.value.split(/\r?\n/).forEach((raw, i) => {
      const trimmed = raw.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      if (!trimmed.startsWith('-')) {
        throw new Error(`${file}:${first + i}: example lines must start with "- " (got "${trimmed.slice(0, 40)}")`);
      }
      const text = trimmed.replace(/^-\s*/, '').trim();
      if (text !== '') out.push({ text, line: first + i });
    });
    return out;
  }
  if (isSeq(examples)) {
    return examples.items.map((entry) => {
      const line = lineOf(entry as Node);
      const value = isMap(entry) ? entry.get('text') : isScalar(entry) ? entry.value : undefined;
      if (typeof value !== 'string') throw new Error(`${file}:${line}: example needs a "text" string`);
      return { text: value.trim(), line };
    });
  }
  throw new Error(`${file}:${lineOf(examples)}: "examples:" must be a "|" block of "- " lines`);
}

function assertRegex(pattern: string, where: string): void {
  try {
    new RegExp(pattern, 'iu');
  } catch (err) {
    throw new Error(`${where}: invalid regex "${pattern}" (${(err as Error).message})`);
  }
}

function addUnique(target: Record<string, string[]>, key: string, value: string): void {
  const list = (target[key] ??= []);
  if (!list.includes(value)) list.push(value);
}

/** Concatenates several TrainingData objects (e.g. train + dev for final runs). */
export function mergeTrainingData(...parts: TrainingData[]): TrainingData {
  const out = emptyTrainingData();
  for (const part of parts) {
    out.examples.push(...part.examples);
    for (const [target, source] of [
      [out.synonyms, part.synonyms],
      [out.regexes, part.regexes],
      [out.lookups, part.lookups],
    ] as const) {
      for (const [key, values] of Object.entries(source)) for (const v of values) addUnique(target, key, v);
    }
  }
  return out;
}
