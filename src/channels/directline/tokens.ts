import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Direct Line credentials.
 *
 * The secret stays on servers (the operator's, or ours for the embed page) and can do
 * anything. Browsers only ever hold a token: a JWT (HS256, signed with a key derived from the
 * secret) bound to ONE conversation and one user id, valid for `ttlSeconds`. A JWT rather than
 * an opaque id because directlinejs and Web Chat read the `user` claim from it, and because it
 * needs no shared token table across instances.
 */

/** Claims of a conversation token. */
export interface TokenClaims {
  /** The one conversation this token may read and write. */
  conv: string;
  /** The user id every activity posted with this token is sent as. */
  user: string;
  iat: number;
  exp: number;
}

export type Credential = { kind: 'secret' } | { kind: 'token'; claims: TokenClaims; token: string };

export type CredentialProblem = 'missing' | 'invalid' | 'expired';

const ISSUER = 'order-support-bot/directline';
const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

export interface TokenServiceOptions {
  secret: string;
  ttlSeconds: number;
  /** Clock in milliseconds, injectable for tests. */
  now?: () => number;
}

export class DirectLineTokens {
  private readonly signingKey: Buffer;
  private readonly secretDigest: Buffer;
  private readonly now: () => number;
  readonly ttlSeconds: number;

  constructor(options: TokenServiceOptions) {
    // A derived key, so a token signature never doubles as a guess at the secret itself.
    this.signingKey = createHmac('sha256', options.secret).update('directline-token-signing-v1').digest();
    this.secretDigest = sha256(options.secret);
    this.ttlSeconds = options.ttlSeconds;
    this.now = options.now ?? Date.now;
  }

  /** Signs a token for one conversation and user. */
  issue(conversationId: string, userId: string): { token: string; expiresIn: number; claims: TokenClaims } {
    const iat = Math.floor(this.now() / 1000);
    const claims: TokenClaims = { conv: conversationId, user: userId, iat, exp: iat + this.ttlSeconds };
    const payload = base64url(JSON.stringify({ iss: ISSUER, ...claims }));
    const signature = this.sign(`${HEADER}.${payload}`);
    return { token: `${HEADER}.${payload}.${signature}`, expiresIn: this.ttlSeconds, claims };
  }

  /** Reads `Authorization: Bearer <secret|token>` (or a bare credential from a stream URL). */
  authenticate(credential: string | undefined): Credential | CredentialProblem {
    if (!credential) return 'missing';
    if (timingSafeEqual(sha256(credential), this.secretDigest)) return { kind: 'secret' };
    const parts = credential.split('.');
    if (parts.length !== 3 || parts[0] !== HEADER) return 'invalid';
    const expected = Buffer.from(this.sign(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2] as string);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
    let claims: Partial<TokenClaims> & { iss?: string };
    try {
      claims = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8')) as Partial<TokenClaims> & { iss?: string };
    } catch {
      return 'invalid';
    }
    if (
      claims.iss !== ISSUER ||
      typeof claims.conv !== 'string' ||
      typeof claims.user !== 'string' ||
      typeof claims.exp !== 'number' ||
      typeof claims.iat !== 'number'
    ) {
      return 'invalid';
    }
    if (claims.exp * 1000 <= this.now()) return 'expired';
    return { kind: 'token', token: credential, claims: { conv: claims.conv, user: claims.user, iat: claims.iat, exp: claims.exp } };
  }

  /** Seconds until a token expires (0 when already expired). */
  secondsLeft(claims: TokenClaims): number {
    return Math.max(0, claims.exp - Math.floor(this.now() / 1000));
  }

  private sign(input: string): string {
    return createHmac('sha256', this.signingKey).update(input).digest('base64url');
  }
}

/** Reads the credential from an `Authorization: Bearer ...` header value. */
export function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** A new conversation id: 128 random bits, URL-safe, so ids cannot be guessed. */
export function newConversationId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * A new user id. The `dl_` prefix is what Azure Direct Line uses for ids it embeds in tokens;
 * directlinejs refuses to let a page choose such an id, so a page cannot impersonate one.
 */
export function newUserId(): string {
  return `dl_${randomBytes(12).toString('base64url')}`;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
