import { Culture, recognizeDateTime, recognizeEmail, recognizeNumber, recognizePhoneNumber, recognizeURL } from '@microsoft/recognizers-text-suite';
import type { FoundEntity } from './extractor';

/** Built-in entity kinds, named as LUIS prebuilt entities are. */
export type BuiltinEntity = 'number' | 'datetime' | 'email' | 'phonenumber' | 'url';

/** Every built-in entity kind. */
export const ALL_BUILTIN_ENTITIES: readonly BuiltinEntity[] = ['number', 'datetime', 'email', 'phonenumber', 'url'];

interface ModelResult {
  text: string;
  start: number;
  /** inclusive */
  end: number;
  typeName: string;
  // The recognizers-text resolution is an untyped bag that differs per model.
  // biome-ignore lint/suspicious/noExplicitAny: Recognizers-Text resolutions differ by model and are read field by field below
  resolution: Record<string, any> | null;
}

// The number and date-time models cost milliseconds per call; most chat turns ("yes", "help")
// hold neither, so a cheap pre-check skips them. The words are the ones those models react to.
const MAYBE_NUMBER =
  /\d|\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen|half|quarter|first|second|third)\b/i;
const MAYBE_DATETIME =
  /\d|\b(?:today|tonight|tomorrow|yesterday|now|noon|midnight|morning|afternoon|evening|night|week|weekend|month|year|day|hour|minute|ago|next|last|this|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|christmas|easter)\b/i;

const RECOGNIZERS: Record<BuiltinEntity, { gate: RegExp | null; run: (text: string) => ModelResult[] }> = {
  number: { gate: MAYBE_NUMBER, run: (t) => recognizeNumber(t, Culture.English) },
  datetime: { gate: MAYBE_DATETIME, run: (t) => recognizeDateTime(t, Culture.English) },
  email: { gate: /@/, run: (t) => recognizeEmail(t, Culture.English) },
  phonenumber: { gate: /\d/, run: (t) => recognizePhoneNumber(t, Culture.English) },
  url: { gate: /\.|:\/\//, run: (t) => recognizeURL(t, Culture.English) },
};

/** Resolved value in LUIS prebuilt form: numbers as numbers, datetimes as `{ type, timex }`. */
function resolvedValue(kind: BuiltinEntity, r: ModelResult): unknown {
  const res = r.resolution ?? {};
  if (kind === 'number') {
    const n = Number(res.value);
    return Number.isFinite(n) ? n : r.text;
  }
  if (kind === 'datetime') {
    const values = Array.isArray(res.values) ? (res.values as Array<Record<string, string>>) : [];
    return { type: values[0]?.type ?? r.typeName.replace(/^datetimeV2\./, ''), timex: values.map((v) => v.timex).filter((x) => typeof x === 'string') };
  }
  return typeof res.value === 'string' ? res.value : r.text;
}

/** Runs the Microsoft Recognizers-Text models for the requested kinds (English). */
export function findBuiltinEntities(text: string, kinds: readonly BuiltinEntity[]): FoundEntity[] {
  const out: FoundEntity[] = [];
  for (const kind of kinds) {
    const { gate, run } = RECOGNIZERS[kind];
    if (gate !== null && !gate.test(text)) continue;
    for (const r of run(text)) {
      const end = r.end + 1;
      out.push({ type: kind, start: r.start, end, text: text.slice(r.start, end), value: resolvedValue(kind, r), score: 1, source: 'builtin' });
    }
  }
  return out;
}
