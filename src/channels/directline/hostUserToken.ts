import jwt from 'jsonwebtoken';

/**
 * A Web Chat user signed in on the host website. The host's server signs a short-lived HS256
 * JWT with WEBCHAT_USER_TOKEN_SECRET (`{"sub": "<its user id>", "exp": ...}`) and sends it to
 * POST /api/directline/token as `{"userToken": "..."}`; the bot then issues a Direct Line token
 * bound to the user id `wcu:<sub>`, which the page cannot change. Anonymous ids always start
 * with `dl_`, so no anonymous visitor can ever hold a `wcu:` id.
 */
export const VERIFIED_WEBCHAT_USER_PREFIX = 'wcu:';

/** Longest lifetime accepted for a host user token: they are minted per page load. */
const MAX_AGE_SECONDS = 3600;
const SUBJECT = /^[A-Za-z0-9._@+-]{1,100}$/;

export type HostUserCheck = { ok: true; userId: string } | { ok: false; reason: string };

export function checkHostUserToken(token: unknown, secret: string | undefined, now: number = Date.now()): HostUserCheck {
  if (!secret) return { ok: false, reason: 'This bot does not accept signed-in users: WEBCHAT_USER_TOKEN_SECRET is not set.' };
  if (typeof token !== 'string' || token.length === 0 || token.length > 4096) return { ok: false, reason: '"userToken" must be a JWT string.' };
  let claims: jwt.JwtPayload | string;
  try {
    claims = jwt.verify(token, secret, { algorithms: ['HS256'], maxAge: MAX_AGE_SECONDS, clockTimestamp: Math.floor(now / 1000), clockTolerance: 30 });
  } catch (err) {
    const expired = (err as Error).name === 'TokenExpiredError';
    return {
      ok: false,
      reason: expired
        ? 'The user token has expired; the host website must sign a new one.'
        : 'The user token is not signed with the shared secret (HS256) or is malformed.',
    };
  }
  if (typeof claims === 'string' || typeof claims.exp !== 'number') return { ok: false, reason: 'The user token must carry "exp".' };
  // jsonwebtoken measures maxAge from "iat", which the signer chooses: an "iat" in the future or a
  // lifetime longer than MAX_AGE_SECONDS would let one token live for years.
  const nowSeconds = Math.floor(now / 1000);
  if (typeof claims.iat !== 'number' || claims.iat > nowSeconds + 30 || claims.exp - claims.iat > MAX_AGE_SECONDS) {
    return { ok: false, reason: `The user token must carry "iat" (not in the future) and live at most ${MAX_AGE_SECONDS} seconds.` };
  }
  if (typeof claims.sub !== 'string' || !SUBJECT.test(claims.sub)) {
    return { ok: false, reason: 'The user token\'s "sub" must be 1 to 100 letters, digits or . _ @ + -.' };
  }
  return { ok: true, userId: `${VERIFIED_WEBCHAT_USER_PREFIX}${claims.sub}` };
}
