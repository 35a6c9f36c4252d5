/**
 * Escapes text from outside the bot (order fields from the orders API) before it goes into an
 * Adaptive Card TextBlock or FactSet, which render a Markdown subset: a carrier named
 * "[click](https://evil)" must show as those characters, not as a link.
 */
const MARKDOWN_SPECIALS = /[\\`*_{}[\]()#+!|~<>]/g;

export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(MARKDOWN_SPECIALS, (c) => `\\${c}`)
      // A line starting "- " or "1. " would become a list item.
      .replace(/^(\s*)([-=])/gm, '$1\\$2')
      .replace(/^(\s*\d+)\./gm, '$1\\.')
      // Keep cards single-purpose: no control characters.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
  );
}

/** Only http(s) URLs without spaces or quotes become buttons; anything else is dropped. */
export function safeHttpUrl(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  return url.href;
}
