import type { Activity } from 'botbuilder';

/** channelData field of an outgoing message that only one person of a group conversation may see. */
const PRIVATE_TO = 'privateTo';

/** Marks an outgoing message as for `userId` only (the Slack adapter posts it ephemeral). */
export function markPrivate(activity: Partial<Activity>, userId: string): void {
  activity.channelData = { ...(activity.channelData as Record<string, unknown> | undefined), [PRIVATE_TO]: userId };
}

/** The user an outgoing message is for only, if it was marked so. */
export function privateRecipientOf(activity: Partial<Activity>): string | undefined {
  const value = (activity.channelData as Record<string, unknown> | undefined)?.[PRIVATE_TO];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The Slack user id (U…) inside a bridge user id (`team:U…`). */
export function slackUserOf(userId: string | undefined): string | undefined {
  if (!userId) return undefined;
  const user = userId.split(':').pop();
  return user && /^[UW][A-Z0-9]+$/.test(user) ? user : undefined;
}
