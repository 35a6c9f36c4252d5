import type { Middleware } from 'botbuilder';
import type restify from 'restify';
import type { Channel, ChannelContext, ChannelModule } from '../channels/Channel';
import type { AppConfig } from '../config/config';
import type { ChannelMessenger } from '../handoff/CustomerMessenger';
import type { InboundLimits } from '../server/inbound';
import type { RateLimitStore } from '../server/rateLimitStore';
import { SessionGate } from '../server/sessionGate';

/** What every channel is attached to. */
export interface ChannelWiring {
  server: restify.Server;
  /** The one middleware list, the same on every adapter and in the same order. */
  middleware: readonly Middleware[];
  /** The handoff desk's proactive messenger, when the desk is enabled. */
  messenger?: ChannelMessenger;
  closers: Array<() => Promise<void>>;
}

/** The channels built for this configuration, in the order of the composition root's list. */
export class OpenChannels {
  private readonly built = new Map<ChannelModule, Channel>();

  get all(): Channel[] {
    return [...this.built.values()];
  }

  /** The channel `module` built, or undefined when it is not enabled. */
  get<C extends Channel>(module: ChannelModule<C>): C | undefined {
    // Only `module.create` fills the entry for `module`, so it holds a C.
    return this.built.get(module as unknown as ChannelModule) as C | undefined;
  }

  /** The channel `module` built; throws when it is not enabled (the Bot Framework channel always is). */
  required<C extends Channel>(module: ChannelModule<C>): C {
    const channel = this.get(module);
    if (!channel) throw new Error(`the ${module.name} channel is not enabled`);
    return channel;
  }

  add(module: ChannelModule, channel: Channel): void {
    this.built.set(module, channel);
  }

  /** Starts every channel once the server listens. */
  async start(): Promise<void> {
    for (const channel of this.all) await channel.start();
  }

  /** Ends long-lived connections before the server drains. */
  async disconnect(): Promise<void> {
    for (const channel of this.all) await channel.disconnect?.();
  }
}

/** The shared inbound gate's limits (MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_MESSAGE_CHARS, MAX_ATTACHMENTS), the same on every route. */
export function inboundLimits({ limits }: AppConfig): InboundLimits {
  return {
    maxBodyBytes: limits.maxBodyBytes,
    maxJsonDepth: limits.maxJsonDepth,
    maxMessageChars: limits.maxMessageChars,
    maxAttachments: limits.maxAttachments,
  };
}

/** Rations anonymous sessions (tokens, new conversations, messages) per client address and globally. */
export function createSessionGate({ limits }: AppConfig, store: RateLimitStore): SessionGate {
  return new SessionGate(store, {
    perAddressPerMinute: limits.sessionsPerAddressPerMinute,
    perMinute: limits.sessionsPerMinute,
    trustProxyHops: limits.trustProxyHops,
    activitiesPerAddressPerMinute: 2 * limits.perAddressPerMinute,
  });
}

/** Channel ids the enabled channels serve natively (/api/messages refuses them). */
export function reservedChannelIds(modules: readonly ChannelModule[], config: AppConfig): string[] {
  return modules.filter((module) => module.enabled(config)).flatMap((module) => module.ownedChannelIds(config));
}

/**
 * Builds each enabled channel and attaches it: the turn error handler and the middleware list
 * on its adapter, its routes on the server, its proactive sender on the handoff desk, its close
 * among the closers.
 */
export async function openChannels(modules: readonly ChannelModule[], context: ChannelContext, wiring: ChannelWiring): Promise<OpenChannels> {
  const open = new OpenChannels();
  for (const module of modules.filter((m) => m.enabled(context.config))) {
    const channel = await module.create(context);
    if (channel.adapter) {
      channel.adapter.onTurnError = context.onTurnError;
      channel.adapter.use(...wiring.middleware, ...channel.ownMiddleware);
    }
    channel.mount(wiring.server);
    const proactive = channel.proactive;
    if (proactive && wiring.messenger) {
      if (proactive.owns) wiring.messenger.addRoute({ name: channel.name, owns: proactive.owns, continueConversation: proactive.continueConversation });
      else wiring.messenger.setFallback(proactive.continueConversation);
    }
    wiring.closers.push(() => channel.close());
    open.add(module, channel);
  }
  return open;
}
