import { createApp } from './app';
import { loadConfig } from './config/config';
import { SupportBotError } from './errors';

/** Process entry point: configuration errors end the process with the setting to fix. */
async function main(): Promise<void> {
  let app;
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

  const shutdown = async (signal: string): Promise<void> => {
    app.logger.info({ signal }, 'shutting down');
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('Fatal error while starting the bot:', err);
  process.exit(1);
});
