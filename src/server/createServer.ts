import restify from 'restify';
import type { Logger } from '../telemetry/logger';
import type { HealthRegistry } from './health';
import { metricsHandler, requestContextHandler, type MetricsSource } from './httpEdge';
import { httpErrorBody } from './httpErrors';

export interface ServerDependencies {
  health: HealthRegistry;
  logger: Logger;
  /** Served at GET /metrics (Prometheus); the route is absent when metrics are off. */
  metrics?: MetricsSource;
  /** When set, GET /metrics requires `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** True once shutdown began: every request then gets 503 and the connection closes. */
  isDraining?: () => boolean;
}

/** The fields restify's HTTP errors carry; `toJSON` decides the response body. */
type RestifyHttpError = Error & { statusCode?: number; toJSON?: () => unknown };

/**
 * The HTTP edge: request ids and draining for every request, health, readiness and metrics.
 * Each channel mounts its own routes (src/channels/*). Body parsing is per route, not global,
 * so routes that verify signatures over the raw body (Slack) can read it untouched.
 */
export function createServer(deps: ServerDependencies): restify.Server {
  const server = restify.createServer({ name: 'order-support-bot', handleUncaughtExceptions: false });
  server.pre(requestContextHandler(deps.isDraining ?? (() => false)));

  server.get('/healthz', async (_req: restify.Request, res: restify.Response) => {
    res.json({ status: 'ok' });
  });

  if (deps.metrics) server.get('/metrics', metricsHandler(deps.metrics, deps.metricsToken));

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
    err.toJSON = () => httpErrorBody(code, status >= 500 ? 'Internal error' : err.message);
    callback();
  });

  return server;
}
