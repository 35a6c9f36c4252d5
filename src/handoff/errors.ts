import { SupportBotError, type ErrorCode } from '../errors';

/** Stable codes of every handoff error: the HANDOFF_* part of the product's one catalogue. */
export type HandoffErrorCode = Extract<ErrorCode, `HANDOFF_${string}`>;

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
