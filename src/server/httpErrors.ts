import type restify from 'restify';
import type { ErrorCode } from '../errors';

/** The one JSON shape of every HTTP error the bot answers: `{ "error": { "code", "message" } }`. */
export interface HttpErrorBody {
  error: { code: ErrorCode; message: string };
}

/** The body of an HTTP error (for answers written without restify: the Slack receiver, restify's own errors). */
export function httpErrorBody(code: ErrorCode, message: string): HttpErrorBody {
  return { error: { code, message } };
}

/** Answers with an error in the one shape every route uses; `code` comes from the catalogue in src/errors.ts. */
export function sendHttpError(res: restify.Response, status: number, code: ErrorCode, message: string): void {
  res.status(status);
  res.json(httpErrorBody(code, message));
}
