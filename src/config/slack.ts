import { ConfigError } from '../errors';
import { type Env, readInt, readOptional, readUrl } from './env';

/** How Slack reaches the bot: signed HTTP requests, or a WebSocket the bot opens (Socket Mode). */
export type SlackMode = 'http' | 'socket';

/** The native Slack channel's settings; absent from `AppConfig` when Slack is not configured. */
export interface SlackConfig {
  mode: SlackMode;
  /** Bot User OAuth Token (`xoxb-...`): posts, updates and deletes messages. */
  botToken: string;
  /** Signing secret: verifies every HTTP request at POST /api/slack/events. Set in HTTP mode. */
  signingSecret?: string;
  /** App-level token (`xapp-...`) with `connections:write`. Set in Socket Mode. */
  appToken?: string;
  /** Web API base URL, always ending with "/". Overridden for tests and proxies. */
  apiUrl: string;
  /** Least time between two messages the bot posts to one Slack channel (Slack allows ~1/s). */
  postIntervalMs: number;
  /** Retries of a failed Web API call (429, 5xx, network) before the message is reported lost. */
  apiRetries: number;
  /** How long a recorded delivery stays one instance's before another processes it again. */
  deliveryLeaseMs: number;
}

const DEFAULT_API_URL = 'https://slack.com/api/';

/**
 * Reads the Slack settings. Returns undefined when none is set (Slack off); otherwise checks the
 * combination: a bot token, plus either a signing secret (HTTP mode) or an app token (Socket Mode).
 */
export function readSlackConfig(env: Env): SlackConfig | undefined {
  const botToken = readOptional(env, 'SLACK_BOT_TOKEN');
  const signingSecret = readOptional(env, 'SLACK_SIGNING_SECRET');
  const appToken = readOptional(env, 'SLACK_APP_TOKEN');
  if (!botToken && !signingSecret && !appToken) return undefined;

  if (!botToken) {
    throw new ConfigError(
      'SLACK_BOT_TOKEN',
      'is empty but other SLACK_* settings are set; copy the Bot User OAuth Token (xoxb-...) from your Slack app\'s "OAuth & Permissions" page, or unset the SLACK_* settings to turn Slack off.',
    );
  }
  if (!appToken && !signingSecret) {
    throw new ConfigError(
      'SLACK_SIGNING_SECRET',
      'is required for HTTP mode (copy it from "Basic Information" of your Slack app), or set SLACK_APP_TOKEN to use Socket Mode instead.',
    );
  }
  if (appToken && !appToken.startsWith('xapp-')) {
    throw new ConfigError(
      'SLACK_APP_TOKEN',
      'must be an app-level token starting with "xapp-" (create one with the connections:write scope under "Basic Information").',
    );
  }
  const apiUrl = readUrl(env, 'SLACK_API_URL') ?? DEFAULT_API_URL;
  return {
    mode: appToken ? 'socket' : 'http',
    botToken,
    ...(signingSecret ? { signingSecret } : {}),
    ...(appToken ? { appToken } : {}),
    // WebClient joins method names onto the base URL, so it must end with a slash.
    apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
    postIntervalMs: readInt(env, 'SLACK_POST_INTERVAL_MS', 1000, 0, 60_000),
    apiRetries: readInt(env, 'SLACK_API_RETRIES', 10, 0, 30),
    deliveryLeaseMs: readInt(env, 'SLACK_DELIVERY_LEASE_SECONDS', 60, 1, 3600) * 1000,
  };
}
