/**
 * Where a Slack conversation lives, and the Bot Framework ids built from it.
 *
 * Conversation ids are chosen so that a stored ConversationReference alone is enough to post to
 * the right place again (proactive messages, human handoff):
 * - a direct message is one conversation per DM channel: `team:channel`;
 * - in a channel (or group DM) every question gets its own thread and conversation:
 *   `team:channel:thread_ts`, where thread_ts is the ts of the message that started the thread.
 * Slack ids never contain ":", so the id splits back unambiguously.
 */
export interface SlackAddress {
  team: string;
  channel: string;
  /** Present for channel threads; absent for a DM conversation. */
  threadTs?: string;
}

/** The Bot Framework conversation id of a Slack address. */
export function conversationIdOf(address: SlackAddress): string {
  return address.threadTs ? `${address.team}:${address.channel}:${address.threadTs}` : `${address.team}:${address.channel}`;
}

/** The inverse of {@link conversationIdOf}; undefined for ids that were not built by it. */
export function parseConversationId(conversationId: string | undefined): SlackAddress | undefined {
  if (!conversationId) return undefined;
  const parts = conversationId.split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) return undefined;
  const [team, channel, threadTs] = parts as [string, string, string | undefined];
  return threadTs ? { team, channel, threadTs } : { team, channel };
}

/** The Bot Framework user id of a Slack user: Slack user ids are unique per workspace only. */
export function userIdOf(team: string, user: string): string {
  return `${team}:${user}`;
}

/**
 * True for a one-to-one DM with the bot. Message events say so in `channel_type`; other payloads
 * (app_mention, block_actions) only carry the channel id, where DMs start with "D".
 */
export function isDirectMessage(channel: string, channelType?: string): boolean {
  return channelType ? channelType === 'im' : channel.startsWith('D');
}
