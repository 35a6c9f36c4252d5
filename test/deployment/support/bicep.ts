/**
 * A light structural reader for Bicep files: enough to list declarations (param, var, resource,
 * module, output), their decorators and literal defaults, and every identifier an expression
 * refers to. It is no compiler (none runs here, see deploymentTemplates/README.md); it exists so
 * tests can prove the Bicep and the hand-written ARM JSON beside it declare the same things.
 */

export interface BicepToken {
  kind: 'ident' | 'string' | 'number' | 'punct';
  /** For strings: the literal text; interpolated strings have `interpolated` set. */
  value: string;
  line: number;
  /** First token on its source line (property keys and declarations start lines). */
  firstOnLine: boolean;
  /** Inside a `${...}` of a string: never a property key. */
  inInterpolation: boolean;
  interpolated?: boolean;
}

/** A literal value as Bicep writes it, or the expression text when it is not a literal. */
export type BicepValue = string | number | boolean | null | BicepValue[] | { [key: string]: BicepValue } | { expression: string };

export interface BicepDecorator {
  name: string;
  args: BicepValue[];
}

export interface BicepParam {
  name: string;
  type: string;
  decorators: BicepDecorator[];
  defaultValue?: BicepValue;
  line: number;
}

export interface BicepResource {
  symbol: string;
  type: string;
  apiVersion: string;
  existing: boolean;
  conditional: boolean;
  line: number;
}

export interface BicepModule {
  symbol: string;
  path: string;
  conditional: boolean;
  /** The keys of its `params: { ... }` object. */
  params: string[];
  line: number;
}

export interface BicepReference {
  name: string;
  line: number;
}

export interface BicepFile {
  targetScope: string;
  metadata: Record<string, BicepValue>;
  params: Map<string, BicepParam>;
  vars: Set<string>;
  resources: Map<string, BicepResource>;
  modules: Map<string, BicepModule>;
  outputs: Map<string, { type: string; line: number }>;
  /** Identifiers used in expressions (not property keys, member names or function names). */
  references: BicepReference[];
  /** Functions called, by name. */
  functionCalls: BicepReference[];
  /** Names bound by `for x in` loops and lambdas; they count as declared. */
  locals: Set<string>;
  tokens: BicepToken[];
}

const KEYWORDS = new Set(['true', 'false', 'null', 'if', 'for', 'in', 'existing']);
const MULTI_CHAR_PUNCT = ['==', '!=', '>=', '<=', '&&', '||', '??', '=>', '=~', '!~'];

/** Splits Bicep source into tokens; strings' interpolations are tokenised in place. */
export function tokenizeBicep(text: string): BicepToken[] {
  const tokens: BicepToken[] = [];
  let line = 1;
  let lastTokenLine = 0;
  const push = (kind: BicepToken['kind'], value: string, inInterpolation: boolean, extra: Partial<BicepToken> = {}): void => {
    tokens.push({ kind, value, line, firstOnLine: lastTokenLine !== line, inInterpolation, ...extra });
    lastTokenLine = line;
  };

  /** Tokenises from `i`; inside an interpolation it stops at the `}` that closes it. */
  const run = (start: number, interpolation: boolean): number => {
    let i = start;
    let braces = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === '\n') {
        line += 1;
        i += 1;
      } else if (c === ' ' || c === '\t' || c === '\r') {
        i += 1;
      } else if (text.startsWith('//', i)) {
        while (i < text.length && text[i] !== '\n') i += 1;
      } else if (text.startsWith('/*', i)) {
        const end = text.indexOf('*/', i + 2);
        if (end < 0) throw new Error(`line ${line}: unterminated /* comment`);
        line += countNewlines(text.slice(i, end));
        i = end + 2;
      } else if (text.startsWith("'''", i)) {
        const end = text.indexOf("'''", i + 3);
        if (end < 0) throw new Error(`line ${line}: unterminated ''' string`);
        push('string', text.slice(i + 3, end), interpolation);
        line += countNewlines(text.slice(i, end));
        i = end + 3;
      } else if (c === "'") {
        i = readString(i + 1, interpolation);
      } else if (/[A-Za-z_]/.test(c)) {
        const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)) as RegExpExecArray;
        push('ident', match[0], interpolation);
        i += match[0].length;
      } else if (/[0-9]/.test(c)) {
        const match = /^[0-9]+/.exec(text.slice(i)) as RegExpExecArray;
        push('number', match[0], interpolation);
        i += match[0].length;
      } else {
        if (interpolation && c === '}' && braces === 0) return i + 1;
        if (c === '{') braces += 1;
        if (c === '}') braces -= 1;
        const op = MULTI_CHAR_PUNCT.find((p) => text.startsWith(p, i)) ?? c;
        push('punct', op, interpolation);
        i += op.length;
      }
    }
    if (interpolation) throw new Error(`line ${line}: unterminated \${ interpolation`);
    return i;
  };

  const readString = (start: number, interpolation: boolean): number => {
    let i = start;
    let literal = '';
    let interpolated = false;
    const index = tokens.length;
    push('string', '', interpolation);
    while (i < text.length) {
      const c = text[i];
      if (c === '\\') {
        literal += text[i + 1] ?? '';
        i += 2;
      } else if (c === "'") {
        tokens[index].value = literal;
        if (interpolated) tokens[index].interpolated = true;
        return i + 1;
      } else if (text.startsWith('${', i)) {
        interpolated = true;
        literal += '${}';
        i = run(i + 2, true);
      } else if (c === '\n') {
        throw new Error(`line ${line}: unterminated string`);
      } else {
        literal += c;
        i += 1;
      }
    }
    throw new Error(`line ${line}: unterminated string`);
  };

  run(0, false);
  return tokens;
}

