import type { ConnectorClient } from 'botframework-connector';
import {
  type BotState,
  CloudAdapter,
  type ConversationParameters,
  type Middleware,
  type Storage,
  type StatePropertyAccessor,
  type TurnContext,
} from 'botbuilder';
import { type Dialog, type DialogState, DialogSet } from 'botbuilder-dialogs';
import { StateKeys } from '../bot/SupportBot';
import { OFFERED_CHOICES_PROPERTY } from '../channels/channelMiddleware';
import { SlackAdapter } from '../channels/slack/SlackAdapter';
import { HandoffStateKeys } from '../handoff/stateKeys';
import { STATE_VERSION, STATE_VERSION_KEY, TURN_FAILURE_KEY } from '../state/schema';
import type { GroupsConfig } from '../config/groups';
import type { Logger } from '../telemetry/logger';
import { GroupConversations, type PrivateChatOpener, privateReference } from './GroupConversations';
import { GroupStateSplit } from './GroupStateSplit';

export interface GroupLayerOptions {
  config: GroupsConfig;
  storage: Storage;
  /** The bot's ParticipantConversationState. */
  conversationState: BotState;
  /** The root dialog and its stack accessor (to ask the current question again in a private chat). */
  dialog: Dialog;
  dialogState: StatePropertyAccessor<DialogState>;
  /** The Bot Framework app id (MicrosoftAppId) for Teams proactive messages; '' without one. */
  appId: string;
  /** Latest stored reference of a conversation (who spoke last). */
  latestReference: (conversationId: string) => Promise<{ user?: { id?: string } } | undefined>;
  logger: Logger;
}

/** Group conversation support, as two middleware for app.ts to place (see each class). */
export interface GroupLayer {
  /** Between the storage layer and the channel middleware. */
  split: Middleware;
  /** After the state guard, just before the bot. */
  conversations: Middleware;
}

/** A person's form: the dialog stack, the main dialog's flags and the offered numbered choices. */
const FORM_PROPERTIES = [StateKeys.dialogState, StateKeys.mainFlags, OFFERED_CHOICES_PROPERTY] as const;

export function createGroupLayer(options: GroupLayerOptions): GroupLayer {
  const logger = options.logger.child({ component: 'groups' });
  const split = new GroupStateSplit({
    storage: options.storage,
    participantState: options.conversationState,
    // The handoff gate and the failure record belong to the person too.
    personalProperties: [...FORM_PROPERTIES, ...Object.values(HandoffStateKeys), TURN_FAILURE_KEY],
    versionProperty: STATE_VERSION_KEY,
    version: STATE_VERSION,
    lastSpeaker: async (conversationId) => (await options.latestReference(conversationId))?.user?.id,
    logger,
  });
  const conversations = new GroupConversations({
    conversationState: options.conversationState,
    formProperties: FORM_PROPERTIES,
    versionProperty: STATE_VERSION_KEY,
    reprompt: async (context) => {
      const dialogs = new DialogSet(options.dialogState);
      dialogs.add(options.dialog);
      const dc = await dialogs.createContext(context);
      if (!dc.activeDialog) return false;
      await dc.repromptDialog();
      return true;
    },
    openPrivateChat: privateChatOpener(options.appId),
    orderDetails: options.config.orderDetails,
    logger,
  });
  return { split, conversations };
}

/** Teams: a personal chat created through the Bot Connector; Slack: the bot's DM (conversations.open). */
function privateChatOpener(appId: string): PrivateChatOpener {
  return async (context: TurnContext, logic) => {
    const { activity } = context;
    const adapter = context.adapter;
    const user = activity.from;
    if (!user?.id) throw new Error('the message names no sender');
    if (adapter instanceof SlackAdapter) {
      const conversationId = await adapter.openDirectConversation(user.id);
      await adapter.continueConversationAsync('', privateReference(context, conversationId), logic);
      return;
    }
    if (adapter instanceof CloudAdapter && activity.channelId === 'msteams') {
      const connector = context.turnState.get<ConnectorClient | undefined>(adapter.ConnectorClientKey);
      if (!connector) throw new Error('no Bot Connector client in this turn');
      const tenantId = activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
      const parameters = {
        isGroup: false,
        bot: activity.recipient,
        members: [user],
        ...(tenantId ? { tenantId, channelData: { tenant: { id: tenantId } } } : {}),
      } as ConversationParameters;
      // Teams answers 403 when the app is not installed for the person: the caller says so.
      const created = await connector.conversations.createConversation(parameters);
      const reference = privateReference(context, created.id);
      if (tenantId && reference.conversation) reference.conversation.tenantId = tenantId;
      await adapter.continueConversationAsync(appId, reference, logic);
      return;
    }
    throw new Error(`no private chat on channel ${activity.channelId ?? '?'}`);
  };
}
