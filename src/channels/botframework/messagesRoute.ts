import type { CloudAdapter, TurnContext } from 'botbuilder';
import type restify from 'restify';
import { checkActivityBody } from '../../server/activityBody';
import { sendHttpError } from '../../server/httpErrors';
import { checkActivityLimits, readJsonBody, type InboundLimits } from '../../server/inbound';
import type { Logger } from '../../telemetry/logger';

/** Where Azure Bot Service channels (Teams, Azure Direct Line) and the Emulator post activities. */
export const MESSAGES_PATH = '/api/messages';

export interface MessagesRouteDependencies {
  adapter: CloudAdapter;
  /** The bot's turn logic (`bot.run`). */
  logic: (context: TurnContext) => Promise<void>;
  logger: Logger;
  limits: InboundLimits;
}

/** POST /api/messages: the shared inbound gate, the activity checks, then the CloudAdapter. */
export function messagesHandler(deps: MessagesRouteDependencies): restify.RequestHandler {
  return async (req: restify.Request, res: restify.Response) => {
    // The shared inbound gate (src/server/inbound.ts): size, depth, text, attachments, shape.
    const body = await readJsonBody(req, deps.limits);
    if (!body.ok) {
      sendHttpError(res, body.refusal.status, body.refusal.code, body.refusal.message);
      return;
    }
    req.body = body.value;
    const problem = checkActivityBody(body.value);
    if (problem) {
      sendHttpError(res, 400, 'REQUEST_INVALID', problem);
      return;
    }
    // Text length is the one limit answered in the chat here: the callers of /api/messages are
    // authenticated channels (Teams, Azure Direct Line), whose users would otherwise see their
    // message vanish; the turn replies politely and the body size still bounds what is held.
    const refusal = checkActivityLimits(body.value as Record<string, unknown>, { ...deps.limits, maxMessageChars: Number.POSITIVE_INFINITY });
    if (refusal) {
      sendHttpError(res, refusal.status, refusal.code, refusal.message);
      return;
    }
    try {
      await deps.adapter.process(req, res, deps.logic);
    } catch (err) {
      deps.logger.error({ err }, 'failed to process activity');
      if (!res.headersSent) sendHttpError(res, 500, 'INTERNAL', 'The bot could not process this activity.');
    }
  };
}
