import type { TurnContext } from 'botbuilder';
import type restify from 'restify';
import type { DirectLineConfig } from '../../config/directline';
import type { InboundLimits } from '../../server/inbound';
import type { SessionGate } from '../../server/sessionGate';
import type { Logger } from '../../telemetry/logger';
import { directLineCors } from './cors';
import { DirectLineAdapter, type DirectLineBotIdentity } from './DirectLineAdapter';
import { mountDirectLineRoutes } from './routes';
import type { DirectLineStore, DirectLineStoreLimits } from './store';
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
  /** Opens the activity log (src/storage's `createStores`: MongoDB shared by every instance, or memory). */
  openStore: (limits: DirectLineStoreLimits) => DirectLineStore;
  /** The shared inbound gate's limits, the same as /api/messages'. */
  limits: InboundLimits;
  /** Rations tokens and new conversations per client address and globally. */
  sessions: SessionGate;
  /** WEBCHAT_USER_TOKEN_SECRET: the token route accepts host-signed user tokens (self-hosted mode). */
  userTokenSecret?: string;
}

/** The self-hosted Direct Line and the Web Chat page, built but not yet mounted. */
export interface DirectLineChannel {
  /** Undefined in Azure mode (Azure is the Direct Line service then). */
  readonly adapter?: DirectLineAdapter;
  readonly store?: DirectLineStore;
  readonly hub?: StreamHub;
  /** Adds the routes, the WebSocket upgrade and the page to a server; `logic` is `bot.run`. */
  mount(server: restify.Server, logic: (context: TurnContext) => Promise<void>): void;
  close(): Promise<void>;
}

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
      mount: (server) => mountPage(server, options, tokenSource),
      close: async () => undefined,
    };
  }

  const limits = {
    maxActivitiesPerConversation: config.maxActivitiesPerConversation,
    historyTtlSeconds: config.historyTtlSeconds,
    maxConversationBytes: config.maxConversationBytes,
    maxMemoryBytes: config.maxMemoryBytes,
  };
  const store: DirectLineStore = options.openStore(limits);
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
  let detach: (() => void) | undefined;
  return {
    adapter,
    store,
    hub,
    mount: (server, logic) => {
      mountDirectLineRoutes(server, { adapter, store, tokens, logic, logger, publicUrl: config.publicUrl, limits: options.limits, sessions: options.sessions });
      detach = attachStreamUpgrade(server.server, { tokens, store, hub, logger });
      mountPage(server, options, new SelfHostedTokenSource(tokens));
    },
    close: async () => {
      detach?.();
      await hub.close();
      await store.close();
    },
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
