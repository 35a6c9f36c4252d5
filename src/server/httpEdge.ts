import { AsyncResource } from 'node:async_hooks';
import { timingSafeEqual } from 'node:crypto';
import type restify from 'restify';
import { requestIdFrom, withLogContext } from '../telemetry/logContext';
import { sendHttpError } from './httpErrors';

/** What GET /metrics serves: Prometheus exposition text. */
export interface MetricsSource {
  render(): Promise<string>;
  readonly contentType: string;
}

/**
 * A `server.pre` handler for every request: gives it a request id (the caller's `x-request-id`
 * when well formed, else a new one), echoed in the response and on every log line written
 * while it is handled. Once shutdown has begun it refuses the request with 503 and closes the
 * connection, so clients and load balancers move to another instance.
 */
export function requestContextHandler(isDraining: () => boolean): restify.RequestHandler {
  return (req: restify.Request, res: restify.Response, next: restify.Next) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    if (isDraining()) {
      res.setHeader('connection', 'close');
      sendHttpError(res, 503, 'SHUTTING_DOWN', 'The bot is shutting down; retry in a moment (another instance may answer).');
      return next(false);
    }
    return withLogContext({ requestId }, () => {
      // Body parsers continue the handler chain from the request's 'data'/'end' events, which
      // Node runs in the socket's async context, not ours: binding `emit` carries the request
      // id into every later handler of this request (any route, any body parser).
      req.emit = AsyncResource.bind(req.emit.bind(req));
      return next();
    });
  };
}

/** GET /metrics, behind a bearer token when one is configured. */
export function metricsHandler(metrics: MetricsSource, token: string | undefined): restify.RequestHandler {
  const expected = token === undefined ? undefined : Buffer.from(`Bearer ${token}`);
  return async (req: restify.Request, res: restify.Response) => {
    if (expected && !sameSecret(expected, req.headers.authorization)) {
      sendHttpError(res, 401, 'METRICS_UNAUTHORIZED', 'Send "Authorization: Bearer <METRICS_TOKEN>" to read metrics.');
      return;
    }
    const body = await metrics.render();
    res.setHeader('content-type', metrics.contentType);
    res.setHeader('cache-control', 'no-store');
    res.sendRaw(200, body);
  };
}

/** Constant-time comparison, so response timing does not reveal the token. */
function sameSecret(expected: Buffer, given: string | undefined): boolean {
  const actual = Buffer.from(given ?? '');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
