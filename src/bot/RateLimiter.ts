import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder';
import { Messages } from '../../dialogs/messages';
import { MemoryRateLimitStore, type RateLimitStore } from '../server/rateLimitStore';

/**
 * turnState key under which an adapter puts the client's network address (the self-hosted
 * Direct Line does; Azure channels reach /api/messages from Azure's addresses, so they do not).
 */
export const CLIENT_ADDRESS_KEY = Symbol('clientAddress');

export interface RateLimitOptions {
  /** Messages one user may send per minute, across conversations. 0 disables the limit. */
  perUserPerMinute: number;
  /** Messages one conversation may receive per minute. 0 disables the limit. */
  perConversationPerMinute: number;
  /**
   * Messages per minute from one client address (Web Chat: every fresh token is a new user,
   * so only the address ties a flood together). 0 disables the limit.
   */
  perAddressPerMinute?: number;
  /** Where the counters live: memory (default) or MongoDB, shared by every instance. */
  store?: RateLimitStore;
  /** Most keys tracked at once by the default memory store. */
  maxKeys?: number;
  now?: () => number;
}

/** What the limiter decided for one message. */
export type RateDecision = 'allow' | 'reject-and-warn' | 'reject-silently';

/**
 * Limits per user, per conversation and per client address. A flood gets one polite warning
 * and is then dropped without touching state, so it cannot slow other customers or fill the
 * database. With a MongoDB store the limits hold across instances.
 */
/**
 * Flood limits as middleware, placed before state, locks and transcripts: a dropped message costs
 * one counter update and is neither stored nor run (one polite warning per burst).
 */
export class RateLimiter implements Middleware {
  private readonly store: RateLimitStore;

  constructor(private readonly options: RateLimitOptions) {
    this.store = options.store ?? new MemoryRateLimitStore(options.maxKeys ?? 100_000, options.now ?? Date.now);
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    if (context.activity.type === ActivityTypes.Message) {
      const decision = await this.check(context);
      if (decision === 'reject-and-warn') await context.sendActivity(Messages.rateLimited);
      if (decision !== 'allow') return;
    }
    await next();
  }

  async check(context: TurnContext): Promise<RateDecision> {
    const activity = context.activity;
    const channel = activity.channelId ?? 'unknown';
    const address = context.turnState.get(CLIENT_ADDRESS_KEY) as string | undefined;
    const budgets: Array<[string, number]> = [
      [`u:${channel}:${activity.from?.id ?? 'anonymous'}`, this.options.perUserPerMinute],
      [`c:${channel}:${activity.conversation?.id ?? 'none'}`, this.options.perConversationPerMinute],
    ];
    if (address) budgets.push([`a:${address}`, this.options.perAddressPerMinute ?? 0]);
    let decision: RateDecision = 'allow';
    for (const [key, perMinute] of budgets) {
      if (perMinute <= 0) continue;
      const take = await this.store.take(key, perMinute, 60);
      if (take.allowed) continue;
      if (take.firstRefusal) decision = 'reject-and-warn';
      else if (decision === 'allow') decision = 'reject-silently';
    }
    return decision;
  }

  get trackedKeys(): number {
    return this.store.trackedKeys;
  }
}
