import { ActivityTypes, BotAdapter, TurnContext, type Activity, type ConversationReference, type ResourceResponse } from 'botbuilder';
import type { Logger } from '../../telemetry/logger';
import { privateRecipientOf, slackUserOf } from '../../groups/privateReply';
import { conversationIdOf, isDirectMessage, parseConversationId } from './address';
import type { SlackMessenger, SlackTarget } from './SlackMessenger';
import { renderMessage } from './render';

/** The channelId of activities that came through the native Slack bridge. */
export const SLACK_CHANNEL_ID = 'slack';

/** What the bridge puts in `activity.channelData.slack` of every incoming activity. */
export interface SlackChannelData {
  team: string;
  channel: string;
  /** Slack `ts` of the message (or clicked message) the activity came from. */
  ts?: string;
  /** Thread the incoming message was in, if any; a DM reply goes there too. */
  threadTs?: string;
  /** Events API event_id, or the action id of a button click. */
  eventId?: string;
  /** The raw Slack event or interaction payload, for middleware that needs Slack specifics. */
  payload: unknown;
  /** The recorded delivery this turn processes (HTTP mode), see SlackBridge. */
  delivery?: SlackDelivery;
}

/** Which recorded Slack delivery a turn processes, and whether this is a second attempt. */
export interface SlackDelivery {
  key: string;
  /** True when the first attempt's instance died: replies it may have posted are looked up first. */
  redo: boolean;
}

/** Metadata event type of replies tagged with their delivery. */
export const REPLY_EVENT_TYPE = 'bot_reply';
/** Turn-state key counting a turn's posted replies. */
const REPLY_COUNT = Symbol('slackReplyCount');

/** Reads the bridge's channel data from an activity; undefined for other channels. */
export function slackChannelDataOf(activity: Partial<Activity>): SlackChannelData | undefined {
  const data = (activity.channelData as { slack?: SlackChannelData } | undefined)?.slack;
  return data && typeof data.channel === 'string' ? data : undefined;
}

type TurnLogic = (context: TurnContext) => Promise<void>;

/**
 * Bot Framework's adapter contract for Slack: the bridge hands it activities built from Slack
 * events, it runs middleware and the bot, and turns the bot's replies into Slack messages. The
 * bot and its dialogs never learn that Slack exists.
 */
export class SlackAdapter extends BotAdapter {
  constructor(
    private readonly messenger: SlackMessenger,
    private readonly logger: Logger,
  ) {
    super();
  }

