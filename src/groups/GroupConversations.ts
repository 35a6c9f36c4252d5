import {
  type Activity,
  ActivityTypes,
  type Attachment,
  type BotState,
  type CardAction,
  type ChannelAccount,
  type ConversationReference,
  type Middleware,
  type ResourceResponse,
  TurnContext,
} from 'botbuilder';
import { Messages } from '../../dialogs/messages';
import type { GroupOrderDetails } from '../config/groups';
import type { Logger } from '../telemetry/logger';
import { asksToContinuePrivately, foreignClickNotice, GroupMessages } from './messages';
import { markPrivate, privateRecipientOf } from './privateReply';
import { deliversOnlyMentions, isGroupConversation } from './scope';

/** Runs `logic` in a turn of a one-to-one conversation with the sender of `context`. */
export type PrivateChatOpener = (context: TurnContext, logic: (privateContext: TurnContext) => Promise<void>) => Promise<void>;

export interface GroupConversationsOptions {
  /** The per-person conversation state (ParticipantConversationState). */
  conversationState: BotState;
  /** Properties of a person's form that move to the private chat (dialog stack, flags, offered choices). */
  formProperties: readonly string[];
  /** Property holding the state version (moved along with the form). */
  versionProperty: string;
  /** Shows the current question again (the main dialog's reprompt) in the private chat. */
  reprompt: (context: TurnContext) => Promise<boolean>;
  /** Opens a one-to-one chat with the sender (Teams personal chat, Slack DM); rejects when it cannot. */
  openPrivateChat: PrivateChatOpener;
  orderDetails: GroupOrderDetails;
  logger: Logger;
}

const HERO_CARD = 'application/vnd.microsoft.card.hero';

/** What a button of ours carries in a Teams group conversation (messageBack value). */
interface OfferedValue {
  offeredTo: string;
  offeredToName?: string;
}

/**
 * The bot's manners in group conversations (Teams channels and group chats, Slack channel
 * threads and multi-person DMs). Register after the state guard, just before the bot.
 *
 * - Buttons answer only the person they were offered to: in Teams the buttons become card
 *   buttons carrying that person's id, and a click by someone else gets a reply addressed to
 *   them and changes nothing (Slack does the same check in its bridge, before any claim).
 * - Where only @mentions reach the bot, questions say so and offer a private chat.
 * - "continue privately" moves the person's form into a one-to-one chat and asks its question
 *   there again.
 * - With GROUP_ORDER_DETAILS=private, an order's details go to the person only (Slack ephemeral
 *   message, Teams personal chat) and the group reads "I've sent you the details privately".
 */
export class GroupConversations implements Middleware {
  constructor(private readonly options: GroupConversationsOptions) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const { activity } = context;
    if (!isGroupConversation(activity)) return next();
    if (activity.type !== ActivityTypes.Message) {
      // Proactive turns (an agent's reply, the rating after a handoff) are the named person's:
      // their buttons and questions get the same treatment.
      context.onSendActivities(async (ctx, activities, sendNext) => this.beforeSend(ctx, activities, sendNext));
      return next();
    }
    const offered = offeredValueOf(activity.value);
    if (offered && offered.offeredTo !== activity.from?.id) {
      await this.refuseForeignClick(context, offered);
      return;
    }
    if (asksToContinuePrivately(activity.text)) {
      await this.continuePrivately(context);
      return;
    }
    context.onSendActivities(async (ctx, activities, sendNext) => this.beforeSend(ctx, activities, sendNext));
    await next();
  }

  private async refuseForeignClick(context: TurnContext, offered: OfferedValue): Promise<void> {
    const clicker = context.activity.from;
    const owner = offered.offeredToName || 'someone else';
    await context.sendActivity(addressedTo(clicker, foreignClickNotice(owner)));
  }

  private async continuePrivately(context: TurnContext): Promise<void> {
    const { conversationState, formProperties, versionProperty, logger } = this.options;
    const own = (await conversationState.load(context)) as Record<string, unknown>;
    const form: Record<string, unknown> = {};
    for (const property of formProperties) if (own[property] !== undefined) form[property] = own[property];
    const hasForm = Object.keys(form).length > 0;
    try {
      await this.options.openPrivateChat(context, async (privateContext) => {
        const target = (await conversationState.load(privateContext)) as Record<string, unknown>;
        if (hasForm) {
          Object.assign(target, form);
          if (own[versionProperty] !== undefined) target[versionProperty] = own[versionProperty];
        }
        await privateContext.sendActivity(hasForm ? GroupMessages.continuedPrivately : GroupMessages.nothingToCarry);
        if (hasForm) await this.options.reprompt(privateContext);
        await conversationState.saveChanges(privateContext);
      });
    } catch (error) {
      logger.warn({ err: error, channelId: context.activity.channelId }, 'could not open a private chat for a group conversation');
      await context.sendActivity(addressedTo(context.activity.from, GroupMessages.privateUnavailable));
      return;
    }
    for (const property of formProperties) delete own[property];
    await context.sendActivity(addressedTo(context.activity.from, GroupMessages.movedPrivately));
  }

  private async beforeSend(context: TurnContext, activities: Partial<Activity>[], sendNext: () => Promise<ResourceResponse[]>): Promise<ResourceResponse[]> {
    const incoming = context.activity;
    const mentionOnly = deliversOnlyMentions(incoming);
    const bot = incoming.recipient?.name || 'Order assistant';
    for (let i = 0; i < activities.length; i++) {
      const activity = activities[i] as Partial<Activity>;
      if (activity.type !== ActivityTypes.Message) continue;
      if (this.options.orderDetails === 'private' && isOrderDetails(activity) && !privateRecipientOf(activity)) {
        const person = incoming.from;
        if (incoming.channelId === 'slack' && person?.id) {
          // The Slack adapter posts it ephemeral in the thread; the public line follows it.
          markPrivate(activity, person.id);
          // Added after the context addressed the batch, so it is addressed here.
          const line = TurnContext.applyConversationReference(
            { type: ActivityTypes.Message, text: GroupMessages.detailsSentPrivately },
            TurnContext.getConversationReference(incoming),
          );
          activities.splice(i + 1, 0, line);
          i++;
        } else {
          activities[i] = await this.sendPrivately(context, activity);
        }
        continue;
      }
      const hint = questionHint(activity.text, bot, mentionOnly, incoming.channelId === 'slack');
      if (hint) activity.text = `${activity.text} ${hint}`;
      if (incoming.channelId === 'msteams') offerButtonsTo(activity, activity.recipient ?? incoming.from);
    }
    return sendNext();
  }

  /** Sends an order's details to the person only; resolves the public line to send instead. */
  private async sendPrivately(context: TurnContext, activity: Partial<Activity>): Promise<Partial<Activity>> {
    const person = context.activity.from;
    try {
      await this.options.openPrivateChat(context, async (privateContext) => {
        const { conversation: _group, recipient: _recipient, replyToId: _reply, ...content } = activity;
        await privateContext.sendActivity(content);
      });
      return addressedTo(person, GroupMessages.detailsSentPrivately);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not send order details privately; none were shown in the group');
      return addressedTo(person, GroupMessages.detailsPrivateFailed);
    }
  }
}

