import './runtimeCheck';
import { type BotApp, createApp } from './app';
import { loadConfig } from './config/config';
import { SupportBotError } from './errors';

/** Process entry point: configuration errors end the process with the setting to fix. */
async function main(): Promise<void> {
  let app: BotApp;
  try {
    app = await createApp(loadConfig());
  } catch (err) {
    if (err instanceof SupportBotError) {
      console.error(`Cannot start the bot [${err.code}]: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const { url } = await app.listen();
  app.logger.info({ url, messagingEndpoint: `${url}/api/messages` }, 'bot listening');

  // SIGTERM (Kubernetes, Docker, systemd) drains: no new requests, turns in flight finish within
  // SHUTDOWN_TIMEOUT_MS, locks and the database are released, telemetry is flushed. A second
  // signal, or a close that hangs well past the timeout, ends the process at once.
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) {
      app.logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    app.logger.info({ signal, timeoutMs: app.config.telemetry.shutdownTimeoutMs }, 'shutting down');
    setTimeout(() => {
      app.logger.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, app.config.telemetry.shutdownTimeoutMs + 15_000).unref();
    try {
      await app.close();
      app.logger.info('shut down cleanly');
      process.exit(0);
    } catch (err) {
      app.logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('Fatal error while starting the bot:', err);
  process.exit(1);
});
