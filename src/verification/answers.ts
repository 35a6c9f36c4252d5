import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The knowledge answer as the order system compares it: an e-mail address (anything with an
 * `@`) trimmed and lower-cased; otherwise a postcode, upper-cased without spaces or hyphens
 * ("sw1a 1aa" = "SW1A1AA"). Unicode is NFKC-normalised first, so look-alike forms compare equal.
 */
export function normaliseAnswer(raw: string): { kind: 'email' | 'postcode'; value: string } {
  const text = raw.normalize('NFKC').trim();
  if (text.includes('@')) return { kind: 'email', value: text.toLowerCase() };
  return { kind: 'postcode', value: text.toUpperCase().replace(/[\s-]+/g, '') };
}

/**
 * Constant-time equality of two normalised values: both are hashed first so the comparison
 * takes the same time whatever their lengths, then compared with crypto.timingSafeEqual.
 */
export function sameAnswer(given: string, stored: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(stored, 'utf8').digest();
  return timingSafeEqual(a, b);
}
