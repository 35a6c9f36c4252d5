/**
 * Public contract of the local recognizer. The bot (src/, dialogs/) depends only on what is
 * exported from `recognizers/index.ts`; everything else under `recognizers/` is internal.
 */

/** One annotated entity inside an example. `end` is exclusive, in UTF-16 code units. */
export interface EntitySpan {
  entity: string;
  start: number;
  end: number;
  value: string;
  /** Rasa entity role (`{"entity": "city", "role": "departure"}`); absent when not annotated */
  role?: string;
  /** Rasa entity group (`"group": "1"`), kept as a string; absent when not annotated */
  group?: string;
}

/**
 * The tagger's label for a span: the entity, `@role` and `#group` when annotated
 * (`city@departure`, `pizza_size#1`). Entity names must not contain `@` or `#`.
 */
export function entityLabel(span: { entity: string; role?: string | undefined; group?: string | undefined }): string {
  return `${span.entity}${span.role === undefined ? '' : `@${span.role}`}${span.group === undefined ? '' : `#${span.group}`}`;
}

/** Splits an {@link entityLabel} back into entity, role and group. */
export function parseEntityLabel(label: string): { entity: string; role?: string; group?: string } {
  const hash = label.indexOf('#');
  const group = hash < 0 ? undefined : label.slice(hash + 1);
  const rest = hash < 0 ? label : label.slice(0, hash);
  const at = rest.indexOf('@');
  const out: { entity: string; role?: string; group?: string } = { entity: at < 0 ? rest : rest.slice(0, at) };
  if (at >= 0) out.role = rest.slice(at + 1);
  if (group !== undefined) out.group = group;
  return out;
}

/** One training or test utterance. */
export interface Example {
  text: string;
  intent: string;
  entities: EntitySpan[];
}

/** Everything a Rasa 3.x `nlu.yml` (or a JSON Lines file) can give the recognizer. */
export interface TrainingData {
  examples: Example[];
  /** canonical value -> surface forms that map to it */
  synonyms: Record<string, string[]>;
  /** regex name (usually an entity name) -> patterns */
  regexes: Record<string, string[]>;
  /** lookup table name (usually an entity name) -> values */
  lookups: Record<string, string[]>;
}

/** The intent name used when nothing scores above the confidence threshold. */
export const NONE_INTENT = 'None';
