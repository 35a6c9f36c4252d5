import { TurnContext, type ConversationReference, type Middleware } from 'botbuilder';
import type { ConversationReferenceStore } from './ConversationReferenceStore';

/** Remembered saves per process; beyond this the oldest are forgotten (and saved again if seen). */
const MAX_REMEMBERED = 50_000;

/**
 * Saves each conversation's reference as turns arrive, so proactive messages (an agent's reply,
 * a Teams notification) can reach the conversation later from any instance. A reference only
 * changes when the service URL or the parties change, so it is written when it differs from
 * what this process last wrote, not on every turn. Failures are reported, never fail the turn.
 */
export class ConversationReferenceRecorder implements Middleware {
  private readonly lastSaved = new Map<string, string>();

  constructor(
    private readonly store: ConversationReferenceStore,
    private readonly onError: (error: unknown) => void,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const reference = TurnContext.getConversationReference(context.activity);
    const id = reference.conversation?.id;
    if (id && reference.serviceUrl !== undefined) await this.record(id, reference);
    await next();
  }

  private async record(id: string, reference: Partial<ConversationReference>): Promise<void> {
    // activityId changes every turn and is not needed to start a new message.
    const { activityId: _ignored, ...stable } = reference;
    const json = JSON.stringify(stable);
    if (this.lastSaved.get(id) === json) return;
    try {
      await this.store.save(stable);
      this.lastSaved.delete(id);
      this.lastSaved.set(id, json);
      if (this.lastSaved.size > MAX_REMEMBERED) this.lastSaved.delete(this.lastSaved.keys().next().value as string);
    } catch (error) {
      this.onError(error);
    }
  }
}
