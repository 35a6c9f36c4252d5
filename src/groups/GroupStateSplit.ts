import { ActivityTypes, type BotState, type Middleware, type Storage, type StoreItem, type TurnContext } from 'botbuilder';
import type { Logger } from '../telemetry/logger';
import { conversationStorageKey, isGroupConversation, participantHash, participantStorageKey } from './scope';

/** Property of a group conversation's shared item saying its per-person state was split off. */
export const PARTICIPANTS_SPLIT_KEY = 'participantsSplit';

/** What the split records on the shared item (no user id: the owner's key hash only). */
export interface ParticipantsSplit {
  /** STATE_VERSION that split it. */
  version: number;
  /** participantHash of the person who got the old shared form, if anyone did. */
  owner?: string;
}

export interface GroupStateSplitOptions {
  storage: Storage;
  /** The per-person conversation state (ParticipantConversationState), loaded before this runs. */
  participantState: BotState;
  /** Properties that moved from the shared item to the person's (dialogs, flags, handoff gate). */
  personalProperties: readonly string[];
  /** Property holding the state version (copied along, so the guard migrates the moved form). */
  versionProperty: string;
  version: number;
  /** The person who spoke to the bot last in a conversation before this turn (stored references). */
  lastSpeaker: (conversationId: string) => Promise<string | undefined>;
  logger: Logger;
}

/**
 * Migrates group conversations stored before per-person state (STATE_VERSION 3). Their one
 * shared item held a single form that anyone could answer. On the first message of a person
 * with no item of their own, the old shared form, fallback count and handoff pointer are given
 * to the person who last spoke to the bot in that conversation (whose form it almost surely
 * was): written to their item, or loaded into this turn's state when that is the sender. Every
 * other participant starts afresh. The shared item keeps anything else (conversation-wide
 * settings) and is marked split, so this runs once per conversation.
 *
 * Register after the storage layer (states loaded under the conversation's lease, so no two
 * turns split at once) and before the conversation-reference recorder (which would otherwise
 * already name the sender as the last speaker) and the state guard (which then migrates the
 * moved form like any other stored state).
 */
export class GroupStateSplit implements Middleware {
  constructor(private readonly options: GroupStateSplitOptions) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const { activity } = context;
    const sender = activity.from?.id;
    if (activity.type === ActivityTypes.Message && sender && activity.channelId && activity.conversation?.id && isGroupConversation(activity)) {
      await this.split(context, activity.channelId, activity.conversation.id, sender);
    }
    await next();
  }

  private async split(context: TurnContext, channelId: string, conversationId: string, sender: string): Promise<void> {
    const { storage, participantState, personalProperties, versionProperty, version, logger } = this.options;
    const own = (await participantState.load(context)) as Record<string, unknown>;
    if (Object.keys(own).some((key) => key !== 'eTag')) return; // this person already has state
    const sharedKey = conversationStorageKey(channelId, conversationId);
    const shared = (await storage.read([sharedKey]))[sharedKey] as (StoreItem & Record<string, unknown>) | undefined;
    if (!shared || shared[PARTICIPANTS_SPLIT_KEY] !== undefined) return;
    const moved: Record<string, unknown> = {};
    for (const property of personalProperties) {
      if (shared[property] === undefined) continue;
      moved[property] = shared[property];
      delete shared[property];
    }
    const hasForm = Object.keys(moved).length > 0;
    if (hasForm && shared[versionProperty] !== undefined) moved[versionProperty] = shared[versionProperty];
    const owner = hasForm ? await this.options.lastSpeaker(conversationId).catch(() => undefined) : undefined;
    shared[PARTICIPANTS_SPLIT_KEY] = { version, ...(owner ? { owner: participantHash(owner) } : {}) } satisfies ParticipantsSplit;
    shared[versionProperty] = version;
    if (owner === sender) {
      Object.assign(own, moved); // saved with the turn
    } else if (owner) {
      await storage.write({ [participantStorageKey(channelId, conversationId, owner)]: { ...moved, eTag: '*' } });
    }
    // The shared item's eTag from the read: a concurrent split (impossible under the lease) fails loudly.
    await storage.write({ [sharedKey]: shared });
    logger.info(
      { channelId, conversationId, movedForm: hasForm, toSender: owner === sender, dropped: hasForm && !owner },
      'group conversation state split per person',
    );
  }
}
