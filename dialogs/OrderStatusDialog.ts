import { ActivityTypes, MessageFactory } from 'botbuilder-core';
import {
  ConfirmPrompt,
  DialogContext,
  DialogTurnResult,
  ListStyle,
  PromptValidatorContext,
  TextPrompt,
  WaterfallDialog,
  WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { ConversationEvents } from './conversationEvents';
import { DialogIds } from './dialogIds';
import { InterruptibleDialog } from './InterruptibleDialog';
import { Buttons, Messages } from './messages';
import { findOrderId, type OrderIdRules } from './orderId';
import { orderStatusActivity } from './orderStatusReply';
import type { HandoffRequester, OrderService } from './ports';
import { getRecognition, Intents } from './recognition';

/** Options a caller may pass when starting the form. */
export interface OrderStatusOptions {
  /** An order ID the customer already gave (from the first message). */
  orderId?: string;
  /** Set when the customer said "no" at the confirmation, to word the question differently. */
  reask?: boolean;
}

/** How the form ended, returned to the parent dialog. */
export type OrderStatusOutcome = 'delivered' | 'not_found' | 'backend_error' | 'too_many_attempts';

export interface OrderStatusResult {
  outcome: OrderStatusOutcome;
  orderId?: string;
}

/** Waterfall state kept in `stepContext.values` between turns. */
interface FormValues {
  orderId?: string;
}

/** Sentinel returned by the ID prompt's validator when the customer ran out of attempts. */
const GAVE_UP = '\u0000gave-up';

/**
 * The order-status form: ask for the ID (unless given), validate it, confirm it, look it up,
 * answer. Help, cancel and "talk to a person" work at every step (see InterruptibleDialog).
 */
export class OrderStatusDialog extends InterruptibleDialog {
  constructor(
    private readonly orders: OrderService,
    handoff: HandoffRequester,
    private readonly rules: OrderIdRules & { maxAttempts: number },
    events?: ConversationEvents,
  ) {
    super(DialogIds.orderStatus, handoff, events);
    this.addDialog(new TextPrompt(DialogIds.orderIdPrompt, (p) => this.validateOrderId(p)));
    this.addDialog(
      new ConfirmPrompt(DialogIds.confirmPrompt, (p) => this.validateConfirmation(p), 'en-us').configure({
        style: ListStyle.suggestedAction,
      }),
    );
    this.addDialog(
      new WaterfallDialog(DialogIds.orderStatusWaterfall, [
        (step) => this.askOrderIdStep(step),
        (step) => this.confirmStep(step),
        (step) => this.lookupStep(step),
      ]),
    );
    this.initialDialogId = DialogIds.orderStatusWaterfall;
  }

  private async askOrderIdStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = (step.options ?? {}) as OrderStatusOptions;
    if (options.orderId) return step.next(options.orderId);
    const question = options.reask ? Messages.askCorrectOrderId : Messages.askOrderId;
    return step.prompt(DialogIds.orderIdPrompt, {
      prompt: MessageFactory.text(question),
    });
  }

  private async confirmStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const orderId = step.result as string;
    if (orderId === GAVE_UP) {
      await this.events.record(step.context, { name: 'form.too_many_attempts' });
      await step.context.sendActivity(
        MessageFactory.suggestedActions([Buttons.help, Buttons.talkToPerson], Messages.tooManyAttempts),
      );
      return step.endDialog({ outcome: 'too_many_attempts' } satisfies OrderStatusResult);
    }
    (step.values as FormValues).orderId = orderId;
    await this.events.record(step.context, { name: 'form.id_given' });
    return step.prompt(DialogIds.confirmPrompt, {
      prompt: MessageFactory.text(Messages.confirmOrderId(orderId)),
      retryPrompt: MessageFactory.text(Messages.confirmRetry(orderId)),
      choices: [Buttons.yes, Buttons.no],
    });
  }

  private async lookupStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const orderId = (step.values as FormValues).orderId as string;
    if (step.result !== true) {
      await this.events.record(step.context, { name: 'form.denied' });
      return step.replaceDialog(DialogIds.orderStatusWaterfall, { reask: true } satisfies OrderStatusOptions);
    }
    await this.events.record(step.context, { name: 'form.confirmed' });
    await step.context.sendActivity({ type: ActivityTypes.Typing });
    let result: OrderStatusResult;
    try {
      const order = await this.orders.getOrderStatus(orderId);
      if (order) {
        await step.context.sendActivity(orderStatusActivity(order));
        await this.events.record(step.context, { name: 'form.status_delivered', status: order.status });
        result = { outcome: 'delivered', orderId };
      } else {
        await step.context.sendActivity(Messages.orderNotFound(orderId));
        await this.events.record(step.context, { name: 'form.not_found' });
        result = { outcome: 'not_found', orderId };
      }
    } catch {
      await this.events.record(step.context, { name: 'form.backend_error' });
      // The backend client has already logged the cause and retried; the customer gets the truth.
      await step.context.sendActivity(
        MessageFactory.suggestedActions([Buttons.talkToPerson], Messages.backendUnavailable),
      );
      result = { outcome: 'backend_error', orderId };
    }
    return step.endDialog(result);
  }

  private async validateOrderId(prompt: PromptValidatorContext<string>): Promise<boolean> {
    const text = prompt.recognized.value ?? '';
    const recognition = getRecognition(prompt.context);
    const orderId = findOrderId(text, recognition?.orderId, this.rules);
    if (orderId) {
      prompt.recognized.value = orderId;
      return true;
    }
    if (prompt.attemptCount >= this.rules.maxAttempts) {
      prompt.recognized.value = GAVE_UP;
      return true;
    }
    await this.events.record(prompt.context, { name: 'form.id_invalid', attempt: prompt.attemptCount });
    await prompt.context.sendActivity(Messages.invalidOrderId(text.trim() || '(empty)'));
    return false;
  }

  /** Accepts the NLU's affirm/deny ("yep, that's it") where the built-in yes/no parser does not. */
  private async validateConfirmation(prompt: PromptValidatorContext<boolean>): Promise<boolean> {
    if (prompt.recognized.succeeded) return true;
    const intent = getRecognition(prompt.context)?.intent;
    if (intent === Intents.affirm || intent === Intents.deny) {
      prompt.recognized.value = intent === Intents.affirm;
      return true;
    }
    return false;
  }

  override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const switched = await this.switchOrderIfChanged(innerDc);
    return switched ?? super.onContinueDialog(innerDc);
  }

  /** A customer who names a different order while we confirm one means that other order. */
  private async switchOrderIfChanged(innerDc: DialogContext): Promise<DialogTurnResult | undefined> {
    if (innerDc.activeDialog?.id !== DialogIds.confirmPrompt) return undefined;
    const recognition = getRecognition(innerDc.context);
    const text = innerDc.context.activity.text ?? '';
    const candidate = recognition?.orderId ? findOrderId(text, recognition.orderId, this.rules) : undefined;
    const current = this.currentOrderId(innerDc);
    if (!candidate || candidate === current) return undefined;
    await innerDc.cancelAllDialogs();
    return innerDc.beginDialog(DialogIds.orderStatusWaterfall, { orderId: candidate } satisfies OrderStatusOptions);
  }

  private currentOrderId(innerDc: DialogContext): string | undefined {
    const waterfall = innerDc.stack.find((d) => d.id === DialogIds.orderStatusWaterfall);
    const values = (waterfall?.state as { values?: FormValues } | undefined)?.values;
    return values?.orderId;
  }

  protected override helpText(innerDc: DialogContext): string {
    return innerDc.activeDialog?.id === DialogIds.confirmPrompt ? Messages.helpDuringConfirm : Messages.helpDuringOrderId;
  }

  protected override handoffContext(innerDc: DialogContext): { intent?: string; orderId?: string } {
    return { intent: Intents.askOrderStatus, orderId: this.currentOrderId(innerDc) };
  }
}
