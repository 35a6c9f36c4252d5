/**
 * Expected replies in conversation files: literal text with placeholders for the parts that
 * vary, or a whole regular expression.
 *
 * - `/.../flags` (the whole string between slashes): a regular expression searched in the reply;
 * - otherwise the reply must equal the text, where `{{any}}` matches anything (also across
 *   lines), `{{number}}` digits, `{{word}}` one word, `{{url}}` an http(s) URL, `{{date}}` a
 *   date like "Fri, 27 Nov 2026" and `{{id}}` an order ID. Leading and trailing white space
 *   and line-ending differences are ignored.
 */
const PLACEHOLDERS: Record<string, string> = {
  any: '[\\s\\S]*?',
  number: '\\d+(?:[.,]\\d+)?',
  word: '\\S+',
  url: 'https?://\\S+',
  date: '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{1,2} [A-Z][a-z]{2} \\d{4}',
  id: '#?[A-Za-z0-9-]{4,20}',
};

/** The placeholder names a file may use. */
export const PLACEHOLDER_NAMES = Object.keys(PLACEHOLDERS);

const REGEX_FORM = /^\/([\s\S]+)\/([dgimsuy]*)$/;

function normalise(text: string): string {
  return text.replace(/\r\n/g, '\n').trim();
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiles an expected reply; throws with the placeholder's name when it is unknown, so a typo
 * in a file fails loudly instead of never matching.
 */
export function compileExpected(expected: string): (actual: string) => boolean {
  const regexForm = REGEX_FORM.exec(expected.trim());
  if (regexForm) {
    const regex = new RegExp(regexForm[1] as string, (regexForm[2] as string).replace('g', ''));
    return (actual) => regex.test(normalise(actual));
  }
  const parts = normalise(expected).split(/(\{\{\s*[a-z]+\s*\}\})/);
  const source = parts
    .map((part) => {
      const name = /^\{\{\s*([a-z]+)\s*\}\}$/.exec(part)?.[1];
      if (name === undefined) return escapeRegex(part);
      const pattern = PLACEHOLDERS[name];
      if (pattern === undefined) throw new Error(`unknown placeholder {{${name}}}; use one of ${PLACEHOLDER_NAMES.map((n) => `{{${n}}}`).join(', ')}`);
      return pattern;
    })
    .join('');
  const regex = new RegExp(`^${source}$`);
  return (actual) => regex.test(normalise(actual));
}

/**
 * Makes a recorded reply safe to use as an expected reply: text that would read as a regular
 * expression or a placeholder is turned into an equivalent regular expression.
 */
export function literalExpected(actual: string): string {
  const text = normalise(actual);
  if (!REGEX_FORM.test(text) && !/\{\{\s*[a-z]+\s*\}\}/.test(text)) return text;
  return `/^${escapeRegex(text)}$/`;
}
