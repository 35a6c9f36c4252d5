/**
 * Order IDs: the one entity the order-status dialog cannot live without. The configurable
 * pattern finds candidates; normalisation gives the form the order backend expects.
 */

/**
 * Default order-id pattern (regex source, matched case-insensitively): 4-20 letters, digits or
 * inner hyphens with at least one digit, and an optional leading `#`.
 */
export const DEFAULT_ORDER_ID_PATTERN = '#?(?=[A-Z0-9-]*\\d)[A-Z0-9][A-Z0-9-]{2,18}[A-Z0-9]';

/** The entity name used for order IDs in nlu.yml and in RecognizerResult. */
export const ORDER_ID_ENTITY = 'order_id';

/** Canonical form of an order id: trimmed, without leading `#`, upper-case (`#ab123` -> `AB123`). */
export function normalizeOrderId(raw: string): string {
  return raw
    .trim()
    .replace(/^#+\s*/, '')
    .trim()
    .toUpperCase();
}

const fullMatchCache = new Map<string, RegExp>();

/**
 * True when the (normalised) id matches the whole pattern. Meant for the dialog's prompt
 * validator, so it normalises first: `isValidOrderId('#12345')` is true.
 */
export function isValidOrderId(id: string, pattern: string = DEFAULT_ORDER_ID_PATTERN): boolean {
  let re = fullMatchCache.get(pattern);
  if (re === undefined) {
    re = new RegExp(`^(?:${pattern})$`, 'i');
    fullMatchCache.set(pattern, re);
  }
  return re.test(normalizeOrderId(id));
}

/** One order-id candidate found in a text. */
export interface OrderIdMatch {
  start: number;
  end: number;
  text: string;
  value: string;
}

// Tokens that fit the pattern but are almost never order ids: ordinals, clock times, amounts
// with a unit, dates. A learned tagger decision overrides this veto.
const LOOKS_LIKE_OTHER = /^(?:\d+(?:st|nd|rd|th|am|pm|h|hrs?|mins?|kg|km|lbs?|gb|mb|usd|eur)|\d{1,4}-\d{1,2}-\d{1,4}|\d{1,2}-\d{1,2})$/i;
const UNIT_AFTER =
  /^\s+(?:items?|pieces?|pcs|units?|dollars?|euros?|pounds?|bucks|days?|weeks?|months?|years?|hours?|minutes?|times?|people|boxes|packages|parcels)\b/i;

/**
 * Finds order-id candidates. Matches must stand alone (not inside a longer word or e-mail),
 * and tokens that look like times, ordinals, dates or quantities are skipped.
 */
export function findOrderIds(text: string, pattern: string = DEFAULT_ORDER_ID_PATTERN, veto = true): OrderIdMatch[] {
  const re = new RegExp(`(?<![\\p{L}\\p{N}_#@.-])(?:${pattern})(?![\\p{L}\\p{N}_@-]|\\.[\\p{L}\\p{N}])`, 'giu');
  const out: OrderIdMatch[] = [];
  for (const m of text.matchAll(re)) {
    const start = m.index ?? 0;
    const surface = m[0];
    const bare = surface.replace(/^#/, '');
    if (veto && (LOOKS_LIKE_OTHER.test(bare) || UNIT_AFTER.test(text.slice(start + surface.length)))) continue;
    // The span leaves out a leading `#`: it is punctuation, not part of the id.
    const offset = surface.length - bare.length;
    out.push({ start: start + offset, end: start + surface.length, text: bare, value: normalizeOrderId(bare) });
  }
  return out;
}
