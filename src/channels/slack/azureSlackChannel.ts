import { ActionTypes, CardFactory, type Activity, type Middleware, type TurnContext } from 'botbuilder';

const AZURE_SLACK_CHANNEL_ID = 'slack';

/**
 * For bots connected to Slack through Azure Bot Service's Slack channel (activities with
 * channelId "slack" arriving at /api/messages through the CloudAdapter), not the native bridge:
 *
 * - inbound, a leading @mention of the bot (`<@U123> where is ...` or a mention entity) is
 *   removed so the recognizer reads the question;
 * - outbound, suggested actions become hero-card imBack buttons, because that channel does not
 *   show suggested actions (botbuilder's own channel table says Slack supports card actions
 *   only). The reply text is left exactly as the dialogs wrote it.
 *
 * Activities of every other channel pass through untouched.
 */
export class AzureSlackChannelMiddleware implements Middleware {
  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    if (context.activity.channelId !== AZURE_SLACK_CHANNEL_ID) {
      await next();
      return;
    }
    if (typeof context.activity.text === 'string') {
      context.activity.text = stripLeadingMention(context.activity);
    }
    context.onSendActivities(async (_context, activities, sendNext) => {
      for (const activity of activities) moveSuggestedActionsToCard(activity);
      return sendNext();
    });
    await next();
  }
}

function stripLeadingMention(activity: Partial<Activity>): string {
  const withoutEntity = activity.entities?.some((e) => e.type === 'mention') ? removeMentionEntities(activity) : (activity.text ?? '');
  return withoutEntity.replace(/^\s*<@[A-Z0-9]+(?:\|[^>]*)?>[,:]?\s*/i, '').trim();
}

function removeMentionEntities(activity: Partial<Activity>): string {
  let text = activity.text ?? '';
  for (const entity of activity.entities ?? []) {
    const mentioned = (entity as { mentioned?: { id?: string }; text?: string }).mentioned;
    const mentionText = (entity as { text?: string }).text;
    if (entity.type === 'mention' && mentioned?.id === activity.recipient?.id && mentionText) {
      text = text.replace(mentionText, '');
    }
  }
  return text;
}

function moveSuggestedActionsToCard(activity: Partial<Activity>): void {
  const actions = activity.suggestedActions?.actions ?? [];
  if (activity.type !== 'message' || actions.length === 0) return;
  const buttons = actions.map((a) => ({
    type: a.type === ActionTypes.OpenUrl ? ActionTypes.OpenUrl : ActionTypes.ImBack,
    title: a.title,
    value: a.value ?? a.title,
  }));
  activity.attachments = [...(activity.attachments ?? []), CardFactory.heroCard('', undefined, buttons)];
  delete activity.suggestedActions;
}
