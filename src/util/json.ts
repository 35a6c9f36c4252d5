/**
 * Reading JSON of unknown shape (Slack payloads, stored state) field by field: each helper
 * returns the value when it has the expected shape and a neutral answer otherwise, so a
 * malformed field reads as absent instead of throwing.
 *
 * Hand-written rather than zod: the callers read a few optional fields of payloads they mostly
 * ignore and must tolerate anything else in them, which these four lines say more plainly than a
 * schema would (zod is only a transitive dependency of botbuilder here, not one of ours).
 */
export type JsonObject = Record<string, unknown>;

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value if it is a plain object, else undefined. */
export function asRecord(value: unknown): JsonObject | undefined {
  return isRecord(value) ? value : undefined;
}

/** The value if it is an array, else an empty one. */
export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The value if it is a non-empty string, else undefined. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
