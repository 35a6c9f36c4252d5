import { ActivityTypes } from 'botbuilder-core';
import { ComponentDialog, type DialogContext, type DialogTurnResult, DialogTurnStatus } from 'botbuilder-dialogs';
import { IGNORE_CONVERSATION_EVENTS, type ConversationEvents } from './conversationEvents';
import { Messages } from './messages';
import type { HandoffRequest, HandoffRequester } from './ports';
import { getRecognition, Intents, type Recognition } from './recognition';

/** How sure the recognizer must be before a message mid-form counts as help, cancel or a person. */
export const CONFIDENT_INTERRUPTION = 0.5;
/**
 * Base for dialogs that must honour "help", "cancel" and "talk to a person" at any step.
 * All interruption handling lives here so every form behaves the same way.
 */
export abstract class InterruptibleDialog extends ComponentDialog {
  protected constructor(
    id: string,
    protected readonly handoff: HandoffRequester,
    protected readonly events: ConversationEvents = IGNORE_CONVERSATION_EVENTS,
  ) {
    super(id);
  }

  /** Step-specific help text; the default is the general help. */
  protected helpText(_innerDc: DialogContext): string {
    return Messages.help;
  }

  /** What the form was about, for the handoff ticket. */
  protected async handoffContext(_innerDc: DialogContext): Promise<Omit<HandoffRequest, 'reason'>> {
    return {};
  }

  override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const interrupted = await this.interrupt(innerDc);
    return interrupted ?? super.onContinueDialog(innerDc);
  }

  /**
   * Whether this recognition may interrupt the active step. Leaving a form on a guess costs the
   * customer their progress, so mid-form an interruption needs a confident recognizer (buttons
   * count as certain), whatever threshold the model file chose for open questions. Steps that
   * take free text add their own rules.
   */
  protected mayInterrupt(_innerDc: DialogContext, recognition: Recognition): boolean {
    return recognition.score >= CONFIDENT_INTERRUPTION;
  }

  private async interrupt(innerDc: DialogContext): Promise<DialogTurnResult | undefined> {
    if (innerDc.context.activity.type !== ActivityTypes.Message) return undefined;
    const recognition = getRecognition(innerDc.context);
    if (!recognition || !this.mayInterrupt(innerDc, recognition)) return undefined;
    switch (recognition.intent) {
      case Intents.help:
        await innerDc.context.sendActivity(this.helpText(innerDc));
        await innerDc.repromptDialog();
        return { status: DialogTurnStatus.waiting };
      case Intents.cancel:
        await this.events.record(innerDc.context, { name: 'form.abandoned', reason: 'cancel', at: innerDc.activeDialog?.id ?? this.id });
        await innerDc.cancelAllDialogs();
        await innerDc.context.sendActivity(Messages.cancelled);
        return { status: DialogTurnStatus.cancelled };
      case Intents.humanHandoff: {
        const details = await this.handoffContext(innerDc);
        await this.events.record(innerDc.context, { name: 'form.abandoned', reason: 'handoff', at: innerDc.activeDialog?.id ?? this.id });
        await innerDc.cancelAllDialogs();
        await this.handoff.requestHandoff(innerDc.context, { reason: 'user_request', ...details });
        return { status: DialogTurnStatus.cancelled };
      }
      default:
        return undefined;
    }
  }
}