function offeredValueOf(value: unknown): OfferedValue | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { offeredTo, offeredToName } = value as Record<string, unknown>;
  if (typeof offeredTo !== 'string' || offeredTo === '') return undefined;
  return { offeredTo, ...(typeof offeredToName === 'string' ? { offeredToName } : {}) };
}

function isOrderDetails(activity: Partial<Activity>): boolean {
  const value = activity.value as { $kind?: unknown } | undefined;
  return value?.$kind === 'orderStatus';
}

/** A reply that names (and, in Teams, @mentions) the person it is for. */
function addressedTo(person: ChannelAccount | undefined, text: string): Partial<Activity> {
  if (!person?.name) return { type: ActivityTypes.Message, text };
  const mention = `<at>${person.name}</at>`;
  return {
    type: ActivityTypes.Message,
    text: `${mention} ${text}`,
    entities: [{ type: 'mention', mentioned: { id: person.id, name: person.name }, text: mention }],
  };
}

const ORDER_ID_QUESTIONS = new Set<string>([Messages.askOrderId, Messages.askCorrectOrderId, Messages.startOverHint]);
const DETAIL_QUESTIONS = new Set<string>([Messages.askVerification, Messages.verificationRetry]);

/** What to add to a question in a group conversation, or undefined for other messages. */
function questionHint(text: string | undefined, bot: string, mentionOnly: boolean, slack: boolean): string | undefined {
  if (!text) return undefined;
  const asksId = ORDER_ID_QUESTIONS.has(text) || text.endsWith(Messages.askOrderId);
  const asksDetails = DETAIL_QUESTIONS.has(text);
  const isQuestion = asksId || asksDetails || text.trimEnd().endsWith('?');
  if (!isQuestion) return undefined;
  if (mentionOnly) {
    const how = asksId ? GroupMessages.mentionWithOrderId(bot) : GroupMessages.mentionWithAnswer(bot);
    return `${how} ${asksDetails ? GroupMessages.privateBeforeDetails : GroupMessages.offerPrivate(bot, true)}`;
  }
  if (slack && asksDetails) return GroupMessages.privateBeforeDetails;
  return undefined;
}

/**
 * Teams shows suggested actions only in personal chats: in a group conversation they become
 * card buttons that carry whom they were offered to (messageBack), so a click reaches the bot
 * without a mention and a click by someone else can be refused.
 */
function offerButtonsTo(activity: Partial<Activity>, person: ChannelAccount | undefined): void {
  if (!person?.id) return;
  const value: OfferedValue = { offeredTo: person.id, ...(person.name ? { offeredToName: person.name } : {}) };
  const toMessageBack = (action: CardAction): CardAction =>
    action.type === 'imBack' || action.type === 'postBack' || action.type === 'messageBack'
      ? {
          type: 'messageBack',
          title: action.title,
          text: String(action.type === 'messageBack' ? (action.text ?? action.title) : (action.value ?? action.title)),
          displayText: String(action.title ?? action.value ?? ''),
          value,
        }
      : action;
  const actions = activity.suggestedActions?.actions ?? [];
  if (actions.length > 0) {
    delete activity.suggestedActions;
    activity.attachments = [...(activity.attachments ?? []), { contentType: HERO_CARD, content: { buttons: actions.map(toMessageBack) } }];
    return;
  }
  for (const attachment of activity.attachments ?? []) rewriteHeroButtons(attachment, toMessageBack);
}

function rewriteHeroButtons(attachment: Attachment, rewrite: (action: CardAction) => CardAction): void {
  if (attachment.contentType !== HERO_CARD) return;
  const content = attachment.content as { buttons?: CardAction[] } | undefined;
  if (content?.buttons) content.buttons = content.buttons.map(rewrite);
}

/** The reference of a one-to-one conversation with `user` (for the Slack DM). */
export function privateReference(from: TurnContext, conversationId: string): Partial<ConversationReference> {
  const { activity } = from;
  return {
    channelId: activity.channelId,
    serviceUrl: activity.serviceUrl,
    user: activity.from,
    bot: activity.recipient,
    conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: 'direct message' },
  };
}
