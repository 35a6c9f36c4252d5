/**
 * A test-only bot process for the multi-instance proof: every message increments a counter in
 * ConversationState and the reply is the new value. It uses the product's storage layer,
 * configuration and CloudAdapter, so it runs turns exactly as the real bot does, minus dialogs.
 */
import { ActivityHandler, ConversationState } from 'botbuilder';
import restify from 'restify';
import { createCloudAdapter } from '../../src/channels/botframework/adapter';
import { loadConfig } from '../../src/config/config';
import { createStorageLayer } from '../../src/storage/createStorageLayer';

async function main(): Promise<void> {
  const config = loadConfig();
  const layer = await createStorageLayer(config.storage, {
    onBackgroundError: (error, what) => console.error(`background ${what} error`, error),
  });
  const conversationState = new ConversationState(layer.storage);
  const count = conversationState.createProperty<number>('count');
  const adapter = createCloudAdapter(config.auth);
  adapter.onTurnError = async (context, error) => {
    console.error('turn error', error);
    await context.sendActivity(`error: ${error.message}`);
  };
  for (const middleware of layer.middleware([conversationState])) adapter.use(middleware);

  const bot = new ActivityHandler();
  bot.onMessage(async (context, next) => {
    const next_ = (await count.get(context, 0)) + 1;
    await count.set(context, next_);
    await context.sendActivity(String(next_));
    await next();
  });

  const server = restify.createServer();
  server.use(restify.plugins.bodyParser());
  server.post('/api/messages', async (req: restify.Request, res: restify.Response) => {
    await adapter.process(req, res, (context) => bot.run(context));
  });
  server.listen(config.port, config.host, () => {
    const { port } = server.address() as { port: number };
    console.log(`counter bot listening on http://127.0.0.1:${port}`);
  });
  process.once('SIGTERM', () => {
    server.close();
    void layer.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
