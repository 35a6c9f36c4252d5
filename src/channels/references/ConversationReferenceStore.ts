import type { ConversationReference } from 'botbuilder';

/**
 * The latest ConversationReference of each conversation, keyed by conversation id: all a bot
 * needs to message the conversation later (proactively, from any instance). Teams only lets a
 * bot write into a conversation it has a reference for; the human handoff uses the same store
 * to relay an agent's replies.
 */
export interface ConversationReferenceStore {
  /** Saves (replaces) the reference of `reference.conversation.id`. */
  save(reference: Partial<ConversationReference>): Promise<void>;
  get(conversationId: string): Promise<Partial<ConversationReference> | undefined>;
  delete(conversationId: string): Promise<void>;
}

/** The in-memory twin, for one instance and for tests. Holds at most `maxEntries` (oldest dropped). */
export class MemoryConversationReferenceStore implements ConversationReferenceStore {
  private readonly references = new Map<string, string>();

  constructor(private readonly maxEntries = 100_000) {}

  async save(reference: Partial<ConversationReference>): Promise<void> {
    const id = reference.conversation?.id;
    if (!id) throw new Error('ConversationReferenceStore.save: the reference has no conversation id.');
    // Re-inserting moves the key to the end, so the Map's order is least recently saved first.
    this.references.delete(id);
    this.references.set(id, JSON.stringify(reference));
    if (this.references.size > this.maxEntries) {
      const oldest = this.references.keys().next().value as string;
      this.references.delete(oldest);
    }
  }

  async get(conversationId: string): Promise<Partial<ConversationReference> | undefined> {
    const json = this.references.get(conversationId);
    return json === undefined ? undefined : (JSON.parse(json) as Partial<ConversationReference>);
  }

  async delete(conversationId: string): Promise<void> {
    this.references.delete(conversationId);
  }
}
