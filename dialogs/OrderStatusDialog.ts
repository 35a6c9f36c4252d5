import { ActivityTypes, MessageFactory, type StatePropertyAccessor } from 'botbuilder-core';
import {
  ConfirmPrompt,
  type DialogContext,
  type DialogTurnResult,
  ListStyle,
  type PromptValidatorContext,
  TextPrompt,
  WaterfallDialog,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { ConversationEvents } from './conversationEvents';
import { DialogIds } from './dialogIds';
import { InterruptibleDialog } from './InterruptibleDialog';
import { namedWaterfallSteps } from './namedSteps';
import { Buttons, Messages } from './messages';
import { findOrderId, type OrderIdRules } from './orderId';
import { orderStatusActivity } from './orderStatusReply';
import type { HandoffRequester, HandoffVerification, Order, OrderService } from './ports';
import { getRecognition, Intents, type Recognition } from './recognition';
import {
  accessSubject,
  pruneVerified,
  stillVerified,
  verifiedIdentity,
  type VerificationMethod,
  type VerificationOptions,
  type VerifiedOrder,
} from './verification';
/** Conversation-level memory of verified orders (part of MainFlags in conversation state). */
export interface VerificationMemory {
  verifiedOrders?: Record<string, VerifiedOrder>;
}

/** Options a caller may pass when starting the form. */
export interface OrderStatusOptions {
  /** An order ID the customer already gave (from the first message). */
  orderId?: string;
  /** Set when the customer said "no" at the confirmation, to word the question differently. */
  reask?: boolean;
}

/** How the form ended, returned to the parent dialog. */
export type OrderStatusOutcome = 'delivered' | 'not_found' | 'backend_error' | 'too_many_attempts' | 'not_verified' | 'locked_out';

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
  private readonly now: () => number;

  constructor(
    private readonly orders: OrderService,
    handoff: HandoffRequester,
    private readonly rules: OrderIdRules & { maxAttempts: number },
    events: ConversationEvents | undefined,
    private readonly verification: VerificationOptions,
    private readonly memory: StatePropertyAccessor<VerificationMemory>,
  ) {
    super(DialogIds.orderStatus, handoff, events);
    this.now = verification.now ?? Date.now;
    this.addDialog(new TextPrompt(DialogIds.orderIdPrompt, (p) => this.validateOrderId(p)));
    this.addDialog(new TextPrompt(DialogIds.verificationPrompt, (p) => this.validateAnswer(p)));
    this.addDialog(
      new ConfirmPrompt(DialogIds.confirmPrompt, (p) => this.validateConfirmation(p), 'en-us').configure({
        style: ListStyle.suggestedAction,
      }),
    );
    this.addDialog(
      new WaterfallDialog(
        DialogIds.orderStatusWaterfall,
        namedWaterfallSteps(DialogIds.orderStatusWaterfall, {
          askOrderId: (step) => this.askOrderIdStep(step),
          confirm: (step) => this.confirmStep(step),
          // Step 2 reads the confirmation, as it always has: conversations waiting at the
          // confirmation when this version was deployed carry on here.
          access: (step) => this.accessStep(step),
          answer: (step) => this.answerStep(step),
        }),
      ),
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
      await step.context.sendActivity(MessageFactory.suggestedActions([Buttons.help, Buttons.talkToPerson], Messages.tooManyAttempts));
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

  /**
   * After "yes": decide whether the customer may see this order. Nothing about the order (not
   * even whether it exists) is said before the check passes.
   */
  private async accessStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const orderId = (step.values as FormValues).orderId as string;
    if (step.result !== true) {
      await this.events.record(step.context, { name: 'form.denied' });
      return step.replaceDialog(DialogIds.orderStatusWaterfall, { reask: true } satisfies OrderStatusOptions);
    }
    await this.events.record(step.context, { name: 'form.confirmed' });
    const { policy, guard } = this.verification;
    if (policy === 'none') return this.deliver(step, orderId, 'none');

    const subject = accessSubject(step.context, orderId);
    const remembered = (await this.memory.get(step.context, {})).verifiedOrders?.[orderId];
    if (stillVerified(remembered, subject.customerId, this.now(), this.verification.rememberSeconds)) {
      await this.events.record(step.context, { name: 'verify.reused', method: (remembered as VerifiedOrder).method });
      return this.deliver(step, orderId, (remembered as VerifiedOrder).method);
    }
    const identity = policy === 'identity' ? verifiedIdentity(step.context) : undefined;
    if (await this.lockedOut(step, subject, identity ? 'identity' : 'knowledge'))
      return step.endDialog({ outcome: 'locked_out', orderId } satisfies OrderStatusResult);

    if (identity) {
      if (!(await guard.beginCheck(subject))) return this.refuseLockedOut(step, subject, 'identity');
      await step.context.sendActivity({ type: ActivityTypes.Typing });
      let owned: Order | undefined;
      try {
        const mine = this.orders.ordersForCustomer ? await this.orders.ordersForCustomer(identity) : [];
        owned = mine.find((o) => o.id.toUpperCase() === orderId.toUpperCase());
      } catch {
        await guard.endCheck(subject, 'identity', 'abandoned');
        return this.backendError(step, orderId);
      }
      if (!owned) return this.failed(step, orderId, 'identity');
      await guard.endCheck(subject, 'identity', 'passed');
      await this.remember(step, orderId, 'identity');
      return this.deliver(step, orderId, 'identity', owned);
    }
    await this.events.record(step.context, { name: 'verify.asked' });
    return step.prompt(DialogIds.verificationPrompt, {
      prompt: MessageFactory.text(Messages.askVerification),
      retryPrompt: MessageFactory.text(Messages.verificationRetry),
    });
  }

  /** The customer's e-mail address or postcode, checked by the order system. */
  private async answerStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const orderId = (step.values as FormValues).orderId as string;
    const answer = String(step.result ?? '');
    const subject = accessSubject(step.context, orderId);
    const { guard } = this.verification;
    // Counted before the order system is asked: answers sent at once (many conversations waiting
    // at this question) cannot all pass a lock-out check made before any of them is counted.
    if (!(await guard.beginCheck(subject))) return this.refuseLockedOut(step, subject, 'knowledge');
    await step.context.sendActivity({ type: ActivityTypes.Typing });
    let match: boolean;
    try {
      match = this.orders.verifyOrder ? await this.orders.verifyOrder(orderId, answer) : false;
    } catch {
      await guard.endCheck(subject, 'knowledge', 'abandoned');
      return this.backendError(step, orderId);
    }
    if (!match) return this.failed(step, orderId, 'knowledge');
    await guard.endCheck(subject, 'knowledge', 'passed');
    await this.remember(step, orderId, 'knowledge');
    return this.deliver(step, orderId, 'knowledge');
  }

  private async lockedOut(step: WaterfallStepContext, subject: ReturnType<typeof accessSubject>, method: VerificationMethod): Promise<boolean> {
    if (!(await this.verification.guard.isLockedOut(subject))) return false;
    await this.tellLockedOut(step, subject, method);
    return true;
  }

  private async refuseLockedOut(step: WaterfallStepContext, subject: ReturnType<typeof accessSubject>, method: VerificationMethod): Promise<DialogTurnResult> {
    await this.tellLockedOut(step, subject, method);
    return step.endDialog({ outcome: 'locked_out', orderId: subject.orderId } satisfies OrderStatusResult);
  }

  private async tellLockedOut(step: WaterfallStepContext, subject: ReturnType<typeof accessSubject>, method: VerificationMethod): Promise<void> {
    this.verification.guard.recordLockedOut(subject, method);
    await this.events.record(step.context, { name: 'verify.locked_out' });
    await step.context.sendActivity(MessageFactory.suggestedActions([Buttons.talkToPerson], Messages.verificationLockedOut));
  }

  /** A wrong ID and a wrong answer get the same words; the check was counted by beginCheck. */
  private async failed(step: WaterfallStepContext, orderId: string, method: VerificationMethod): Promise<DialogTurnResult> {
    const { lockedOut } = await this.verification.guard.endCheck(accessSubject(step.context, orderId), method, 'failed');
    await this.events.record(step.context, { name: 'verify.failed', method, lockedOut });
    await step.context.sendActivity(
      MessageFactory.suggestedActions(
        lockedOut ? [Buttons.talkToPerson] : [Buttons.checkOrder, Buttons.talkToPerson],
        lockedOut ? `${Messages.noMatchingOrder}\n${Messages.verificationLockedOut}` : Messages.noMatchingOrder,
      ),
    );
    return step.endDialog({ outcome: lockedOut ? 'locked_out' : 'not_verified', orderId } satisfies OrderStatusResult);
  }

  private async remember(step: WaterfallStepContext, orderId: string, method: VerificationMethod): Promise<void> {
    const memory = await this.memory.get(step.context, {});
    const now = this.now();
    memory.verifiedOrders = {
      ...pruneVerified(memory.verifiedOrders ?? {}, now, this.verification.rememberSeconds),
      [orderId]: { method, customerId: accessSubject(step.context, orderId).customerId, at: now },
    };
    await this.events.record(step.context, { name: 'verify.passed', method });
  }

  /** The status, once the customer may see it. `known` is the order when the check already fetched it. */
  private async deliver(step: WaterfallStepContext, orderId: string, method: VerificationMethod, known?: Order): Promise<DialogTurnResult> {
    await step.context.sendActivity({ type: ActivityTypes.Typing });
    let result: OrderStatusResult;
    try {
      const order = known ?? (await this.orders.getOrderStatus(orderId));
      if (order) {
        await step.context.sendActivity(orderStatusActivity(order));
        await this.events.record(step.context, { name: 'form.status_delivered', status: order.status });
        result = { outcome: 'delivered', orderId };
      } else {
        // Policy none, or an order deleted between the check and the lookup.
        await step.context.sendActivity(method === 'none' ? Messages.orderNotFound(orderId) : Messages.noMatchingOrder);
        await this.events.record(step.context, { name: 'form.not_found' });
        result = { outcome: 'not_found', orderId };
      }
    } catch {
      return this.backendError(step, orderId);
    }
    return step.endDialog(result);
  }

  private async backendError(step: WaterfallStepContext, orderId: string): Promise<DialogTurnResult> {
    await this.events.record(step.context, { name: 'form.backend_error' });
    // The backend client has already logged the cause and retried; the customer gets the truth.
    await step.context.sendActivity(MessageFactory.suggestedActions([Buttons.talkToPerson], Messages.backendUnavailable));
    return step.endDialog({ outcome: 'backend_error', orderId } satisfies OrderStatusResult);
  }

  /** Any non-empty answer goes to the order system; an empty one is asked again. */
  private async validateAnswer(prompt: PromptValidatorContext<string>): Promise<boolean> {
    const value = (prompt.recognized.value ?? '').trim();
    if (!value || value.length > 254) return false;
    prompt.recognized.value = value;
    return true;
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

  /** At the order check the customer types free text: an e-mail address is always an answer. */
  protected override mayInterrupt(innerDc: DialogContext, recognition: Recognition): boolean {
    const entities = recognition.raw.entities as Record<string, unknown> | undefined;
    if (innerDc.activeDialog?.id === DialogIds.verificationPrompt && Array.isArray(entities?.email) && entities.email.length > 0) return false;
    return super.mayInterrupt(innerDc, recognition);
  }

  protected override helpText(innerDc: DialogContext): string {
    if (innerDc.activeDialog?.id === DialogIds.verificationPrompt) return Messages.helpDuringVerification;
    return innerDc.activeDialog?.id === DialogIds.confirmPrompt ? Messages.helpDuringConfirm : Messages.helpDuringOrderId;
  }

  /** The ticket names the order only when this customer verified it (or no check is configured). */
  protected override async handoffContext(innerDc: DialogContext): Promise<{ intent?: string; orderId?: string; verification?: HandoffVerification }> {
    const orderId = this.currentOrderId(innerDc);
    if (this.verification.policy === 'none') return { intent: Intents.askOrderStatus, orderId, verification: { verified: false, method: 'none' } };
    const entry = orderId ? (await this.memory.get(innerDc.context, {})).verifiedOrders?.[orderId] : undefined;
    const customerId = accessSubject(innerDc.context, orderId ?? '').customerId;
    if (orderId && stillVerified(entry, customerId, this.now(), this.verification.rememberSeconds)) {
      return { intent: Intents.askOrderStatus, orderId, verification: { verified: true, method: (entry as VerifiedOrder).method } };
    }
    return { intent: Intents.askOrderStatus, verification: { verified: false } };
  }
}
