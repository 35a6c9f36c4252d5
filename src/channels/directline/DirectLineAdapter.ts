import { type Activity, ActivityTypes, BotAdapter, type ConversationReference, type ResourceResponse, TurnContext } from 'botbuilder';
import { CLIENT_ADDRESS_KEY } from '../../bot/RateLimiter';
import { KeyedSerialQueue } from '../../util/keyedSerialQueue';
import type { DirectLineStore, StoredActivity } from './store';

/** Who the bot is in Direct Line conversations. */
export interface DirectLineBotIdentity {
  id: string;
  name: string;
}

export interface DirectLineAdapterOptions {
  store: DirectLineStore;
  bot: DirectLineBotIdentity;
  /** channelId of the activities the bot sees; `directline`, as Azure's Direct Line sets it. */
  channelId?: string;
  /** The serviceUrl put on incoming activities (informational: replies never leave this process). */
  serviceUrl: string;
  /** Told after every append, so connected WebSocket streams are woken at once. */
  onAppended: (conversationId: string) => void;
}

/** Activities the bot sends that a Direct Line client never sees. */
const NOT_DELIVERED = new Set<string>([ActivityTypes.Trace, ActivityTypes.InvokeResponse]);

type TurnLogic = (context: TurnContext) => Promise<void>;

/**
 * The bot side of the self-hosted Direct Line: here the bot itself is the "service".
 *
 * Incoming activities are written to the activity log (Direct Line echoes a user's own
 * activities back to every client, which Web Chat relies on to mark a message as sent) and
 * then run through the middleware and the bot. The bot's replies are appended to the same log
 * instead of being POSTed to a connector, and connected streams are woken. Turns of one
 * conversation run one at a time in this process, in arrival order.
 */
export class DirectLineAdapter extends BotAdapter {
  readonly channelId: string;
  /** Turns of one conversation, one at a time in arrival order. */
  private readonly turns = new KeyedSerialQueue();

  constructor(private readonly options: DirectLineAdapterOptions) {
    super();
    this.channelId = options.channelId ?? 'directline';
  }

  get bot(): DirectLineBotIdentity {
    return this.options.bot;
  }

  /**
   * The serviceUrl on this adapter's activities (and so on their conversation references):
   * it tells a self-hosted Direct Line reference from an Azure Direct Line one, which share the
   * channel id `directline`.
   */
  get serviceUrl(): string {
    return this.options.serviceUrl;
  }

  /**
   * Logs a client's activity, runs the turn, and resolves with the logged activity once the
   * turn is over (so a POST answers after the bot has replied, as with Azure).
   */
  async receive(conversationId: string, incoming: Partial<Activity>, logic: TurnLogic, clientAddress?: string): Promise<StoredActivity> {
    const activity: Partial<Activity> = {
      ...incoming,
      channelId: this.channelId,
      serviceUrl: this.options.serviceUrl,
      conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
      recipient: { id: this.options.bot.id, name: this.options.bot.name, role: 'bot' },
      timestamp: new Date(),
    };
    const stored = await this.options.store.append(conversationId, activity);
    this.options.onAppended(conversationId);
    // The log's copy has dates as strings; the bot gets Date objects like the CloudAdapter gives.
    const forTurn = { ...stored, timestamp: new Date(stored.timestamp as unknown as string) } as Activity;
    // The client's address rides in turnState (never in the activity a client could forge), so
    // the rate limiter can tie together the many fresh "users" of one anonymous client.
    await this.turns.run(conversationId, () => this.runTurn(forTurn, logic, clientAddress));
    return stored;
  }

  /**
   * Runs a turn for an activity that clients do not see (the conversationUpdate that starts a
   * conversation), without logging the activity itself.
   */
  async runUnlogged(conversationId: string, activity: Partial<Activity>, logic: TurnLogic): Promise<void> {
    const full = {
      ...activity,
      channelId: this.channelId,
      serviceUrl: this.options.serviceUrl,
      conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
      recipient: { id: this.options.bot.id, name: this.options.bot.name, role: 'bot' },
      timestamp: new Date(),
    } as Activity;
    await this.turns.run(conversationId, () => this.runTurn(full, logic));
  }

  override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    const conversationId = context.activity.conversation?.id;
    if (!conversationId) throw new Error('DirectLineAdapter.sendActivities: the turn has no conversation id.');
    for (const activity of activities) {
      if (activity.type === 'delay') {
        await new Promise((resolve) => setTimeout(resolve, typeof activity.value === 'number' ? activity.value : 1000));
        responses.push({ id: '' });
        continue;
      }
      if (NOT_DELIVERED.has(activity.type ?? '')) {
        responses.push({ id: '' });
        continue;
      }
      const stored = await this.options.store.append(conversationId, {
        ...activity,
        channelId: this.channelId,
        conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
        from: { id: this.options.bot.id, name: this.options.bot.name, role: 'bot' },
        timestamp: new Date(),
      });
      this.options.onAppended(conversationId);
      responses.push({ id: stored.id });
    }
    return responses;
  }

  /** Direct Line 3.0 has no way to tell clients about edits or deletions. */
  override async updateActivity(): Promise<void> {
    throw new Error('The self-hosted Direct Line cannot update activities that were already delivered.');
  }

  override async deleteActivity(): Promise<void> {
    throw new Error('The self-hosted Direct Line cannot delete activities that were already delivered.');
  }

  /** Proactive messages: replies go to the conversation's log, so any instance's clients get them. */
  override async continueConversation(reference: Partial<ConversationReference>, logic: TurnLogic): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continueConversation' }, reference, true) as Activity;
    const conversationId = reference.conversation?.id;
    if (!conversationId) throw new Error('DirectLineAdapter.continueConversation: the reference has no conversation id.');
    await this.turns.run(conversationId, () => this.runTurn(activity, logic));
  }

  /** Same as continueConversation; the app id or claims are irrelevant without a connector. */
  override async continueConversationAsync(
    _botAppIdOrClaims: unknown,
    reference: Partial<ConversationReference>,
    logicOrAudience: TurnLogic | string,
    maybeLogic?: TurnLogic,
  ): Promise<void> {
    const logic = typeof logicOrAudience === 'function' ? logicOrAudience : maybeLogic;
    if (!logic) throw new Error('DirectLineAdapter.continueConversationAsync: no logic given.');
    await this.continueConversation(reference, logic);
  }

  private async runTurn(activity: Activity, logic: TurnLogic, clientAddress?: string): Promise<void> {
    const context = new TurnContext(this, activity);
    if (clientAddress) context.turnState.set(CLIENT_ADDRESS_KEY, clientAddress);
    await this.runMiddleware(context, logic);
  }
}
