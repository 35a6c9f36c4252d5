import type { ConversationState, Middleware } from 'botbuilder';
import type { Logger } from '../telemetry/logger';
import { ConversationReferenceRecorder } from './references/ConversationReferenceRecorder';
import type { ConversationReferenceStore } from './references/ConversationReferenceStore';
import { ChannelRenderingMiddleware } from './rendering/ChannelRenderingMiddleware';
import type { OfferedChoices } from './rendering/choices';

/** Conversation-state property holding the numbered choices offered on button-less channels. */
export const OFFERED_CHOICES_PROPERTY = 'offeredChoices';

/** The channel middleware every Bot Framework adapter gets, and the reference store it fills. */
export interface ChannelMiddleware {
  /** Register after the storage middleware, in this order. */
  middleware: Middleware[];
  /** Latest ConversationReference per conversation, for proactive messages (handoff, Teams). */
  references: ConversationReferenceStore;
}

export function createChannelMiddleware(conversationState: ConversationState, references: ConversationReferenceStore, logger: Logger): ChannelMiddleware {
  const rendering = new ChannelRenderingMiddleware({
    offeredChoices: conversationState.createProperty<OfferedChoices | undefined>(OFFERED_CHOICES_PROPERTY),
  });
  const recorder = new ConversationReferenceRecorder(references, (err) => logger.warn({ err }, 'could not save a conversation reference'));
  return { middleware: [rendering, recorder], references };
}
