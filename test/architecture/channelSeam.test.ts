import { strict as assert } from 'node:assert';
import type { AddressInfo } from 'node:net';
import { type Activity, BotAdapter, type ConversationReference, type Middleware, type ResourceResponse, TurnContext } from 'botbuilder';
import restify from 'restify';
import type { Channel, ChannelContext, ChannelModule } from '../../src/channels/Channel';
import { openChannels, reservedChannelIds } from '../../src/composition/channels';
import { loadConfig } from '../../src/config/config';
import { ChannelMessenger } from '../../src/handoff/CustomerMessenger';
import { MemoryRateLimitStore } from '../../src/server/rateLimitStore';
import { SessionGate } from '../../src/server/sessionGate';
import { NoopBotMetrics } from '../../src/telemetry/metrics';
import { silentLogger } from '../support/testBot';
import { TEST_APP_ENV } from '../support/testApp';

/** A channel's adapter as small as botbuilder allows: turns run through the real middleware pipeline. */
class EchoAdapter extends BotAdapter {
  readonly sent: string[] = [];

  async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    for (const activity of activities) this.sent.push(activity.text ?? '');
    return activities.map((_, i) => ({ id: String(i) }));
  }
  async updateActivity(): Promise<void> {}
  async deleteActivity(): Promise<void> {}
  async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: 'event', name: 'proactive' }, reference, true);
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
  /** Runs a message turn through the middleware, then `logic`. */
  async receive(text: string, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const activity: Partial<Activity> = { type: 'message', text, channelId: 'echo', conversation: { id: 'c1' } as Activity['conversation'] };
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
}

/** Records the order the middleware ran in. */
function recorder(name: string, seen: string[]): Middleware {
  return {
    onTurn: async (_context, next) => {
      seen.push(name);
      await next();
    },
  };
}

/** A new channel, written the way docs/architecture.md says: one module implementing ChannelModule. */
function echoChannelModule(seen: string[], closed: string[]): ChannelModule<Channel & { adapter: EchoAdapter }> {
  return {
    name: 'echo',
    enabled: () => true,
    ownedChannelIds: () => ['echo'],
    async create(context) {
      const adapter = new EchoAdapter();
      return {
        name: 'echo',
        adapter,
        ownMiddleware: [recorder('echo-own', seen)],
        proactive: {
          owns: (reference) => reference.channelId === 'echo',
          continueConversation: (reference, logic) => adapter.continueConversation(reference, logic),
        },
        mount: (server) => {
          server.post('/api/echo', async (_req: restify.Request, res: restify.Response) => {
            await adapter.receive('hi', (turn) => context.bot.run(turn));
            res.json({ sent: adapter.sent });
          });
        },
        start: async () => undefined,
        close: async () => {
          closed.push('echo');
        },
      };
    },
  };
}

const disabledModule: ChannelModule = {
  name: 'off',
  enabled: () => false,
  ownedChannelIds: () => ['off'],
  create: async () => {
    throw new Error('a disabled channel must not be built');
  },
};

describe('the Channel seam', () => {
  const config = loadConfig({ ...TEST_APP_ENV });
  let server: restify.Server;

  beforeEach(() => {
    server = restify.createServer();
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function contextFor(bot: ChannelContext['bot']): ChannelContext {
    return {
      config,
      logger: silentLogger,
      stores: {},
      bot,
      onTurnError: async (_context, error) => {
        throw error;
      },
      limits: { maxBodyBytes: 1024, maxJsonDepth: 8, maxMessageChars: 100, maxAttachments: 1 },
      sessions: new SessionGate(new MemoryRateLimitStore(), { perAddressPerMinute: 0, perMinute: 0, trustProxyHops: 0 }),
      reservedChannelIds: [],
      metrics: new NoopBotMetrics(),
    };
  }

  it('should attach a new channel from its module alone: shared middleware in order, then its own, its route, proactive routing and close', async () => {
    const seen: string[] = [];
    const closed: string[] = [];
    const closers: Array<() => Promise<void>> = [];
    const messenger = new ChannelMessenger();
    const module = echoChannelModule(seen, closed);
    const bot = {
      run: async (context: TurnContext) => {
        seen.push('bot');
        await context.sendActivity(`echo: ${context.activity.text ?? context.activity.name}`);
      },
    };
    const channels = await openChannels([module, disabledModule], contextFor(bot), {
      server,
      middleware: [recorder('first', seen), recorder('second', seen)],
      messenger,
      closers,
    });

    assert.deepEqual(
      channels.all.map((c) => c.name),
      ['echo'],
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/echo`, { method: 'POST' });
    assert.deepEqual(await response.json(), { sent: ['echo: hi'] });
    assert.deepEqual(seen, ['first', 'second', 'echo-own', 'bot']);

    // Proactive messages for its conversations go through its adapter (and the same middleware).
    seen.length = 0;
    await messenger.send({ channelId: 'echo', conversation: { id: 'c1' } as ConversationReference['conversation'] }, [
      { type: 'message', text: 'from an agent' },
    ]);
    assert.deepEqual(channels.get(module)?.adapter.sent, ['echo: hi', 'from an agent']);
    assert.deepEqual(seen, ['first', 'second', 'echo-own']);

    for (const close of closers) await close();
    assert.deepEqual(closed, ['echo']);
  });

  it('should reserve only the channel ids of enabled channels for /api/messages to refuse', () => {
    assert.deepEqual(reservedChannelIds([echoChannelModule([], []), disabledModule], config), ['echo']);
  });
});
