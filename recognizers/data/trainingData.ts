import { globSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar } from 'yaml';
import type { Node, YAMLMap } from 'yaml';
import type { EntitySpan, Example, TrainingData } from '../types';
import { parseAnnotatedExample } from './annotations';

/** An empty TrainingData, handy as a starting point for merging. */
export function emptyTrainingData(): TrainingData {
  return { examples: [], synonyms: {}, regexes: {}, lookups: {} };
}

/** Receives non-fatal problems found while reading training data ("file:line: message"). */
export type TrainingDataWarn = (message: string) => void;

/** Options of {@link loadTrainingData}. */
export interface LoadOptions {
  /** Called for each non-fatal problem; default: printed on stderr. */
  warn?: TrainingDataWarn;
}

const DATA_EXTENSIONS = new Set(['.yml', '.yaml', '.jsonl', '.ndjson']);

function defaultWarn(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

/**
 * The files a training-data setting names: one file, every .yml/.yaml/.jsonl file under a
 * directory (recursively, as `rasa train --data data/` reads it), or the files matching a glob
 * such as `data/nlu/*.yml`. Sorted, so merging (and the model's hash) does not depend on the
 * file system's listing order. Throws an Error naming the setting's value when nothing matches.
 */
export function resolveTrainingFiles(spec: string): string[] {
  let files: string[];
  if (/[*?[{]/.test(spec)) {
    files = globSync(spec).filter((f) => DATA_EXTENSIONS.has(extname(f).toLowerCase()) && isFile(f));
    if (files.length === 0) throw new Error(`${spec}: no .yml, .yaml or .jsonl file matches this pattern`);
  } else {
    let isDir: boolean;
    try {
      isDir = statSync(spec).isDirectory();
    } catch {
      throw new Error(`${spec}: cannot read training data (no such file or directory)`);
    }
    if (!isDir) return [spec];
    files = listDataFiles(spec);
    if (files.length === 0) throw new Error(`${spec}: the directory holds no .yml, .yaml or .jsonl file`);
  }
  return files.sort();
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function listDataFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listDataFiles(path));
    else if (entry.isFile() && DATA_EXTENSIONS.has(extname(entry.name).toLowerCase())) out.push(path);
  }
  return out;
}

/**
 * Loads training or test data from a Rasa NLU YAML file (`nlu.yml`), a JSON Lines file, or a
 * project layout: a directory or glob of such files, merged as Rasa merges them (examples of
 * the same intent from several files are one intent; synonyms, regexes and lookups are joined).
 * In a directory or glob, YAML files without an `nlu:` section (stories, rules, domain) are
 * skipped. Errors name the file and the (1-based) line, because users edit these files by hand;
 * problems Rasa only warns about (unknown keys, example lines without "- ") go to `warn`.
 */
export function loadTrainingData(spec: string, options: LoadOptions = {}): TrainingData {
  const warn = options.warn ?? defaultWarn;
  const files = resolveTrainingFiles(spec);
  if (files.length === 1 && files[0] === spec) return loadOneFile(spec, warn, false) ?? emptyTrainingData();
  const parts = files.map((f) => loadOneFile(f, warn, true)).filter((d): d is TrainingData => d !== null);
  if (parts.length === 0) throw new Error(`${spec}: none of its ${files.length} file(s) has an "nlu:" section`);
  return mergeTrainingData(...parts);
}

function loadOneFile(file: string, warn: TrainingDataWarn, skipWithoutNlu: boolean): TrainingData | null {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read training data (${(err as Error).message})`);
  }
  const ext = extname(file).toLowerCase();
  if (ext === '.yml' || ext === '.yaml') return parseRasaYaml(source, file, { warn, skipWithoutNlu });
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
      span !== null &&
      typeof span === 'object' &&
      typeof span.entity === 'string' &&
      Number.isInteger(span.start) &&
      Number.isInteger(span.end) &&
      (span.start as number) >= 0 &&
      (span.end as number) <= text.length &&
      (span.start as number) < (span.end as number);
    if (!ok) throw new Error(`${where}: entity #${k + 1} needs "entity", and 0 <= start < end <= text length`);
    const s = span as EntitySpan;
    const out: EntitySpan = { entity: s.entity, start: s.start, end: s.end, value: typeof s.value === 'string' ? s.value : text.slice(s.start, s.end) };
    if (typeof s.role === 'string' && s.role !== '') out.role = s.role;
    if ((typeof s.group === 'string' && s.group !== '') || typeof s.group === 'number') out.group = String(s.group);
    return out;
  });
  return { text, intent: record.intent, entities };
}

/** Rasa training-data format versions this reader understands (the `version:` key). */
export const SUPPORTED_RASA_VERSIONS = ['2.0', '3.0', '3.1'] as const;

