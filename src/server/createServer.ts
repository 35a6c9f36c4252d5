import type { ActivityHandler, CloudAdapter } from 'botbuilder';
import restify from 'restify';
import { metricsHandler, requestContextHandler, type MetricsSource } from '../telemetry/httpEdge';
import type { Logger } from '../telemetry/logger';
import { checkActivityBody } from './activityBody';
import type { HealthRegistry } from './health';
import { checkActivityLimits, DEFAULT_MAX_JSON_DEPTH, readJsonBody, type InboundLimits } from './inbound';

export interface ServerDependencies {
  adapter: CloudAdapter;
  bot: ActivityHandler;
  health: HealthRegistry;
  logger: Logger;
  /** Largest request body accepted on /api/messages; larger ones get 413. */
  maxBodyBytes: number;
  /** Most attachments one activity may carry; more get 400. */
  maxAttachments: number;
  /** Longest activity text on the Direct Line-style gate; /api/messages answers longer text politely in the chat. */
  maxMessageChars?: number;
  /** Deepest JSON nesting accepted; deeper gets 400 JSON_TOO_DEEP. */
  maxJsonDepth?: number;
  /** Served at GET /metrics (Prometheus); the route is absent when metrics are off. */
  metrics?: MetricsSource;
  /** When set, GET /metrics requires `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** True once shutdown began: every request then gets 503 and the connection closes. */
  isDraining?: () => boolean;
}

/** The fields restify's HTTP errors carry; `toJSON` decides the response body. */
type RestifyHttpError = Error & { statusCode?: number; toJSON?: () => unknown };

/** Sends a JSON error in the one shape every route uses. */
export function sendError(res: restify.Response, status: number, code: string, message: string): void {
  res.status(status);
  res.json({ error: { code, message } });
}

/**
 * The HTTP edge. Body parsing is per route, not global, so routes that verify signatures over
 * the raw body (Slack) can read it untouched.
 */
export function createServer(deps: ServerDependencies): restify.Server {
  const server = restify.createServer({ name: 'order-support-bot', handleUncaughtExceptions: false });
  const limits: InboundLimits = {
    maxBodyBytes: deps.maxBodyBytes,
    maxAttachments: deps.maxAttachments,
    maxMessageChars: deps.maxMessageChars ?? 2000,
    maxJsonDepth: deps.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH,
  };
  server.pre(requestContextHandler(deps.isDraining ?? (() => false), sendError));

  server.post('/api/messages', async (req: restify.Request, res: restify.Response) => {
    // The shared inbound gate (src/server/inbound.ts): size, depth, text, attachments, shape.
    const body = await readJsonBody(req, limits);
    if (!body.ok) {
      sendError(res, body.refusal.status, body.refusal.code, body.refusal.message);
      return;
    }
    req.body = body.value;
    const problem = checkActivityBody(body.value);
    if (problem) {
      sendError(res, 400, 'REQUEST_INVALID', problem);
      return;
    }
    // Text length is the one limit answered in the chat here: the callers of /api/messages are
    // authenticated channels (Teams, Azure Direct Line), whose users would otherwise see their
    // message vanish; the turn replies politely and the body size still bounds what is held.
    const refusal = checkActivityLimits(body.value as Record<string, unknown>, { ...limits, maxMessageChars: Number.POSITIVE_INFINITY });
    if (refusal) {
      sendError(res, refusal.status, refusal.code, refusal.message);
      return;
    }
    try {
      await deps.adapter.process(req, res, (context) => deps.bot.run(context));
    } catch (err) {
      deps.logger.error({ err }, 'failed to process activity');
      if (!res.headersSent) sendError(res, 500, 'INTERNAL', 'The bot could not process this activity.');
    }
  });

  server.get('/healthz', async (_req: restify.Request, res: restify.Response) => {
    res.json({ status: 'ok' });
  });

  if (deps.metrics) server.get('/metrics', metricsHandler(deps.metrics, deps.metricsToken, sendError));

  server.get('/readyz', async (_req: restify.Request, res: restify.Response) => {
    const report = await deps.health.readiness();
    res.status(report.ready ? 200 : 503);
    res.json({ status: report.ready ? 'ready' : 'not_ready', checks: report.checks });
  });

  // restify's own errors (bad JSON, 413, 404, 405) in the same JSON shape as ours.
  server.on('restifyError', (req: restify.Request, _res: restify.Response, err: RestifyHttpError, callback: () => void) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) deps.logger.error({ err, url: req.url }, 'request failed');
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 404 ? 'NOT_FOUND' : status >= 500 ? 'INTERNAL' : 'REQUEST_INVALID';
    err.toJSON = () => ({ error: { code, message: status >= 500 ? 'Internal error' : err.message } });
    callback();
  });

  return server;
}
