import type { Middleware, TurnContext } from 'botbuilder';
import type { VerifiedIdentity } from '../../dialogs/ports';
import { VERIFIED_IDENTITY_KEY } from '../../dialogs/verification';
import { VERIFIED_WEBCHAT_USER_PREFIX } from './directline/hostUserToken';

/**
 * Where a channel vouches for who the customer is, puts a {@link VerifiedIdentity} in the turn
 * state for the dialogs (identity policy). Each adapter gets the source that matches how it
 * authenticates its traffic; nothing a customer can type or post reaches the identity:
 * - `botframework` (CloudAdapter, /api/messages): a Teams user's Entra object ID, only when the
 *   adapter checks Bot Framework tokens (MicrosoftAppId set); unauthenticated local traffic
 *   (Emulator, tests) could claim any aadObjectId;
 * - `slack` (native Bolt bridge, signed requests or Socket Mode): the Slack `team:user` id;
 * - `directline` (self-hosted): a user id `wcu:<sub>` bound into the token by the token route
 *   after checking the host website's signature.
 */
export type IdentitySource = 'botframework' | 'slack' | 'directline';

export function identityOf(context: TurnContext, source: IdentitySource, authenticated: boolean): VerifiedIdentity | undefined {
  const { activity } = context;
  const fromId = activity.from?.id;
  if (!fromId) return undefined;
  switch (source) {
    case 'botframework': {
      const aad = activity.from.aadObjectId;
      return authenticated && activity.channelId === 'msteams' && aad ? { provider: 'teams', id: aad } : undefined;
    }
    case 'slack':
      return activity.channelId === 'slack' ? { provider: 'slack', id: fromId } : undefined;
    case 'directline':
      return fromId.startsWith(VERIFIED_WEBCHAT_USER_PREFIX) && fromId.length > VERIFIED_WEBCHAT_USER_PREFIX.length
        ? { provider: 'webchat', id: fromId.slice(VERIFIED_WEBCHAT_USER_PREFIX.length) }
        : undefined;
    default:
      return undefined;
  }
}

/** The middleware form, added to one adapter. */
export function verifiedIdentityMiddleware(source: IdentitySource, authenticated: boolean): Middleware {
  return {
    onTurn: async (context, next) => {
      const identity = identityOf(context, source, authenticated);
      if (identity) context.turnState.set(VERIFIED_IDENTITY_KEY, identity);
      else context.turnState.delete(VERIFIED_IDENTITY_KEY);
      await next();
    },
  };
}
