import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import restify from 'restify';

/**
 * The baseline for `npm run bench`: the barest botbuilder bot on the same HTTP stack as ours
 * (restify + CloudAdapter + expectReplies). It echoes each message and keeps no state.
 */
const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
const bot = new ActivityHandler();
bot.onMessage(async (context, next) => {
  await context.sendActivity(`You said: ${context.activity.text}`);
  await next();
});

const server = restify.createServer();
server.post('/api/messages', ...restify.plugins.bodyParser({ mapParams: false }), async (req: restify.Request, res: restify.Response) => {
  await adapter.process(req, res, (context) => bot.run(context));
});
server.get('/healthz', async (_req: restify.Request, res: restify.Response) => {
  res.json({ status: 'ok' });
});
// Same route as the bot's, so `npm run bench` times both cold starts to the same answer.
server.get('/readyz', async (_req: restify.Request, res: restify.Response) => {
  res.json({ ready: true });
});
server.listen(Number(process.env.PORT ?? 3990), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