function countNewlines(s: string): number {
  let n = 0;
  for (const c of s) if (c === '\n') n += 1;
  return n;
}

/** Reads the declarations of a Bicep file and every identifier its expressions use. */
export function parseBicep(text: string): BicepFile {
  const tokens = tokenizeBicep(text);
  const file: BicepFile = {
    targetScope: 'resourceGroup',
    metadata: {},
    params: new Map(),
    vars: new Set(),
    resources: new Map(),
    modules: new Map(),
    outputs: new Map(),
    references: [],
    functionCalls: [],
    locals: new Set(),
    tokens,
  };
  /** Token indexes that name a declaration or its type: not references. */
  const declarationTokens = new Set<number>();
  let pendingDecorators: BicepDecorator[] = [];
  let depth = 0;

  for (let i = 0; i < tokens.length; i += 1) {
    const t = tokens[i];
    if (t.kind === 'punct' && '{[('.includes(t.value)) depth += 1;
    if (t.kind === 'punct' && '}])'.includes(t.value)) depth -= 1;
    if (depth !== 0 || t.inInterpolation) continue;

    if (t.kind === 'punct' && t.value === '@') {
      const name = tokens[i + 1];
      const end = matchingClose(tokens, i + 2);
      pendingDecorators.push({ name: name.value, args: splitArgs(tokens, i + 3, end).map((range) => evaluate(tokens, range[0], range[1])) });
      declarationTokens.add(i + 1);
      i = end;
      continue;
    }
    if (t.kind !== 'ident' || !t.firstOnLine) continue;
    const next = tokens[i + 1];
    switch (t.value) {
      case 'targetScope':
        file.targetScope = tokens[i + 2].value;
        declarationTokens.add(i);
        break;
      case 'metadata': {
        declarationTokens.add(i).add(i + 1);
        const end = valueEnd(tokens, i + 3);
        file.metadata[next.value] = evaluate(tokens, i + 3, end);
        break;
      }
      case 'param': {
        declarationTokens
          .add(i)
          .add(i + 1)
          .add(i + 2);
        const param: BicepParam = { name: next.value, type: tokens[i + 2].value, decorators: pendingDecorators, line: t.line };
        if (tokens[i + 3]?.value === '=' && tokens[i + 3].line === t.line) {
          param.defaultValue = evaluate(tokens, i + 4, valueEnd(tokens, i + 4));
        }
        file.params.set(param.name, param);
        break;
      }
      case 'var':
        declarationTokens.add(i).add(i + 1);
        file.vars.add(next.value);
        break;
      case 'output':
        declarationTokens
          .add(i)
          .add(i + 1)
          .add(i + 2);
        file.outputs.set(next.value, { type: tokens[i + 2].value, line: t.line });
        break;
      case 'resource': {
        declarationTokens.add(i).add(i + 1);
        const [type, apiVersion] = tokens[i + 2].value.split('@');
        const existing = tokens[i + 3].value === 'existing';
        const afterEquals = i + (existing ? 5 : 4);
        file.resources.set(next.value, {
          symbol: next.value,
          type,
          apiVersion,
          existing,
          conditional: tokens[afterEquals]?.value === 'if',
          line: t.line,
        });
        break;
      }
      case 'module': {
        declarationTokens.add(i).add(i + 1);
        const bodyStart = tokens.findIndex((tok, k) => k > i + 3 && tok.value === '{' && tok.kind === 'punct');
        file.modules.set(next.value, {
          symbol: next.value,
          path: tokens[i + 2].value,
          conditional: tokens[i + 4]?.value === 'if',
          params: objectKeysOf(tokens, bodyStart, 'params'),
          line: t.line,
        });
        break;
      }
      case 'type':
      case 'func':
      case 'import':
        throw new Error(`line ${t.line}: "${t.value}" declarations are not understood by this reader`);
      default:
        break;
    }
    if (['param', 'var', 'output', 'resource', 'module', 'metadata', 'targetScope'].includes(t.value)) pendingDecorators = [];
  }

  collectReferences(file, declarationTokens);
  return file;
}

