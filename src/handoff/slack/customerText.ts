/**
 * Customer-controlled text (what they wrote, their Web Chat display name) on its way to the
 * agents' channel. Nothing a customer writes may look like the bot, an agent or the desk's own
 * lines there: control and invisible characters go, lengths are capped, and what remains is shown
 * as literal text (a rich_text quote, a plain_text label, or an inline code span in mrkdwn).
 */

/** Longest customer message shown in a thread post (Slack's rich text allows more; agents do not need it). */
export const MAX_CUSTOMER_TEXT = 3000;
/** Longest display name shown. */
export const MAX_CUSTOMER_NAME = 64;
/** Most lines of one customer message shown (blank-line floods push agents' lines out of view). */
const MAX_LINES = 40;

/** C0/C1 controls except tab and newline, and invisible formatting (zero-width, bidi overrides, BOM). */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u2028\u2029\u202A-\u202E\u2060-\u206F\uFEFF]/g;

function cap(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** A customer's message: controls stripped, blank runs collapsed, at most 40 lines and 3,000 characters. */
export function cleanCustomerText(text: string): string {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL, '')
    .replace(/\t/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
    .split('\n');
  const kept = lines.length > MAX_LINES ? [...lines.slice(0, MAX_LINES - 1), '…'] : lines;
  return cap(kept.join('\n'), MAX_CUSTOMER_TEXT);
}

/** A display name: one line, no controls, at most 64 characters; "Customer" when nothing is left. */
export function cleanCustomerName(name: string | undefined): string {
  const flat = (name ?? '').replace(CONTROL, '').replace(/\s+/g, ' ').trim();
  return flat === '' ? 'Customer' : cap(flat, MAX_CUSTOMER_NAME);
}

/** One line of text, for notification fallbacks and transcript lines. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/**
 * Customer text inside mrkdwn as an inline code span: Slack renders no bold, italics, links,
 * quotes or mentions inside it. Backticks (which would end the span) become a look-alike, and
 * `&<>` are escaped as Slack requires.
 */
export function mrkdwnLiteral(text: string): string {
  const body = oneLine(text).replace(/`/g, 'ˋ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return body === '' ? '' : `\`${body}\``;
}

/** Plain text for a notification fallback: one line, no mrkdwn markers, `&<>` escaped. */
export function fallbackText(text: string): string {
  return oneLine(text)
    .replace(/[*_~`]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
