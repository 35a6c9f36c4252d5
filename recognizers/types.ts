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
