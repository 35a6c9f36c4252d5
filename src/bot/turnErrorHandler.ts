import type { TurnContext } from 'botbuilder';
import { Messages } from '../../dialogs/messages';
import type { Logger } from '../telemetry/logger';

/**
 * The one error sink for turns: log everything, tell the customer something true and short,
 * never show internals. In development the Emulator also gets a trace with the message.
 */
export function createTurnErrorHandler(logger: Logger, showTraces: boolean) {
  return async (context: TurnContext, error: Error): Promise<void> => {
    const activity = context.activity;
    logger.error(
      {
        err: error,
        channelId: activity.channelId,
        conversationId: activity.conversation?.id,
        activityId: activity.id,
      },
      'unhandled error in turn',
    );
    try {
      await context.sendActivity(Messages.turnError);
      if (showTraces && activity.channelId === 'emulator') {
        await context.sendTraceActivity('OnTurnError Trace', error.message, 'https://www.botframework.com/schemas/error', 'TurnError');
      }
    } catch (sendError) {
      logger.error({ err: sendError, conversationId: activity.conversation?.id }, 'could not tell the customer about a turn error');
    }
  };
}
