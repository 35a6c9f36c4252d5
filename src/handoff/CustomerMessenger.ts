import type { Activity, ConversationReference, TurnContext } from 'botbuilder-core';
import { HandoffError } from './errors';

/**
 * Runs `logic` in a turn of the conversation `reference` points to, the way each adapter does
 * it (CloudAdapter: `continueConversationAsync(appId, reference, logic)`).
 */
export type ContinueConversation = (reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>) => Promise<void>;

/** Sends proactive messages to customers, on whichever channel they are. */
export interface CustomerMessenger {
  /** Sends `activities` in order; rejects with HANDOFF_DELIVERY_FAILED when the channel refuses. */
  send(reference: Partial<ConversationReference>, activities: Partial<Activity>[]): Promise<void>;
}

/** An adapter that owns some conversations (the Slack bridge owns channel "slack"). */
export interface ProactiveRoute {
  name: string;
  owns(reference: Partial<ConversationReference>): boolean;
  continueConversation: ContinueConversation;
}

/** The newest stored reference of a conversation (a Teams service URL can change). */
export type LatestReference = (conversationId: string) => Promise<Partial<ConversationReference> | undefined>;

/**
 * Routes each proactive message to the adapter that owns the conversation: the Slack bridge's
 * adapter for Slack, the self-hosted Direct Line adapter for its conversations, and the
 * CloudAdapter (Azure Bot Service: Teams, Web Chat, the Emulator) for everything else.
 *
 * Nothing here depends on the instance that took the customer's message: the stored
 * conversation reference is enough, so agents' replies work from any instance. Routes are
 * registered after the adapters exist (the composition root builds them after the dialogs).
 */
export class ChannelMessenger implements CustomerMessenger {
  private readonly routes: ProactiveRoute[] = [];
  private fallback: ContinueConversation | undefined;

  constructor(private readonly latest?: LatestReference) {}

  /** Adds an adapter for the conversations it owns; earlier routes win. */
  addRoute(route: ProactiveRoute): this {
    this.routes.push(route);
    return this;
  }

  /** The adapter for every conversation no route owns. */
  setFallback(continueConversation: ContinueConversation): this {
    this.fallback = continueConversation;
    return this;
  }

  async send(reference: Partial<ConversationReference>, activities: Partial<Activity>[]): Promise<void> {
    try {
      const current = await this.freshest(reference);
      const route = this.routes.find((r) => r.owns(current))?.continueConversation ?? this.fallback;
      if (!route) throw new Error('no adapter is registered for proactive messages');
      await route(current, async (context) => {
        await context.sendActivities(activities);
      });
    } catch (error) {
      throw new HandoffError(
        'HANDOFF_DELIVERY_FAILED',
        `Could not deliver to the customer on ${reference.channelId ?? 'an unknown channel'}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  private async freshest(reference: Partial<ConversationReference>): Promise<Partial<ConversationReference>> {
    const id = reference.conversation?.id;
    if (!this.latest || !id) return reference;
    const stored = await this.latest(id);
    // The newest service URL, but always the ticket's person: in a group conversation the newest
    // reference may name someone else, and proactive turns load the state of the person named.
    return stored && stored.channelId === reference.channelId ? { ...reference, ...stored, ...(reference.user ? { user: reference.user } : {}) } : reference;
  }
}
