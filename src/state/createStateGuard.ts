import type { BotState } from 'botbuilder';
import type { Dialog } from 'botbuilder-dialogs';
import type { ConversationEvents } from '../../dialogs/conversationEvents';
import { StateKeys, UserStateKeys } from '../bot/SupportBot';
import { OFFERED_CHOICES_PROPERTY } from '../channels/channelMiddleware';
import type { NewerStatePolicy } from '../config/state';
import type { Logger } from '../telemetry/logger';
import { StateGuard } from './StateGuard';

/**
 * The bot's {@link StateGuard}: the dialog stack, the main dialog's flags and the offered
 * choices are the dialogs' state (reset together); the handoff pointer and recent lines are not.
 */
export function createStateGuard(deps: {
  conversationState: BotState;
  userState: BotState;
  root: Dialog;
  events: ConversationEvents;
  logger: Logger;
  newerVersion: NewerStatePolicy;
}): StateGuard {
  return new StateGuard({
    ...deps,
    dialogStateProperty: StateKeys.dialogState,
    dialogProperties: [StateKeys.dialogState, StateKeys.mainFlags, OFFERED_CHOICES_PROPERTY],
    profileProperty: UserStateKeys.profile,
  });
}
