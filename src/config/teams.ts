import { ConfigError } from '../errors';
import { type Env, readOptional, readString } from './env';

/**
 * Settings of the Microsoft Teams app package (`npm run teams:package`). The running bot needs
 * none of them (Teams reaches it through Azure Bot Service on /api/messages); they are read
 * with the rest of the configuration so a malformed value is reported at start-up too.
 */
export interface TeamsConfig {
  /** The Teams app's own id (a GUID); empty: derived from MicrosoftAppId when packaging. */
  appId?: string;
  /** Host name the bot is served from, e.g. bot.example.com (no scheme, no path). */
  botDomain?: string;
  /** Short name shown in Teams (30 characters at most). */
  shortName: string;
  /** Full name (100 characters at most). */
  fullName: string;
  /** App version, major.minor.patch; raise it for every upload of a changed package. */
  version: string;
  developerName: string;
  /** https URLs; empty: https://BOT_DOMAIN/, /privacy and /terms. */
  websiteUrl?: string;
  privacyUrl?: string;
  termsUrl?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A DNS host name: labels of letters, digits and hyphens; a leading `*.` is not allowed here. */
const HOST_NAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/i;
const SEMVER = /^\d{1,5}\.\d{1,5}\.\d{1,5}$/;

/** True for a GUID in its usual 8-4-4-4-12 hexadecimal form. */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** True for a plain host name such as bot.example.com. */
export function isHostName(value: string): boolean {
  return HOST_NAME.test(value);
}

export function readTeamsConfig(env: Env): TeamsConfig {
  const appId = readOptional(env, 'TEAMS_APP_ID');
  if (appId !== undefined && !isGuid(appId)) {
    throw new ConfigError(
      'TEAMS_APP_ID',
      `expected a GUID such as 6f1c2a4e-1b2c-4d5e-8f90-123456789abc, got "${appId}"; leave it empty to derive one from MicrosoftAppId.`,
    );
  }
  const botDomain = readOptional(env, 'BOT_DOMAIN');
  if (botDomain !== undefined && !isHostName(botDomain)) {
    throw new ConfigError('BOT_DOMAIN', `expected a host name such as bot.example.com (no https://, no path), got "${botDomain}".`);
  }
  const shortName = readString(env, 'TEAMS_APP_NAME', 'Order Assistant');
  if (shortName.length > 30) throw new ConfigError('TEAMS_APP_NAME', `must be 30 characters or fewer (Teams' limit), got ${shortName.length}.`);
  const version = readString(env, 'TEAMS_APP_VERSION', '1.0.0');
  if (!SEMVER.test(version)) throw new ConfigError('TEAMS_APP_VERSION', `expected major.minor.patch such as 1.0.0, got "${version}".`);
  const developerName = readString(env, 'TEAMS_DEVELOPER_NAME', 'Order Support');
  if (developerName.length > 32) throw new ConfigError('TEAMS_DEVELOPER_NAME', `must be 32 characters or fewer, got ${developerName.length}.`);
  const config: TeamsConfig = {
    shortName,
    fullName: readString(env, 'TEAMS_APP_FULL_NAME', `${shortName}: order status and support`).slice(0, 100),
    version,
    developerName,
  };
  if (appId) config.appId = appId.toLowerCase();
  if (botDomain) config.botDomain = botDomain.toLowerCase();
  for (const [key, name] of [
    ['websiteUrl', 'TEAMS_WEBSITE_URL'],
    ['privacyUrl', 'TEAMS_PRIVACY_URL'],
    ['termsUrl', 'TEAMS_TERMS_URL'],
  ] as const) {
    const url = readOptional(env, name);
    if (url === undefined) continue;
    if (!/^https:\/\/[^\s/]+/i.test(url)) throw new ConfigError(name, `Teams requires an https:// URL, got "${url}".`);
    config[key] = url;
  }
  return config;
}
