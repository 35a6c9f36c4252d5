import type restify from 'restify';
import type { AppConfig } from '../../config/config';
import type { DirectLineConfig } from '../../config/directline';
import type { InboundLimits } from '../../server/inbound';
import type { SessionGate } from '../../server/sessionGate';
import type { Logger } from '../../telemetry/logger';
import type { Channel, ChannelModule, TurnRunner } from '../Channel';
import { verifiedIdentityMiddleware } from '../identity';
import { directLineCors } from './cors';
import { DirectLineAdapter, type DirectLineBotIdentity } from './DirectLineAdapter';
import { mountDirectLineRoutes } from './routes';
import type { DirectLineStore } from './store';
import { StreamHub } from './StreamHub';
import { attachStreamUpgrade } from './streamUpgrade';
import { DirectLineTokens } from './tokens';
import { AzureTokenSource, SelfHostedTokenSource, type WebChatTokenSource } from './tokenSources';
import { mountWebChatPage } from './webchatPage';

export { DirectLineAdapter } from './DirectLineAdapter';
export { DirectLineTokens } from './tokens';
export { MemoryDirectLineStore } from './MemoryDirectLineStore';
export type { DirectLineStore } from './store';

export interface DirectLineOptions {
  config: DirectLineConfig;
  logger: Logger;
  bot: DirectLineBotIdentity;
  /** The bot's turns (`bot.run`). */
  logic: TurnRunner['run'];
  /** The activity log (MongoDB shared by every instance, or this process's memory); required in self-hosted mode. */
  store?: DirectLineStore;
  /** The shared inbound gate's limits, the same as /api/messages'. */
  limits: InboundLimits;
  /** Rations tokens and new conversations per client address and globally. */
  sessions: SessionGate;
  /** WEBCHAT_USER_TOKEN_SECRET: the token route accepts host-signed user tokens (self-hosted mode). */
  userTokenSecret?: string;
}

/** The self-hosted Direct Line and the Web Chat page, built but not yet mounted. */
export interface DirectLineChannel extends Channel {
  /** Undefined in Azure mode (Azure is the Direct Line service then). */
  readonly adapter?: DirectLineAdapter;
  readonly store?: DirectLineStore;
  readonly hub?: StreamHub;
}

/** Web Chat (DIRECTLINE_ENABLED): the page, and in self-hosted mode the Direct Line 3.0 endpoint. */
export const directLineChannel: ChannelModule<DirectLineChannel> = {
  name: 'directline',
  enabled: (config) => config.directLine.enabled,
  // Without credentials /api/messages is unauthenticated: it must not speak in this endpoint's conversations.
  ownedChannelIds: (config: AppConfig) => (config.directLine.mode === 'self-hosted' && !config.auth.MicrosoftAppId ? ['directline'] : []),
  create: async ({ config, logger, bot, stores, limits, sessions }) =>
    createDirectLineChannel({
      config: config.directLine,
      logger,
      bot: { id: config.auth.MicrosoftAppId || 'order-support-bot', name: 'Order assistant' },
      logic: (context) => bot.run(context),
      ...(stores.directLine ? { store: stores.directLine } : {}),
      limits,
      sessions,
      userTokenSecret: config.verification.webchatUserTokenSecret,
    }),
};

/**
 * Builds the Web Chat channel: in self-hosted mode the Direct Line 3.0 endpoint (adapter,
 * activity log, streams, tokens) plus the page; in Azure mode only the page and a token route
 * that asks Azure.
 */
export function createDirectLineChannel(options: DirectLineOptions): DirectLineChannel {
  const { config, logger } = options;
  if (config.mode === 'azure') {
    const tokenSource = new AzureTokenSource({ endpoint: config.azureEndpoint as string, secret: config.azureSecret as string });
    return {
      name: 'directline',
      ownMiddleware: [],
      mount: (server) => mountPage(server, options, tokenSource),
      start: async () => undefined,
      close: async () => undefined,
    };
  }

  const store = options.store;
  if (!store) throw new Error('createDirectLineChannel: the self-hosted Direct Line needs its activity store.');
  const tokens = new DirectLineTokens({ secret: config.secret, ttlSeconds: config.tokenTtlSeconds });
  const hub = new StreamHub(store, logger, config.pollIntervalMs);
  const adapter = new DirectLineAdapter({
    store,
    bot: options.bot,
    serviceUrl: config.publicUrl ?? 'http://localhost',
    onAppended: (conversationId) => hub.notify(conversationId),
  });
  if (config.secretGenerated) {
    logger.warn('DIRECTLINE_SECRET is not set: using a random secret for this run (tokens die with the process; set it in production)');
  }
  // Azure's Direct Line uses the same channel id; the self-hosted one's service URL tells them apart.
  const serviceUrl = config.publicUrl ?? 'http://localhost';
  let detach: (() => void) | undefined;
  return {
    name: 'directline',
    adapter,
    store,
    hub,
    // Web Chat users signed in by the host page are trusted (their tokens are checked here).
    ownMiddleware: [verifiedIdentityMiddleware('directline', true)],
    proactive: {
      owns: (reference) => reference.channelId === adapter.channelId && reference.serviceUrl === serviceUrl,
      continueConversation: (reference, logic) => adapter.continueConversationAsync('', reference, logic),
    },
    mount: (server) => {
      const { logic, limits, sessions } = options;
      mountDirectLineRoutes(server, { adapter, store, tokens, logic, logger, publicUrl: config.publicUrl, limits, sessions });
      detach = attachStreamUpgrade(server.server, { tokens, store, hub, logger });
      mountPage(server, options, new SelfHostedTokenSource(tokens));
    },
    start: async () => undefined,
    // Open WebSocket streams would keep the server from closing: they end before it drains.
    disconnect: async () => {
      detach?.();
      await hub.close();
      await store.close();
    },
    close: async () => undefined,
  };
}

function mountPage(server: restify.Server, options: DirectLineOptions, tokenSource: WebChatTokenSource): void {
  // CORS (and preflights) for the token route and the Direct Line API, before any route runs.
  const { allowedOrigins, publicUrl } = options.config;
  const trustForwarded = (options.sessions?.limits.trustProxyHops ?? 0) > 0;
  server.pre(directLineCors({ allowedOrigins, trustForwarded, ...(publicUrl ? { publicUrl } : {}) }));
  mountWebChatPage(server, {
    tokenSource,
    logger: options.logger,
    publicUrl: options.config.publicUrl,
    azureEndpoint: options.config.azureEndpoint,
    allowedOrigins: options.config.allowedOrigins,
    userTokenSecret: options.userTokenSecret,
    sessions: options.sessions,
  });
}
