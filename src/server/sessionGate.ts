import type { IncomingMessage } from 'node:http';
import type restify from 'restify';
import { sendHttpError } from './httpErrors';
import { clientAddress } from './clientAddress';
import type { RateLimitStore } from './rateLimitStore';

/** How many anonymous sessions (Web Chat tokens, new Direct Line conversations) are handed out. */
export interface SessionLimits {
  /** Per client address per minute (WEBCHAT_SESSIONS_PER_ADDRESS_PER_MINUTE). 0: no limit. */
  perAddressPerMinute: number;
  /** For everyone together per minute (WEBCHAT_SESSIONS_PER_MINUTE). 0: no limit. */
  perMinute: number;
  /** Reverse proxies in front of the bot whose X-Forwarded-For is trusted (TRUST_PROXY_HOPS). */
  trustProxyHops: number;
  /**
   * Hard cap on Direct Line posts per client address per minute, refused with 429 before the
   * body is read or logged (twice RATE_LIMIT_ADDRESS_PER_MINUTE: below it the bot's own limiter
   * answers with a polite warning). 0: no cap.
   */
  activitiesPerAddressPerMinute?: number;
}

export type SessionKind = 'token' | 'conversation' | 'activity';

export type Admission = { ok: true; address: string } | { ok: false; address: string; retryAfterSeconds: number; scope: 'address' | 'everyone' };

/**
 * Rations anonymous sessions: every token and every new conversation spends a point of the
 * client address's budget and then of the global one (an address over its budget spends none
 * of the global budget, so one client cannot starve the others). The counters live in the
 * shared rate-limit store, so the limits hold across instances with MongoDB.
 */
export class SessionGate {
  constructor(
    private readonly store: RateLimitStore,
    readonly limits: SessionLimits,
  ) {}

  addressOf(req: IncomingMessage): string {
    return clientAddress(req, this.limits.trustProxyHops);
  }

  async admit(req: IncomingMessage, kind: SessionKind): Promise<Admission> {
    const address = this.addressOf(req);
    if (kind === 'activity') {
      const limit = this.limits.activitiesPerAddressPerMinute ?? 0;
      if (limit <= 0) return { ok: true, address };
      const take = await this.store.take(`s:activity:a:${address}`, limit, 60);
      return take.allowed ? { ok: true, address } : { ok: false, address, retryAfterSeconds: Math.ceil(take.retryAfterMs / 1000), scope: 'address' };
    }
    if (this.limits.perAddressPerMinute > 0) {
      const take = await this.store.take(`s:${kind}:a:${address}`, this.limits.perAddressPerMinute, 60);
      if (!take.allowed) return { ok: false, address, retryAfterSeconds: Math.ceil(take.retryAfterMs / 1000), scope: 'address' };
    }
    if (this.limits.perMinute > 0) {
      const take = await this.store.take(`s:${kind}:all`, this.limits.perMinute, 60);
      if (!take.allowed) return { ok: false, address, retryAfterSeconds: Math.ceil(take.retryAfterMs / 1000), scope: 'everyone' };
    }
    return { ok: true, address };
  }
}

/** Answers 429 RATE_LIMITED with Retry-After. */
export function sendRateLimited(res: restify.Response, refusal: Extract<Admission, { ok: false }>, what: string): void {
  const seconds = Math.max(1, refusal.retryAfterSeconds);
  res.header('Retry-After', String(seconds));
  const who = refusal.scope === 'address' ? 'from your network address' : 'right now';
  sendHttpError(res, 429, 'RATE_LIMITED', `Too many ${what} ${who}; try again in ${seconds} s.`);
}
