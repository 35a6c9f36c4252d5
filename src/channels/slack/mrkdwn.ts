/**
 * Text in and out of Slack's mrkdwn.
 *
 * Outbound: Slack treats `&`, `<` and `>` as control characters (`<!channel>` pings everyone,
 * `<https://x|label>` disguises a link), so every text we send is escaped. The dialogs echo what
 * customers typed (an unreadable order ID, for example), so without this a customer could make
 * the bot ping a channel or show a disguised link.
 *
 * Inbound: Slack sends user text with those characters escaped and with mentions, channels and
 * links in angle-bracket markup; the recognizer should see what the person saw.
 */

/** Escapes the three characters Slack reserves, for any text placed in a mrkdwn or plain field. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Undoes Slack's escaping of `&`, `<` and `>` in user text. */
export function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Converts a Slack message text to the plain text a person reads, removing the bot's own
 * @mention (so "@Order bot where is 12345" is recognised as "where is 12345").
 */
export function slackTextToPlain(text: string, botUserId?: string): string {
  let plain = text;
  if (botUserId) {
    // "<@UBOT>" or "<@UBOT|name>", with the comma or colon people type after a mention.
    const mention = new RegExp(`<@${escapeRegExp(botUserId)}(?:\\|[^>]*)?>[,:]?`, 'g');
    plain = plain.replace(mention, ' ');
  }
  plain = plain.replace(/<([^<>]*)>/g, (_whole, inner: string) => readableMarkup(inner));
  return unescapeSlack(plain)
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

/** One piece of `<...>` markup as the reader saw it. */
function readableMarkup(inner: string): string {
  const [target = '', label] = splitLabel(inner);
  if (target.startsWith('@')) return `@${label ?? target.slice(1)}`;
  if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
  if (target.startsWith('!subteam^')) return label ?? '@team';
  if (target.startsWith('!')) {
    // <!here>, <!channel>, <!everyone>, <!date^...|fallback>
    return label ?? `@${target.slice(1).split('^')[0]}`;
  }
  if (target.startsWith('mailto:')) return label ?? target.slice('mailto:'.length);
  return label ?? target;
}

function splitLabel(inner: string): [string, string | undefined] {
  const bar = inner.indexOf('|');
  return bar < 0 ? [inner, undefined] : [inner.slice(0, bar), inner.slice(bar + 1)];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
