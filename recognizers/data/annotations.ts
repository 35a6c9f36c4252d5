import type { EntitySpan } from '../types';

/** Result of stripping Rasa entity markup from one example line. */
export interface AnnotatedText {
  text: string;
  entities: EntitySpan[];
  /** surface form -> canonical value, from `[surface]{"entity": "x", "value": "canonical"}` */
  synonyms: Array<{ surface: string; canonical: string }>;
}

// `[value](entity)`, `[value](entity:canonical)` (Rasa 1/2 shorthand still seen in the wild) and
// `[value]{"entity": "x", "value": "y", "role": "r"}` (Rasa 3). Values may not contain `]`.
const MARKUP = /\[([^\]\n]+)\](?:\(([^)\n]+)\)|(\{[^}\n]*\}))/g;

/**
 * Strips entity markup from a Rasa example and records the spans in the clean text.
 * Throws an Error (message without location; the caller adds file and line) on malformed JSON.
 */
export function parseAnnotatedExample(line: string): AnnotatedText {
  const entities: EntitySpan[] = [];
  const synonyms: Array<{ surface: string; canonical: string }> = [];
  let text = '';
  let last = 0;
  for (const match of line.matchAll(MARKUP)) {
    const index = match.index ?? 0;
    text += line.slice(last, index);
    const surface = match[1] ?? '';
    let entity: string;
    let canonical: string | undefined;
    let role: string | undefined;
    let group: string | undefined;
    if (match[2] !== undefined) {
      const [name, value] = match[2].split(':', 2);
      entity = (name ?? '').trim();
      canonical = value?.trim();
    } else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(match[3] ?? '');
      } catch {
        throw new Error(`invalid entity JSON ${match[3]}`);
      }
      const record = parsed as Record<string, unknown>;
      if (typeof record.entity !== 'string' || record.entity.length === 0) {
        throw new Error(`entity JSON ${match[3]} needs a string "entity" field`);
      }
      entity = record.entity;
      canonical = typeof record.value === 'string' ? record.value : undefined;
      role = optionalName(record.role, 'role', match[3] ?? '');
      group = optionalName(record.group, 'group', match[3] ?? '');
    }
    if (entity.length === 0) throw new Error(`empty entity name in "${match[0]}"`);
    const start = text.length;
    text += surface;
    const value = canonical ?? surface;
    if (/[@#]/.test(entity)) throw new Error(`entity name "${entity}" must not contain "@" or "#"`);
    const span: EntitySpan = { entity, start, end: start + surface.length, value };
    if (role !== undefined) span.role = role;
    if (group !== undefined) span.group = group;
    entities.push(span);
    if (canonical !== undefined && canonical !== surface) synonyms.push({ surface, canonical });
    last = index + match[0].length;
  }
  text += line.slice(last);
  return { text, entities, synonyms };
}

/** A role or group from entity JSON: a non-empty string (numbers are read as strings, Rasa writes groups as "1"). */
function optionalName(raw: unknown, key: string, json: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if ((typeof raw !== 'string' && typeof raw !== 'number') || String(raw).trim() === '' || /[@#]/.test(String(raw))) {
    throw new Error(`entity JSON ${json}: "${key}" must be a non-empty string without "@" or "#"`);
  }
  return String(raw).trim();
}
