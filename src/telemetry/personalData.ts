import { createHash } from 'node:crypto';

/**
 * Personal data in telemetry properties, as botbuilder and our own events name it. The
 * TelemetryLoggerMiddleware already leaves out text and names when asked to, but recognizer
 * events (`Text`, `Entities`) and user ids do not honour that switch, so the client scrubs
 * every event on its way out: one policy for every producer.
 */
const DROPPED = new Set(['text', 'speak', 'fromName', 'recipientName', 'conversationName', 'attachments', 'Text', 'AlteredText', 'customerText']);

/** Ids that identify a person on a channel (a Slack or Teams user): kept only as a hash. */
const HASHED = new Set(['fromId', 'recipientId', 'userId']);

/** Recognizer entity details carry the customer's words; only the entity types are kept. */
const ENTITY_KEYS = new Set(['Entities']);

/** Telemetry property bag as botbuilder produces it. */
export type TelemetryProperties = Record<string, unknown>;

/**
 * Returns string-valued properties ready to send: objects are JSON-encoded, and unless
 * `keepPersonalData`, personal fields are dropped, user ids hashed and entities reduced to
 * their types.
 */
export function scrubProperties(properties: TelemetryProperties | undefined, keepPersonalData: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(properties ?? {})) {
    if (value === undefined || value === null) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (keepPersonalData) {
      out[key] = text;
    } else if (DROPPED.has(key)) {
    } else if (HASHED.has(key)) {
      out[key] = pseudonym(text);
    } else if (ENTITY_KEYS.has(key)) {
      out[key] = entityTypes(value);
    } else {
      out[key] = text;
    }
  }
  return out;
}

/** Recently hashed ids: a conversation's ids recur on every event of every turn. */
const pseudonyms = new Map<string, string>();
const MAX_CACHED_PSEUDONYMS = 10_000;

/** A stable, non-reversible stand-in for an id: counts unique users without storing who. */
export function pseudonym(id: string): string {
  if (id === '') return '';
  let hashed = pseudonyms.get(id);
  if (hashed === undefined) {
    hashed = `h:${createHash('sha256').update(id).digest('hex').slice(0, 16)}`;
    if (pseudonyms.size >= MAX_CACHED_PSEUDONYMS) pseudonyms.clear();
    pseudonyms.set(id, hashed);
  }
  return hashed;
}

function entityTypes(value: unknown): string {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return '[]';
    }
  }
  if (!parsed || typeof parsed !== 'object') return '[]';
  return JSON.stringify(Object.keys(parsed).filter((k) => k !== '$instance'));
}
