import type { TurnContext } from 'botbuilder';
import { foreignClickNotice } from '../../groups/messages';
import type { Logger } from '../../telemetry/logger';
import type { SlackDeliveries } from './deliveries';
import type { Inbound, InboundTurn } from './inbound';
import { KeyedSerialQueue, YieldingStarter } from './pacer';
import { renderChoiceTaken } from './render';
import { type SlackAdapter, slackChannelDataOf, type SlackDelivery } from './SlackAdapter';
import type { SlackMessenger } from './SlackMessenger';
import type { ThreadRegistry } from './store/EventDeduplicator';

/** How long a person's follow-ups in a channel thread reach the bot without a new @mention. */
const THREAD_TTL_MS = 24 * 60 * 60 * 1000;

/** What the bridge needs from the agent desk to route its traffic. */
export interface SlackDeskTraffic {
  /** action_id prefix of the desk's buttons. */
  readonly actionPrefix: string;
  /** True for events that belong to the desk (its channel). */
  owns(body: Record<string, unknown>): boolean;
  /** Acts on a desk payload after the ack; never rejects. */
  handle(body: Record<string, unknown>): Promise<void>;
}

export interface SlackTrafficOptions {
  adapter: SlackAdapter;
  messenger: SlackMessenger;
  /** The bot's turn logic (`bot.run`). */
  logic: (context: TurnContext) => Promise<void>;
  deliveries: SlackDeliveries;
  threads: ThreadRegistry;
  desk?: SlackDeskTraffic;
  logger: Logger;
  track: (work: Promise<unknown>) => void;
}

/**
 * Where each accepted Slack payload goes: the agent desk's (its channel, its buttons) to the
 * desk, everything else becomes a customer turn, run one at a time per conversation.
 */
export class SlackTraffic {
  private readonly conversations = new KeyedSerialQueue();
  private readonly starter = new YieldingStarter();

  constructor(private readonly options: SlackTrafficOptions) {}

  /** A customer's message or click: skip if ignorable or seen, else run the turn in its conversation's queue. */
  async customer(inbound: Inbound, retryNum: unknown, delivery: string | undefined): Promise<void> {
    const { deliveries, threads, logger } = this.options;
    if (inbound.kind === 'ignore') {
      logger.debug({ reason: inbound.reason }, 'Slack payload ignored');
      deliveries.finish(delivery);
      return;
    }
    if (inbound.kind === 'foreignClick') {
      // Someone else's buttons (src/groups): a private notice to the clicker; nothing is claimed or changed.
      const target = { channel: inbound.channel, ...(inbound.threadTs ? { threadTs: inbound.threadTs } : {}) };
      this.options.track(
        this.options.messenger
          .postEphemeral(target, inbound.slackUser, { text: foreignClickNotice(`<@${inbound.offeredTo}>`) })
          .catch((error: unknown) => logger.warn({ err: error }, 'could not tell a Slack user that the buttons were not theirs'))
          .finally(() => deliveries.finish(delivery)),
      );
      return;
    }
    if (inbound.requiresActiveThread && !(await threads.isActive(inbound.requiresActiveThread))) {
      logger.debug('Slack thread message ignored: the bot was not asked in this thread by this person');
      deliveries.finish(delivery);
      return;
    }
    if (!(await deliveries.claim(inbound.dedupeKey, delivery))) {
      logger.info({ key: inbound.dedupeKey, retryNum }, 'Slack duplicate delivery dropped');
      deliveries.finish(delivery);
      return;
    }
    if (inbound.remembersThread) await threads.remember(inbound.remembersThread, THREAD_TTL_MS);
    if (inbound.clicked) this.options.track(showChoice(this.options.messenger, inbound.clicked, logger));
    if (delivery) markDelivery(inbound.activity, { key: delivery, redo: deliveries.isRedo(delivery) });
    this.runTurn(inbound.activity, delivery);
  }

  /** Hands a desk payload to the desk once (Slack redelivers desk events too); false when it is not the desk's. */
  desk(body: Record<string, unknown>): boolean {
    const { desk, deliveries, logger } = this.options;
    if (!desk?.owns(body)) return false;
    const delivery = deliveries.keyOf(body);
    // An agent's message must reach the customer once.
    const eventKey = typeof body.event_id === 'string' ? `desk:${String(body.team_id)}:${body.event_id}` : undefined;
    const first = eventKey ? deliveries.claim(eventKey, delivery) : Promise.resolve(true);
    this.options.track(
      first
        .then((isFirst) => (isFirst ? desk.handle(body) : logger.info({ key: eventKey }, 'Slack duplicate desk delivery dropped')))
        .finally(() => deliveries.finish(delivery)),
    );
    return true;
  }

  private runTurn(activity: InboundTurn['activity'], delivery: string | undefined): void {
    const { adapter, logic, deliveries, logger } = this.options;
    const conversationId = activity.conversation?.id ?? '';
    const turn = () => adapter.processActivity(activity, logic);
    this.options.track(
      this.starter
        .run(() => this.conversations.run(conversationId, turn))
        .catch((error: unknown) => {
          logger.error({ err: error, conversationId }, 'Slack turn failed outside the turn error handler');
        })
        .finally(() => deliveries.finish(delivery)),
    );
  }
}

/** Replaces the clicked buttons with the choice, so the message shows what was answered. */
async function showChoice(messenger: SlackMessenger, clicked: NonNullable<InboundTurn['clicked']>, logger: Logger): Promise<void> {
  try {
    const blocks = renderChoiceTaken(clicked.blocks as Parameters<typeof renderChoiceTaken>[0], clicked.label, clicked.slackUser);
    await messenger.update(clicked.channel, clicked.ts, { text: clicked.text || ' ', blocks });
  } catch (error) {
    // Cosmetic: the answer matters more than the old buttons, so the turn goes on.
    logger.warn({ err: error, channel: clicked.channel }, 'could not mark the clicked Slack buttons as used');
  }
}

/** Tells the adapter which delivery a turn comes from, so its replies can be posted once. */
function markDelivery(activity: InboundTurn['activity'], delivery: SlackDelivery): void {
  const data = slackChannelDataOf(activity);
  if (data) data.delivery = delivery;
}
