/** One token of the original text; `end` is exclusive, in UTF-16 code units. */
export interface Token {
  text: string;
  start: number;
  end: number;
}

// Word runs may contain inner hyphens ("XYZ-7781", "t-shirt"), but an apostrophe starts a new
// token so "john's" gives "john" + "'s" (hwu64 leaves the possessive outside entity spans).
// Han and kana have no spaces, so each character is a token; char n-grams recover the words.
const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{M}\p{N}_]+(?:-[\p{L}\p{M}\p{N}_]+)*|['’][\p{L}\p{M}]+|\S/gu;

/** Splits text into word and punctuation tokens with their offsets. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const start = m.index ?? 0;
    tokens.push({ text: m[0], start, end: start + m[0].length });
  }
  return tokens;
}

/** Lower-cases, folds compatibility forms and strips Latin diacritics ("Café" -> "cafe"). */
export function normalizeToken(token: string): string {
  const lower = token.toLowerCase();
  // Fast path: plain ASCII needs no Unicode normalisation (the common case by far).
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(lower)) return lower;
  return lower
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/’/g, "'");
}

/** True when the token is a run of letters/digits (not punctuation). */
export function isWordToken(token: string): boolean {
  return /[\p{L}\p{N}]/u.test(token);
}
