import { ActivityTypes, type TurnContext, type Activity, type Middleware, type ResourceResponse, type StatePropertyAccessor } from 'botbuilder';
import { capabilitiesOf, type ChannelCapabilities } from './capabilities';
import { buttonsCard, numberedText, pickByNumber, toChoices, type OfferedChoices } from './choices';
import { isOrderStatusContent, orderStatusCard } from './orderStatusCard';

export interface ChannelRenderingOptions {
  /**
   * Where the numbered choices last offered on a button-less channel are kept between turns
   * (a conversation-state property, so any instance can read the customer's "2").
   */
  offeredChoices: StatePropertyAccessor<OfferedChoices | undefined>;
}

/**
 * Channel-aware rendering at the edge. Register it on every adapter AFTER the storage
 * middleware (so conversation state is loaded under the conversation's lease and saved after).
 *
 * Incoming messages: the bot's own @mention is removed (Teams channels and group chats prefix
 * every message with it), and on button-less channels a bare "1"/"2" becomes the choice it
 * picks from the list the bot sent last.
 *
 * Outgoing messages: an `orderStatus` value gains an Adaptive Card where the channel renders
 * them; suggested actions stay where the channel shows them, become hero-card buttons where it
 * shows too few (Teams: 3), and numbered text elsewhere. Slack is left to the Slack adapter.
 */
export class ChannelRenderingMiddleware implements Middleware {
  constructor(private readonly options: ChannelRenderingOptions) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const capabilities = capabilitiesOf(context.activity);
    if (capabilities.passthrough) {
      await next();
      return;
    }
    // Only channels that can get numbered text ever store choices; others never touch state.
    const numbering = capabilities.overflow === 'numberedText' && capabilities.maxSuggestedActions < 100;
    if (context.activity.type === ActivityTypes.Message) {
      stripRecipientMention(context.activity);
      if (numbering) await this.pickNumberedChoice(context);
    }
    context.onSendActivities(async (ctx, activities, sendNext): Promise<ResourceResponse[]> => {
      const offered = renderAll(activities, capabilities);
      if (numbering && offered !== 'unchanged') {
        await this.options.offeredChoices.set(ctx, offered === 'cleared' ? undefined : offered);
      }
      return sendNext();
    });
    await next();
  }

  private async pickNumberedChoice(context: TurnContext): Promise<void> {
    const stored = await this.options.offeredChoices.get(context);
    const picked = pickByNumber(context.activity.text, stored?.choices);
    if (picked) context.activity.text = picked.value;
  }
}

/**
 * Rewrites a batch of outgoing activities in place for the channel. Returns the choices now
 * offered as numbered text, 'cleared' if messages without choices were sent (an old list no
 * longer applies), or 'unchanged' if no message was sent.
 */
export function renderAll(activities: Partial<Activity>[], capabilities: ChannelCapabilities): OfferedChoices | 'cleared' | 'unchanged' {
  let offered: OfferedChoices | 'cleared' | 'unchanged' = 'unchanged';
  for (const activity of activities) {
    if (activity.type !== ActivityTypes.Message) continue;
    const numbered = renderOne(activity, capabilities);
    offered = numbered ?? 'cleared';
  }
  return offered;
}

function renderOne(activity: Partial<Activity>, capabilities: ChannelCapabilities): OfferedChoices | undefined {
  if (capabilities.adaptiveCardVersion && isOrderStatusContent(activity.value)) {
    const card = orderStatusCard(activity.value, capabilities.adaptiveCardVersion, activity.text ?? '');
    activity.attachments = [...(activity.attachments ?? []), card];
    // The text repeats order fields from the orders API; shown as plain text, a carrier named
    // "[x](https://...)" cannot become a link. The card carries the real tracking button.
    activity.textFormat = 'plain';
  }
  const actions = activity.suggestedActions?.actions ?? [];
  if (actions.length === 0 || actions.length <= capabilities.maxSuggestedActions) return undefined;
  const choices = toChoices(actions);
  delete activity.suggestedActions;
  if (capabilities.overflow === 'heroCard') {
    activity.attachments = [...(activity.attachments ?? []), buttonsCard(choices)];
    return undefined;
  }
  activity.text = numberedText(activity.text, choices);
  return { choices };
}

/** Removes `<at>Bot</at>` (the bot's own mention) from a message's text. */
function stripRecipientMention(activity: Activity): void {
  // Done here rather than with TurnContext.removeRecipientMention, which throws on any mention
  // entity without a `mentioned` object: entities come from the caller, so read them defensively.
  const recipientId = activity.recipient?.id;
  if (typeof activity.text !== 'string' || typeof recipientId !== 'string') return;
  let text = activity.text;
  let stripped = false;
  for (const entity of Array.isArray(activity.entities) ? activity.entities : []) {
    if (entity?.type !== 'mention') continue;
    const { mentioned, text: surface } = entity as { mentioned?: unknown; text?: unknown };
    if (!mentioned || typeof mentioned !== 'object' || (mentioned as { id?: unknown }).id !== recipientId) continue;
    const name = (mentioned as { name?: unknown }).name;
    const mention = typeof surface === 'string' && surface ? surface : typeof name === 'string' && name ? `<at>${name}</at>` : undefined;
    if (!mention) continue;
    text = text.split(mention).join('');
    stripped = true;
  }
  if (stripped) activity.text = text.trim();
}
