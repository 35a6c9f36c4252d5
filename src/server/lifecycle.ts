import type { AddressInfo } from 'node:net';
import type restify from 'restify';
import type { Logger } from '../telemetry/logger';
import type { TurnTracker } from '../telemetry/turnTracker';

/** Starts listening on host:port (port 0 picks a free one); resolves with the port and a URL to reach it. */
export function listenOn(server: restify.Server, port: number, host: string): Promise<{ port: number; url: string }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      resolve({ port: address.port, url: `http://${shown}:${address.port}` });
    });
  });
}

/** After the last turn, how long responses may take to reach their clients before sockets are cut. */
const RESPONSE_GRACE_MS = 1000;

/**
 * Graceful stop of the HTTP side: stop accepting connections, close idle keep-alive ones, wait
 * (at most `timeoutMs`) for turns in flight, give their responses a moment to be written, then
 * close whatever is left. Requests arriving meanwhile on open connections are refused with 503
 * by the request-context handler, which the caller switches to draining first.
 */
export async function drainAndStop(server: restify.Server, turns: TurnTracker, timeoutMs: number, logger: Logger): Promise<void> {
  const http = server.server;
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  http.closeIdleConnections();
  const started = Date.now();
  const drained = await turns.drain(timeoutMs);
  if (drained) {
    logger.info({ ms: Date.now() - started }, 'turns in flight finished');
  } else {
    logger.warn({ inFlight: turns.inFlight, timeoutMs }, 'shutdown timeout: closing with turns still in flight');
  }
  // Keep-alive connections turn idle once their last response is written: close them as they do.
  let closed = false;
  void stopped.then(() => (closed = true));
  for (let waited = 0; !closed && waited < RESPONSE_GRACE_MS; waited += IDLE_POLL_MS) {
    http.closeIdleConnections();
    await Promise.race([stopped, delay(IDLE_POLL_MS)]);
  }
  if (!closed) http.closeAllConnections();
  await stopped;
}

const IDLE_POLL_MS = 25;

/**
 * Runs the closers in reverse order of registration (what was opened last closes first), each
 * one isolated: a failing closer is logged and the others still run.
 */
export async function runClosers(closers: Array<() => Promise<void>>, logger: Logger): Promise<void> {
  for (const close of [...closers].reverse()) {
    try {
      await close();
    } catch (err) {
      logger.error({ err }, 'a resource failed to close');
    }
  }
}

/** Not unref'd: while closing, these timers may be all that keeps the process alive to finish. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
