import { VERIFICATION_POLICIES, type VerificationPolicy } from '../../dialogs/verification';
import { ConfigError } from '../errors';
import { type Env, readBool, readEnum, readInt, readOptional } from './env';

/** Who may see an order, and how guessing is bounded (SECURITY.md, "Order lookups"). */
export interface VerificationConfig {
  policy: VerificationPolicy;
  /** Failed checks allowed per conversation, per customer and per order ID in one window. */
  maxFailures: number;
  windowSeconds: number;
  /** How long a verified order stays verified for the same customer in the same conversation. */
  rememberSeconds: number;
  /** HS256 key the host website signs its Web Chat user tokens with; empty: no signed-in Web Chat users. */
  webchatUserTokenSecret?: string;
}

export function readVerificationConfig(env: Env, nodeEnv: string): VerificationConfig {
  const policy = readEnum(env, 'ORDER_VERIFICATION', VERIFICATION_POLICIES, 'knowledge');
  if (policy === 'none' && nodeEnv === 'production' && !readBool(env, 'ALLOW_UNVERIFIED_ORDER_LOOKUPS', false)) {
    throw new ConfigError(
      'ORDER_VERIFICATION',
      'is "none" with NODE_ENV=production: anyone who types or guesses an order ID would see its status and tracking link. ' +
        'Use knowledge or identity, or set ALLOW_UNVERIFIED_ORDER_LOOKUPS=true if your order IDs are unguessable and carry nothing personal.',
    );
  }
  const secret = readOptional(env, 'WEBCHAT_USER_TOKEN_SECRET');
  if (secret !== undefined && Buffer.byteLength(secret, 'utf8') < 32) {
    throw new ConfigError(
      'WEBCHAT_USER_TOKEN_SECRET',
      'must be at least 32 bytes (for example `openssl rand -base64 32`), shared only with the host website that signs user tokens.',
    );
  }
  return {
    policy,
    maxFailures: readInt(env, 'ORDER_VERIFICATION_MAX_FAILURES', 5, 1, 100),
    windowSeconds: readInt(env, 'ORDER_VERIFICATION_WINDOW_SECONDS', 3600, 60, 7 * 24 * 3600),
    rememberSeconds: readInt(env, 'ORDER_VERIFICATION_REMEMBER_SECONDS', 1800, 0, 24 * 3600),
    ...(secret !== undefined ? { webchatUserTokenSecret: secret } : {}),
  };
}