function collectReferences(file: BicepFile, declarationTokens: Set<number>): void {
  const { tokens } = file;
  for (let i = 0; i < tokens.length; i += 1) {
    const t = tokens[i];
    if (t.kind !== 'ident' || declarationTokens.has(i) || KEYWORDS.has(t.value)) continue;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    if (prev?.kind === 'punct' && (prev.value === '.' || prev.value === '@')) continue;
    if (next?.kind === 'punct' && next.value === ':' && t.firstOnLine && !t.inInterpolation) continue;
    if (prev?.value === 'for') {
      file.locals.add(t.value);
      continue;
    }
    if (next?.kind === 'punct' && next.value === '=>') {
      file.locals.add(t.value);
      continue;
    }
    if (next?.kind === 'punct' && next.value === '(') {
      file.functionCalls.push({ name: t.value, line: t.line });
      continue;
    }
    file.references.push({ name: t.value, line: t.line });
  }
}

/** Index of the token closing the bracket at `open`. */
function matchingClose(tokens: BicepToken[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i += 1) {
    const v = tokens[i].kind === 'punct' ? tokens[i].value : '';
    if ('{[('.includes(v) && v) depth += 1;
    if ('}])'.includes(v) && v) {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  throw new Error(`line ${tokens[open]?.line}: unbalanced brackets`);
}

/** End (exclusive) of a value starting at `start`: the end of its line, or of its bracket. */
function valueEnd(tokens: BicepToken[], start: number): number {
  let depth = 0;
  for (let i = start; i < tokens.length; i += 1) {
    const t = tokens[i];
    if (i > start && depth === 0 && t.firstOnLine && !t.inInterpolation) return i;
    if (t.kind === 'punct' && '{[('.includes(t.value)) depth += 1;
    if (t.kind === 'punct' && '}])'.includes(t.value)) depth -= 1;
  }
  return tokens.length;
}

/** Ranges of comma- or newline-separated items between `start` and `end` (exclusive). */
function splitArgs(tokens: BicepToken[], start: number, end: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let depth = 0;
  let itemStart = start;
  for (let i = start; i < end; i += 1) {
    const t = tokens[i];
    if (t.kind === 'punct' && '{[('.includes(t.value)) depth += 1;
    if (t.kind === 'punct' && '}])'.includes(t.value)) depth -= 1;
    if (depth === 0 && t.kind === 'punct' && t.value === ',') {
      ranges.push([itemStart, i]);
      itemStart = i + 1;
    }
  }
  if (itemStart < end) ranges.push([itemStart, end]);
  return ranges;
}

/** Evaluates literal Bicep values (strings, numbers, booleans, arrays, objects). */
function evaluate(tokens: BicepToken[], start: number, end: number): BicepValue {
  const first = tokens[start];
  if (end - start === 1) {
    if (first.kind === 'string' && !first.interpolated) return first.value;
    if (first.kind === 'number') return Number(first.value);
    if (first.value === 'true' || first.value === 'false') return first.value === 'true';
    if (first.value === 'null') return null;
  }
  if (end - start === 2 && first.value === '-' && tokens[start + 1].kind === 'number') return -Number(tokens[start + 1].value);
  if (first.kind === 'punct' && first.value === '[' && matchingClose(tokens, start) === end - 1) {
    return itemsOf(tokens, start + 1, end - 1).map(([a, b]) => evaluate(tokens, a, b));
  }
  if (first.kind === 'punct' && first.value === '{' && matchingClose(tokens, start) === end - 1) {
    const result: { [key: string]: BicepValue } = {};
    for (const [a, b] of itemsOf(tokens, start + 1, end - 1)) {
      result[tokens[a].value] = evaluate(tokens, a + 2, b);
    }
    return result;
  }
  return {
    expression: tokens
      .slice(start, end)
      .map((t) => (t.kind === 'string' ? `'${t.value}'` : t.value))
      .join(''),
  };
}

/** Items of a multi-line array or object body: each starts a line (or follows a comma). */
function itemsOf(tokens: BicepToken[], start: number, end: number): Array<[number, number]> {
  const items: Array<[number, number]> = [];
  let i = start;
  while (i < end) {
    if (tokens[i].kind === 'punct' && tokens[i].value === ',') {
      i += 1;
      continue;
    }
    let j = i + 1;
    let depth = 0;
    for (let k = i; k < end; k += 1) {
      const t = tokens[k];
      if (k > i && depth === 0 && (t.firstOnLine || (t.kind === 'punct' && t.value === ','))) break;
      if (t.kind === 'punct' && '{[('.includes(t.value)) depth += 1;
      if (t.kind === 'punct' && '}])'.includes(t.value)) depth -= 1;
      j = k + 1;
    }
    items.push([i, j]);
    i = j;
  }
  return items;
}

/** Keys of the object under property `key` inside the object body opening at `bodyStart`. */
function objectKeysOf(tokens: BicepToken[], bodyStart: number, key: string): string[] {
  const bodyEnd = matchingClose(tokens, bodyStart);
  for (let i = bodyStart + 1; i < bodyEnd; i += 1) {
    if (tokens[i].value === key && tokens[i].firstOnLine && tokens[i + 1]?.value === ':' && tokens[i + 2]?.value === '{') {
      const end = matchingClose(tokens, i + 2);
      return itemsOf(tokens, i + 3, end).map(([a]) => tokens[a].value);
    }
  }
  return [];
}

/**
 * The `name: '...'` entries of the first array under property `key` (for example the
 * `appSettings` of a web app), in order.
 */
export function namesInArrayProperty(file: BicepFile, key: string): string[] {
  const { tokens } = file;
  const start = tokens.findIndex((t, i) => t.value === key && t.firstOnLine && tokens[i + 1]?.value === ':' && tokens[i + 2]?.value === '[');
  if (start < 0) return [];
  const end = matchingClose(tokens, start + 2);
  const names: string[] = [];
  for (let i = start + 3; i < end; i += 1) {
    const t = tokens[i];
    if (t.value === 'name' && t.firstOnLine && tokens[i + 1]?.value === ':' && tokens[i + 2]?.kind === 'string') {
      names.push(tokens[i + 2].value);
    }
  }
  return names;
}

/**
 * The `{ name: '...', value: ... }` entries of the first array under property `key`, with the
 * tokens of each value: enough to see which parameters, variables and resources a value uses.
 */
export function nameValueEntries(file: BicepFile, key: string): Array<{ name: string; valueTokens: BicepToken[] }> {
  const { tokens } = file;
  const start = tokens.findIndex((t, i) => t.value === key && t.firstOnLine && tokens[i + 1]?.value === ':' && tokens[i + 2]?.value === '[');
  if (start < 0) return [];
  const end = matchingClose(tokens, start + 2);
  const entries: Array<{ name: string; valueTokens: BicepToken[] }> = [];
  for (let i = start + 3; i < end; i += 1) {
    if (tokens[i].kind !== 'punct' || tokens[i].value !== '{') continue;
    const close = matchingClose(tokens, i);
    const entry: { name: string; valueTokens: BicepToken[] } = { name: '', valueTokens: [] };
    for (const [a, b] of itemsOf(tokens, i + 1, close)) {
      if (tokens[a].value === 'name') entry.name = tokens[a + 2].value;
      if (tokens[a].value === 'value') entry.valueTokens = tokens.slice(a + 2, b);
    }
    entries.push(entry);
    i = close;
  }
  return entries;
}

/** Bicep functions these templates may call; a name outside this list is a typo. */
export const BICEP_FUNCTIONS = new Set([
  'resourceGroup',
  'subscription',
  'tenant',
  'deployment',
  'environment',
  'managementGroup',
  'uniqueString',
  'guid',
  'newGuid',
  'utcNow',
  'take',
  'skip',
  'replace',
  'toLower',
  'toUpper',
  'trim',
  'substring',
  'split',
  'join',
  'concat',
  'union',
  'intersection',
  'contains',
  'empty',
  'length',
  'first',
  'last',
  'format',
  'string',
  'int',
  'bool',
  'json',
  'uri',
  'uriComponent',
  'base64',
  'resourceId',
  'subscriptionResourceId',
  'tenantResourceId',
  'extensionResourceId',
  'reference',
  'listKeys',
  'coalesce',
  'min',
  'max',
  'range',
  'items',
  'filter',
  'map',
  'startsWith',
  'endsWith',
  'indexOf',
  'padLeft',
  'dateTimeAdd',
  'loadTextContent',
  'loadJsonContent',
]);
