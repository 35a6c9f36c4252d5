import { ActivityTypes, MessageFactory, type StatePropertyAccessor, type TurnContext } from 'botbuilder-core';
import {
  ComponentDialog,
  type Dialog,
  DialogSet,
  type DialogState,
  type DialogTurnResult,
  DialogTurnStatus,
  WaterfallDialog,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { IGNORE_CONVERSATION_EVENTS, type ConversationEvents } from './conversationEvents';
import { DialogIds } from './dialogIds';
import { Buttons, Messages } from './messages';
import { findOrderId, type OrderIdRules } from './orderId';
import { namedWaterfallSteps } from './namedSteps';
import type { OrderStatusOptions, OrderStatusResult, VerificationMemory } from './OrderStatusDialog';
import { statusLabel } from './orderStatusReply';
import type { HandoffRequest, HandoffRequester, OrderService, TurnRecognizer } from './ports';
import { getRecognition, Intents, setRecognition, toRecognition, type Recognition } from './recognition';
import { customerKey, stillVerified, verifiedIdentity, type VerificationOptions } from './verification';

/** Conversation-level memory of the main dialog, kept in conversation state. */
export interface MainFlags extends VerificationMemory {
  /** Fallbacks in a row; reset by any understood message. */
  consecutiveFallbacks: number;
  /** What the bot offered or asked last and awaits a yes/no for. */
  pendingOffer?: 'handoff' | 'feedback';
}

export interface MainDialogDependencies {
  recognizer: TurnRecognizer;
  orders: OrderService;
  handoff: HandoffRequester;
  flags: StatePropertyAccessor<MainFlags>;
  orderIdRules: OrderIdRules;
  /** The order-status form the main dialog starts (built by createMainDialog in ./createDialogs). */
  orderStatus: Dialog<OrderStatusOptions>;
  /** Where form steps, fallbacks and feedback are reported (metrics, telemetry, transcript). */
  events?: ConversationEvents;
  /** Who may see an order: the policy, the guessing limits and how long a check is remembered. */
  verification: VerificationOptions;
}

/** Lowest runner-up score worth offering in "Did you mean ...?". */
const DID_YOU_MEAN_MIN_SCORE = 0.2;

/** Intents a "Did you mean" button can stand for, with the button that triggers each. */
const SUGGESTIBLE: Record<string, string> = {
  [Intents.askOrderStatus]: Buttons.checkOrder,
  [Intents.humanHandoff]: Buttons.talkToPerson,
  [Intents.help]: Buttons.help,
};

/**
 * Routes each new request by intent: greetings and help are answered here, order questions go
 * to the order-status form, and what the bot does not understand gets a two-stage fallback
 * ("Did you mean ...?", then an apology) and, after two in a row, an offer of a human.
 */
export class MainDialog extends ComponentDialog {
  private readonly events: ConversationEvents;

  constructor(private readonly deps: MainDialogDependencies) {
    super(DialogIds.main);
    this.events = deps.events ?? IGNORE_CONVERSATION_EVENTS;
    if (deps.orderStatus.id !== DialogIds.orderStatus) throw new Error(`the order-status dialog must have the id '${DialogIds.orderStatus}'`);
    this.addDialog(deps.orderStatus);
    this.addDialog(
      new WaterfallDialog(
        DialogIds.mainWaterfall,
        namedWaterfallSteps(DialogIds.mainWaterfall, {
          route: (step) => this.routeStep(step),
          finish: (step) => this.finishStep(step),
        }),
      ),
    );
    this.initialDialogId = DialogIds.mainWaterfall;
  }

  /** Runs one turn: recognise the message once, continue the active dialog or start a new one. */
  async run(context: TurnContext, dialogState: StatePropertyAccessor<DialogState>): Promise<void> {
    const dialogs = new DialogSet(dialogState);
    dialogs.add(this);
    const dc = await dialogs.createContext(context);
    if (context.activity.type === ActivityTypes.Message && context.activity.text) {
      const result = await this.deps.recognizer.recognize(dc, context.activity);
      setRecognition(context, toRecognition(result));
    }
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.id);
  }

  private async routeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const recognition = getRecognition(step.context);
    if (!recognition) return step.endDialog();
    const flags = await this.deps.flags.get(step.context, { consecutiveFallbacks: 0 });
    const offer = flags.pendingOffer;
    flags.pendingOffer = undefined;
    // An order ID is the strongest signal in this bot's domain: a message that carries one but
    // no confident intent ("any news on ORD-20931?") starts the form rather than a fallback.
    const intent =
      recognition.intent === Intents.none && findOrderId('', recognition.orderId, this.deps.orderIdRules) ? Intents.askOrderStatus : recognition.intent;
    if (intent !== Intents.none) flags.consecutiveFallbacks = 0;

    if (offer === 'handoff' && (recognition.intent === Intents.affirm || recognition.intent === Intents.deny)) {
      if (recognition.intent === Intents.affirm) {
        await this.deps.handoff.requestHandoff(step.context, { reason: 'repeated_fallback', ...(await this.verifiedDetails(step.context)) });
      } else {
        await step.context.sendActivity(Messages.declineHuman);
      }
      return step.endDialog();
    }

    if (offer === 'feedback' && (recognition.intent === Intents.affirm || recognition.intent === Intents.deny)) {
      const helpful = recognition.intent === Intents.affirm;
      await this.events.record(step.context, { name: 'feedback', helpful });
      await step.context.sendActivity(
        helpful ? Messages.thanksHelpful : MessageFactory.suggestedActions([Buttons.checkOrder, Buttons.talkToPerson], Messages.thanksNotHelpful),
      );
      return step.endDialog();
    }

    switch (intent) {
      case Intents.askOrderStatus:
      case Intents.inform: {
        const orderId = findOrderId('', recognition.orderId, this.deps.orderIdRules);
        await this.events.record(step.context, { name: 'form.started', withOrderId: orderId !== undefined });
        return step.beginDialog(DialogIds.orderStatus, { orderId } satisfies OrderStatusOptions);
      }
      case Intents.greet:
        await step.context.sendActivity(Messages.greet);
        break;
      case Intents.goodbye:
        await step.context.sendActivity(Messages.goodbye);
        break;
      case Intents.help:
        await step.context.sendActivity(MessageFactory.suggestedActions([Buttons.checkOrder, Buttons.talkToPerson], Messages.help));
        break;
      case Intents.cancel:
        await step.context.sendActivity(Messages.nothingToCancel);
        break;
      case Intents.humanHandoff:
        await this.deps.handoff.requestHandoff(step.context, { reason: 'user_request', ...(await this.verifiedDetails(step.context)) });
        break;
      case Intents.listOrders:
        await this.listOrders(step.context);
        break;
      case Intents.affirm:
      case Intents.deny:
        await step.context.sendActivity(MessageFactory.suggestedActions([Buttons.checkOrder, Buttons.help], Messages.capabilities));
        break;
      default:
        await this.fallback(step.context, recognition, flags);
    }
    return step.endDialog();
  }

  private async fallback(context: TurnContext, recognition: Recognition, flags: MainFlags): Promise<void> {
    flags.consecutiveFallbacks += 1;
    if (flags.consecutiveFallbacks >= 2) {
      flags.consecutiveFallbacks = 0;
      flags.pendingOffer = 'handoff';
      await this.events.record(context, { name: 'fallback', stage: 'offer_human' });
      await context.sendActivity(MessageFactory.suggestedActions([Buttons.talkToPerson, Buttons.noThanks], Messages.offerHuman));
      return;
    }
    const guesses = recognition.candidates
      .filter((c) => c.score >= DID_YOU_MEAN_MIN_SCORE && SUGGESTIBLE[c.intent])
      .slice(0, 2)
      .map((c) => SUGGESTIBLE[c.intent] as string);
    if (guesses.length > 0) {
      await this.events.record(context, { name: 'fallback', stage: 'did_you_mean' });
      await context.sendActivity(MessageFactory.suggestedActions([...guesses, Buttons.noThanks], Messages.didYouMean));
      return;
    }
    await this.events.record(context, { name: 'fallback', stage: 'explain' });
    await context.sendActivity(MessageFactory.suggestedActions([Buttons.checkOrder, Buttons.talkToPerson], Messages.fallback));
  }

  /**
   * "Which orders do I have?": only for a customer the channel verified, under the identity
   * policy; everyone else is asked for an order ID.
   */
  private async listOrders(context: TurnContext): Promise<void> {
    const identity = this.deps.verification.policy === 'identity' ? verifiedIdentity(context) : undefined;
    if (!identity || !this.deps.orders.ordersForCustomer) {
      await context.sendActivity(Messages.listNeedsSignIn);
      return;
    }
    const orders = await this.deps.orders.ordersForCustomer(identity).catch(() => undefined);
    if (!orders) {
      await context.sendActivity(MessageFactory.suggestedActions([Buttons.talkToPerson], Messages.backendUnavailable));
      return;
    }
    await this.events.record(context, { name: 'verify.orders_listed', count: orders.length });
    if (orders.length === 0) {
      await context.sendActivity(Messages.noOrdersForYou);
      return;
    }
    const flags = await this.deps.flags.get(context, { consecutiveFallbacks: 0 });
    const now = (this.deps.verification.now ?? Date.now)();
    const customerId = customerKey(context);
    flags.verifiedOrders = { ...(flags.verifiedOrders ?? {}) };
    for (const order of orders) flags.verifiedOrders[order.id.toUpperCase()] = { method: 'identity', customerId, at: now };
    await context.sendActivity(Messages.yourOrders(orders.map((o) => `- ${o.id}: ${statusLabel(o.status)}`)));
  }

  /**
   * What a handoff may tell the agent about orders: the order this customer verified most recently
   * in this conversation (still valid), and whether and how they were verified.
   */
  private async verifiedDetails(context: TurnContext): Promise<Pick<HandoffRequest, 'orderId' | 'intent' | 'verification'>> {
    const { policy, rememberSeconds } = this.deps.verification;
    if (policy === 'none') return { verification: { verified: false, method: 'none' } };
    const flags = await this.deps.flags.get(context, { consecutiveFallbacks: 0 });
    const now = (this.deps.verification.now ?? Date.now)();
    const customerId = customerKey(context);
    const latest = Object.entries(flags.verifiedOrders ?? {})
      .filter(([, entry]) => stillVerified(entry, customerId, now, rememberSeconds))
      .sort(([, a], [, b]) => b.at - a.at)[0];
    if (!latest) return { verification: { verified: false } };
    return { orderId: latest[0], intent: Intents.askOrderStatus, verification: { verified: true, method: latest[1].method } };
  }

  /** After a status was given, ask "Was this helpful?"; the answer is read by the next turn's routeStep. */
  private async finishStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as OrderStatusResult | undefined;
    if (result?.outcome === 'delivered') {
      const flags = await this.deps.flags.get(step.context, { consecutiveFallbacks: 0 });
      flags.pendingOffer = 'feedback';
      await this.events.record(step.context, { name: 'feedback.asked' });
      await step.context.sendActivity(MessageFactory.suggestedActions([Buttons.helpful, Buttons.notHelpful], Messages.askFeedback));
    }
    return step.endDialog(step.result);
  }
}