// Top-level keys of Rasa training data and domain files: not NLU, but not mistakes either.
const KNOWN_TOP_LEVEL = new Set([
  'version',
  'nlu',
  'stories',
  'rules',
  'responses',
  'intents',
  'entities',
  'slots',
  'forms',
  'actions',
  'session_config',
  'e2e_actions',
  'config',
]);
const KNOWN_ITEM_KEYS = new Set(['intent', 'synonym', 'regex', 'lookup', 'examples', 'metadata']);

/**
 * Checks the `version:` key: missing means "latest" (as in Rasa); 2.0 to 3.1 are read; a later
 * 3.x minor is read with a warning; anything else (1.x Markdown-era, 4.x) is an error.
 */
function checkVersion(raw: unknown, where: string, warn: TrainingDataWarn): void {
  if (raw === undefined || raw === null) return;
  const version = String(raw).trim();
  if ((SUPPORTED_RASA_VERSIONS as readonly string[]).includes(version)) return;
  const supported = SUPPORTED_RASA_VERSIONS.join(', ');
  if (/^3\.\d+$/.test(version)) {
    warn(`${where}: training data format version "${version}" is newer than the formats this reader knows (${supported}); reading it as 3.1`);
    return;
  }
  throw new Error(`${where}: training data format version "${version}" is not supported (supported: ${supported}); convert the file to Rasa 3 YAML`);
}

/** Options of {@link parseRasaYaml}. */
export interface ParseOptions {
  warn?: TrainingDataWarn;
  /** return null instead of failing when the document has no `nlu:` section (project directories) */
  skipWithoutNlu?: boolean;
}

/** Parses a Rasa 2.x/3.x NLU YAML document (`nlu:` with intent, synonym, regex and lookup items). */
export function parseRasaYaml(source: string, file?: string): TrainingData;
export function parseRasaYaml(source: string, file: string, options: ParseOptions & { skipWithoutNlu: true }): TrainingData | null;
export function parseRasaYaml(source: string, file: string, options: ParseOptions): TrainingData;
export function parseRasaYaml(source: string, file = '<nlu.yml>', options: ParseOptions = {}): TrainingData | null {
  const warn = options.warn ?? defaultWarn;
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, keepSourceTokens: false });
  const lineOf = (node: Node | null | undefined): number => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = first?.linePos?.[0]?.line ?? 1;
    throw new Error(`${file}:${line}: YAML syntax error: ${first?.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (!isMap(root)) {
    if (options.skipWithoutNlu && (root === null || isScalar(root))) return null;
    throw new Error(`${file}:1: expected a mapping with an "nlu:" key at the top`);
  }
  const versionNode = root.get('version', true) as Node | undefined;
  checkVersion(isScalar(versionNode) ? versionNode.value : versionNode, `${file}:${lineOf(versionNode)}`, warn);
  const nlu = root.get('nlu', true);
  if (nlu === undefined || nlu === null) {
    if (options.skipWithoutNlu) return null;
    throw new Error(`${file}:1: no "nlu:" section found`);
  }
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!KNOWN_TOP_LEVEL.has(key)) warn(`${file}:${lineOf(pair.key as Node)}: unknown top-level key "${key}" ignored`);
  }
  if (!isSeq(nlu)) throw new Error(`${file}:${lineOf(nlu as Node)}: "nlu:" must be a list of items`);

  const data = emptyTrainingData();
  for (const item of nlu.items) {
    const line = lineOf(item as Node);
    if (!isMap(item)) throw new Error(`${file}:${line}: each "nlu:" item must be a mapping`);
    for (const pair of item.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (!KNOWN_ITEM_KEYS.has(key)) warn(`${file}:${lineOf(pair.key as Node)}: unknown key "${key}" ignored`);
    }
    const kind = (['intent', 'synonym', 'regex', 'lookup'] as const).find((k) => item.has(k));
    if (kind === undefined) {
      warn(`${file}:${line}: item has none of intent, synonym, regex or lookup; skipped`);
      continue;
    }
    const name = item.get(kind);
    if (typeof name !== 'string' || name.trim() === '') {
      throw new Error(`${file}:${line}: "${kind}" must be a non-empty string`);
    }
    const lines = readExampleLines(item, file, lineOf, warn);
    if (kind === 'intent') {
      for (const { text, line: exLine } of lines) {
        let parsed: ReturnType<typeof parseAnnotatedExample>;
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
function readExampleLines(item: YAMLMap, file: string, lineOf: (n: Node | null | undefined) => number, warn: TrainingDataWarn): SourceLine[] {
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
        // Rasa reads such a line as garbage and warns; it is usually a forgotten dash.
        warn(`${file}:${first + i}: example line without "- " ignored ("${trimmed.slice(0, 40)}")`);
        return;
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
  const list = target[key] ?? [];
  target[key] = list;
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
