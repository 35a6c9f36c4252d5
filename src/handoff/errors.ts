import { SupportBotError } from '../errors';

/** Stable codes of every handoff error (also listed in the README's error table). */
export type HandoffErrorCode =
  | 'HANDOFF_TICKET_NOT_FOUND'
  | 'HANDOFF_INVALID_TRANSITION'
  | 'HANDOFF_ALREADY_CLAIMED'
  | 'HANDOFF_NOT_OWNER'
  | 'HANDOFF_CONFLICT'
  | 'HANDOFF_DESK_UNAVAILABLE'
  | 'HANDOFF_DELIVERY_FAILED';

/** An error of the handoff layer; `code` tells callers (and agents) what happened. */
export class HandoffError extends SupportBotError {
  constructor(
    override readonly code: HandoffErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** True when `error` is a handoff error with the given code. */
export function isHandoffError(error: unknown, code?: HandoffErrorCode): error is HandoffError {
  return error instanceof HandoffError && (code === undefined || error.code === code);
}
