import { ConversationState, type TurnContext } from 'botbuilder';
import { isGroupConversation, participantStorageKey } from './scope';

/**
 * Conversation state that belongs to the person in group conversations: in a Teams channel or
 * group chat, a Slack channel thread or multi-person DM, each participant gets their own item
 * (`<channel>/conversations/<id>/participants/<hash of user id>/`) holding their dialog stack,
 * flags, offered choices and handoff gate. One-to-one chats and Web Chat keep botbuilder's key
 * (`<channel>/conversations/<id>/`), so their stored state reads as before.
 *
 * Proactive turns (agent replies, timers) name the person in the reference's `user`, which
 * becomes the turn's `from`: they reach that person's item. The per-conversation turn lock
 * (TurnSerializer) still keys on the conversation, so two people's turns never overlap.
 */
export class ParticipantConversationState extends ConversationState {
  override getStorageKey(context: TurnContext): string | undefined {
    const { activity } = context;
    const userId = activity.from?.id;
    if (userId && activity.channelId && activity.conversation?.id && isGroupConversation(activity)) {
      return participantStorageKey(activity.channelId, activity.conversation.id, userId);
    }
    return super.getStorageKey(context);
  }
}
