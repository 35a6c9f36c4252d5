import type { Activity } from 'botbuilder';

/**
 * Whether a conversationUpdate deserves the welcome message.
 *
 * - Teams: once, when the app is installed: the bot itself is among the members added (in a
 *   team or group chat this arrives once; greeting every colleague who later joins the team
 *   would spam the channel). In a personal chat either member being added is the install.
 * - Every other channel: when someone other than the bot joins (Web Chat, the Emulator and the
 *   self-hosted Direct Line add the user when the conversation starts).
 */
export function shouldWelcome(activity: Partial<Activity>): boolean {
  const botId = activity.recipient?.id;
  const added = activity.membersAdded ?? [];
  if (added.length === 0) return false;
  if (activity.channelId === 'msteams') {
    if (activity.conversation?.conversationType === 'personal') return true;
    return added.some((member) => member.id === botId);
  }
  return added.some((member) => member.id !== botId);
}