  /** Runs one turn for an activity the bridge built from a Slack event. */
  async processActivity(activity: Partial<Activity>, logic: TurnLogic): Promise<void> {
    const context = new TurnContext(this, activity);
    await this.runMiddleware(context, logic);
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type === 'delay') {
        await new Promise((resolve) => setTimeout(resolve, typeof activity.value === 'number' ? activity.value : 1000));
        responses.push({ id: '' });
      } else if (activity.type === ActivityTypes.Message) {
        responses.push({ id: await this.postReply(context, activity) });
      } else {
        // typing, trace and event activities have no Slack message equivalent.
        this.logger.debug({ type: activity.type }, 'Slack: activity type not sent');
        responses.push({ id: '' });
      }
    }
    return responses;
  }

  /**
   * Posts one reply. A reply to a recorded delivery carries the delivery key and its place in the
   * turn as message metadata; when the delivery is processed again after a crash, a reply whose
   * tag is already in the conversation is not posted a second time.
   */
  private async postReply(context: TurnContext, activity: Partial<Activity>): Promise<string> {
    const target = this.targetOf(context, activity);
    // In a channel thread, buttons answer only the person they were offered to (the reply's recipient).
    const inThread = target.threadTs !== undefined && !isDirectMessage(target.channel);
    const content = renderMessage(activity, inThread ? slackUserOf(activity.recipient?.id) : undefined);
    const privateTo = slackUserOf(privateRecipientOf(activity));
    if (privateTo && inThread) return this.messenger.postEphemeral(target, privateTo, content);
    const delivery = slackChannelDataOf(context.activity)?.delivery;
    if (!delivery || activity.conversation?.id !== context.activity.conversation?.id) return this.messenger.post(target, content);
    const n = ((context.turnState.get(REPLY_COUNT) as number | undefined) ?? 0) + 1;
    context.turnState.set(REPLY_COUNT, n);
    const tag = { key: delivery.key, n: String(n) };
    if (delivery.redo) {
      const since = slackChannelDataOf(context.activity)?.ts?.split(':')[0];
      const posted = await this.messenger.findTagged(target, REPLY_EVENT_TYPE, tag, since).catch((error: unknown) => {
        // Without history access, posting again beats losing the reply.
        this.logger.warn({ err: error }, 'Slack: could not check for a reply posted before a crash; posting it');
        return undefined;
      });
      if (posted) {
        this.logger.info({ delivery: delivery.key, n }, 'Slack: reply already posted before a crash; not posting it again');
        return posted;
      }
    }
    return this.messenger.post(target, { ...content, metadata: { event_type: REPLY_EVENT_TYPE, event_payload: tag } });
  }

  /**
   * Opens the bot's DM with the person `userId` (`team:U…`) and returns the Bot Framework
   * conversation id of it, for carrying a group conversation's form over (src/groups).
   */
  async openDirectConversation(userId: string): Promise<string> {
    const user = slackUserOf(userId);
    const team = userId.split(':')[0];
    if (!user || !team) throw new Error(`"${userId}" is not a Slack user id of this bot`);
    return conversationIdOf({ team, channel: await this.messenger.openDirect(user) });
  }

  /** Edits a message the bot posted earlier; `activity.id` is its Slack `ts`. */
  async updateActivity(_context: TurnContext, activity: Partial<Activity>): Promise<void> {
    const address = parseConversationId(activity.conversation?.id);
    if (!address || !activity.id) throw new Error('updateActivity needs a Slack conversation id and the message ts as activity.id');
    await this.messenger.update(address.channel, activity.id, renderMessage(activity));
  }

  async deleteActivity(_context: TurnContext, reference: Partial<ConversationReference>): Promise<void> {
    const address = parseConversationId(reference.conversation?.id);
    if (!address || !reference.activityId) throw new Error('deleteActivity needs a Slack conversation id and activityId (the message ts)');
    await this.messenger.delete(address.channel, reference.activityId);
  }

  /** @deprecated Bot Framework's older name; use continueConversationAsync. */
  async continueConversation(reference: Partial<ConversationReference>, logic: TurnLogic): Promise<void> {
    await this.continueConversationAsync('', reference, logic);
  }

  /**
   * Proactive messages (human handoff, notifications): runs `logic` in a turn addressed to a
   * stored ConversationReference. Slack needs no app id or claims, so those are ignored; the
   * conversation id alone says where to post.
   */
  override async continueConversationAsync(
    _botAppIdOrClaims: string | Parameters<BotAdapter['continueConversationAsync']>[0],
    reference: Partial<ConversationReference>,
    logicOrAudience: TurnLogic | string,
    maybeLogic?: TurnLogic,
  ): Promise<void> {
    const logic = typeof logicOrAudience === 'function' ? logicOrAudience : maybeLogic;
    if (!logic) throw new TypeError('continueConversationAsync: missing logic');
    if (!parseConversationId(reference.conversation?.id)) {
      throw new Error(`continueConversationAsync: "${reference.conversation?.id}" is not a Slack conversation id`);
    }
    const activity = TurnContext.applyConversationReference(
      { type: ActivityTypes.Event, name: 'ContinueConversation', channelId: SLACK_CHANNEL_ID },
      reference,
      true,
    );
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  /**
   * Channel threads are part of the conversation id. A DM conversation spans the whole DM, so a
   * reply goes into a thread only when the message being answered was in one.
   */
  private targetOf(context: TurnContext, activity: Partial<Activity>): SlackTarget {
    const address = parseConversationId(activity.conversation?.id);
    if (!address) throw new Error(`Cannot send to "${activity.conversation?.id}": not a Slack conversation id`);
    if (address.threadTs) return { channel: address.channel, threadTs: address.threadTs };
    const incoming = slackChannelDataOf(context.activity);
    if (incoming?.threadTs && context.activity.conversation?.id === activity.conversation?.id) {
      return { channel: address.channel, threadTs: incoming.threadTs };
    }
    return { channel: address.channel };
  }
}
