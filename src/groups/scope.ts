import { createHash } from 'node:crypto';
import type { Activity } from 'botbuilder';

/**
 * Group conversations: a Teams channel thread or group chat, a Slack channel thread or
 * multi-person DM, any channel that marks its conversation `isGroup`. In them the bot keeps one
 * form per person (see ParticipantConversationState); one-to-one chats and Web Chat keep one
 * per conversation, as before.
 */
export function isGroupConversation(activity: Partial<Activity>): boolean {
  const conversation = activity.conversation;
  if (!conversation) return false;
  if (conversation.isGroup === true) return true;
  return conversation.conversationType === 'channel' || conversation.conversationType === 'groupChat';
}

/**
 * True where the platform delivers only messages that @mention the bot: Teams channels and group
 * chats (without resource-specific consent). Slack channel threads reach the bot without a
 * mention once the person asked it there (src/channels/slack/inbound.ts).
 */
export function deliversOnlyMentions(activity: Partial<Activity>): boolean {
  return activity.channelId === 'msteams' && isGroupConversation(activity);
}

/** A person's id as it appears in storage keys: a hash, so keys neither grow nor carry the id. */
export function participantHash(userId: string): string {
  return createHash('sha256').update(`participant:${userId}`).digest('hex').slice(0, 32);
}

/** botbuilder's ConversationState key of a conversation (namespace ''). */
export function conversationStorageKey(channelId: string, conversationId: string): string {
  return `${channelId}/conversations/${conversationId}/`;
}

/** The storage key of one person's part of a group conversation's state. */
export function participantStorageKey(channelId: string, conversationId: string, userId: string): string {
  return `${channelId}/conversations/${conversationId}/participants/${participantHash(userId)}/`;
}
