import type { TurnContext } from 'botbuilder-core';
import type { HandoffRequest, HandoffRequester } from '../../dialogs/ports';
import type { Logger } from '../telemetry/logger';
import { Messages } from '../../dialogs/messages';

/**
 * The handoff used until an agent desk is configured: it is honest with the customer that no
 * agent is connected, and logs the request so operators can see the demand.
 */
export class LoggingHandoffRequester implements HandoffRequester {
  constructor(private readonly logger: Logger) {}

  async requestHandoff(context: TurnContext, request: HandoffRequest): Promise<void> {
    this.logger.info(
      {
        event: 'handoff.requested',
        reason: request.reason,
        intent: request.intent,
        orderId: request.orderId,
        channelId: context.activity.channelId,
        conversationId: context.activity.conversation?.id,
      },
      'customer asked for a human; no agent desk is configured',
    );
    await context.sendActivity(Messages.noAgentConnected);
  }
}
