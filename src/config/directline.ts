import { randomBytes } from 'node:crypto';
import { ConfigError } from '../errors';
import { type Env, readBool, readEnum, readInt, readOptional, readUrl } from './env';

/**
 * Where the Web Chat page gets its Direct Line from:
 * - `self-hosted`: the bot's own Direct Line 3.0 endpoint under /v3/directline (no Azure);
 * - `azure`: Azure Bot Service's Direct Line, with a token exchanged server-side.
 */
export type DirectLineMode = 'self-hosted' | 'azure';

/** Settings of the Direct Line endpoint and the Web Chat page. */
export interface DirectLineConfig {
  /** False turns off the Web Chat page, the token route and the self-hosted endpoint. */
  enabled: boolean;
  mode: DirectLineMode;
  /** Secret of the self-hosted endpoint (server-to-server only; never sent to browsers). */
  secret: string;
  /** True when no secret was configured and a random one was made at start-up (development). */
  secretGenerated: boolean;
  /** Lifetime of conversation tokens; clients refresh them before they expire. */
  tokenTtlSeconds: number;
  /** How long a conversation's activities are kept after its last activity. */
  historyTtlSeconds: number;
  /** Activities kept per conversation; older ones are trimmed. */
  maxActivitiesPerConversation: number;
  /** Memory store: bytes of activities kept per conversation (DIRECTLINE_MAX_CONVERSATION_BYTES). */
  maxConversationBytes: number;
  /** Memory store: bytes held for all conversations; longest-idle evicted first (DIRECTLINE_MAX_MEMORY_BYTES). */
  maxMemoryBytes: number;
  /** How often WebSocket streams look for activities written by other instances (MongoDB). */
  pollIntervalMs: number;
  /** Public base URL of the bot (e.g. https://bot.example.com); empty: derived from each request. */
  publicUrl?: string;
  /** Azure mode: Azure's Direct Line base URL, e.g. https://directline.botframework.com/v3/directline. */
  azureEndpoint?: string;
  /** Azure mode: the Direct Line channel secret of the Azure Bot resource. */
  azureSecret?: string;
  /** Origins allowed to frame the Web Chat page (CSP frame-ancestors); empty means any. */
  allowedOrigins: string[];
}

/** Shortest secret accepted: 32 characters (as `openssl rand -base64 32` gives 44). */
const MIN_SECRET_LENGTH = 32;

/**
 * Reads the Direct Line and Web Chat settings. In development an unset DIRECTLINE_SECRET is
 * replaced by a random one (the caller logs a warning); in production it is required.
 */
export function readDirectLineConfig(env: Env): DirectLineConfig {
  const nodeEnv = readEnum(env, 'NODE_ENV', ['development', 'production', 'test'], 'development');
  const enabled = readBool(env, 'DIRECTLINE_ENABLED', true);
  const azureEndpoint = readUrl(env, 'DIRECTLINE_ENDPOINT');
  const azureSecret = readOptional(env, 'DIRECTLINE_AZURE_SECRET');
  const mode: DirectLineMode = azureEndpoint ? 'azure' : 'self-hosted';
  if (mode === 'azure' && enabled && !azureSecret) {
    throw new ConfigError(
      'DIRECTLINE_AZURE_SECRET',
      'is required when DIRECTLINE_ENDPOINT is set: copy the secret of the Direct Line channel of your Azure Bot resource.',
    );
  }
  if (azureSecret && !azureEndpoint) {
    throw new ConfigError(
      'DIRECTLINE_ENDPOINT',
      "is empty but DIRECTLINE_AZURE_SECRET is set; set it to https://directline.botframework.com/v3/directline (or your region's Direct Line URL).",
    );
  }

  let secret = readOptional(env, 'DIRECTLINE_SECRET');
  let secretGenerated = false;
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError('DIRECTLINE_SECRET', `must be at least ${MIN_SECRET_LENGTH} characters; generate one with \`openssl rand -base64 32\`.`);
  }
  if (secret === undefined) {
    if (nodeEnv === 'production' && enabled && mode === 'self-hosted') {
      throw new ConfigError(
        'DIRECTLINE_SECRET',
        'is required in production for the self-hosted Web Chat endpoint; generate one with `openssl rand -base64 32`, or set DIRECTLINE_ENABLED=false.',
      );
    }
    secret = randomBytes(32).toString('base64url');
    secretGenerated = true;
  }

  const publicUrl = readUrl(env, 'DIRECTLINE_PUBLIC_URL');
  return {
    enabled,
    mode,
    secret,
    secretGenerated,
    tokenTtlSeconds: readInt(env, 'DIRECTLINE_TOKEN_TTL_SECONDS', 1800, 60, 86_400),
    historyTtlSeconds: readInt(env, 'DIRECTLINE_HISTORY_TTL_SECONDS', 86_400, 60, 90 * 86_400),
    maxActivitiesPerConversation: readInt(env, 'DIRECTLINE_MAX_ACTIVITIES', 1000, 10, 100_000),
    maxConversationBytes: readInt(env, 'DIRECTLINE_MAX_CONVERSATION_BYTES', 512 * 1024, 16 * 1024, 64 * 1024 * 1024),
    maxMemoryBytes: readInt(env, 'DIRECTLINE_MAX_MEMORY_BYTES', 64 * 1024 * 1024, 1024 * 1024, 16 * 1024 * 1024 * 1024),
    pollIntervalMs: readInt(env, 'DIRECTLINE_POLL_MS', 250, 20, 10_000),
    ...(publicUrl ? { publicUrl } : {}),
    ...(azureEndpoint ? { azureEndpoint } : {}),
    ...(azureSecret ? { azureSecret } : {}),
    allowedOrigins: readOrigins(env, 'WEBCHAT_ALLOWED_ORIGINS'),
  };
}

function readOrigins(env: Env, name: string): string[] {
  const raw = readOptional(env, name);
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((origin) => {
      let url: URL;
      try {
        url = new URL(origin);
      } catch {
        throw new ConfigError(name, `"${origin}" is not an origin; use a comma-separated list like https://www.example.com,https://shop.example.com.`);
      }
      if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname !== '/' || url.search || url.hash) {
        throw new ConfigError(name, `"${origin}" is not an origin (scheme://host[:port] with no path).`);
      }
      return url.origin;
    });
}
