import { createHash } from 'node:crypto';
import { isGuid, isHostName, type TeamsConfig } from '../../src/config/teams';
import { SupportBotError } from '../../src/errors';

/** Values substituted into teams/manifest.template.json (`{{NAME}}` placeholders). */
export interface TeamsManifestValues {
  TEAMS_APP_ID: string;
  BOT_ID: string;
  BOT_DOMAIN: string;
  TEAMS_APP_VERSION: string;
  TEAMS_APP_NAME: string;
  TEAMS_APP_FULL_NAME: string;
  TEAMS_DEVELOPER_NAME: string;
  TEAMS_WEBSITE_URL: string;
  TEAMS_PRIVACY_URL: string;
  TEAMS_TERMS_URL: string;
}

/** The Teams package cannot be built: the message names the setting or field to fix. */
export class TeamsPackageError extends SupportBotError {
  constructor(message: string) {
    super('TEAMS_PACKAGE_INVALID', message);
  }
}

/**
 * A stable Teams app id derived from the bot's app id (a name-based, version 5 style UUID), so
 * that packaging twice gives the same app and Teams treats the upload as an update.
 */
export function deriveTeamsAppId(botId: string): string {
  const hash = createHash('sha1').update(`order-support-bot/teams-app:${botId.toLowerCase()}`).digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Turns configuration into manifest values; throws TeamsPackageError naming what is missing. */
export function manifestValues(teams: TeamsConfig, microsoftAppId: string): TeamsManifestValues {
  if (!microsoftAppId) {
    throw new TeamsPackageError(
      'MicrosoftAppId is empty: Teams reaches the bot through an Azure Bot resource; set MicrosoftAppId (and MicrosoftAppPassword) from it.',
    );
  }
  if (!isGuid(microsoftAppId)) throw new TeamsPackageError(`MicrosoftAppId must be a GUID for Teams, got "${microsoftAppId}".`);
  if (!teams.botDomain) {
    throw new TeamsPackageError('BOT_DOMAIN is empty: set it to the host name the bot is served from, e.g. bot.example.com.');
  }
  const site = `https://${teams.botDomain}`;
  return {
    TEAMS_APP_ID: teams.appId ?? deriveTeamsAppId(microsoftAppId),
    BOT_ID: microsoftAppId.toLowerCase(),
    BOT_DOMAIN: teams.botDomain,
    TEAMS_APP_VERSION: teams.version,
    TEAMS_APP_NAME: teams.shortName,
    TEAMS_APP_FULL_NAME: teams.fullName,
    TEAMS_DEVELOPER_NAME: teams.developerName,
    TEAMS_WEBSITE_URL: teams.websiteUrl ?? `${site}/`,
    TEAMS_PRIVACY_URL: teams.privacyUrl ?? `${site}/privacy`,
    TEAMS_TERMS_URL: teams.termsUrl ?? `${site}/terms`,
  };
}

/**
 * Fills the template. Substitution happens on parsed JSON strings, never on the raw text, so a
 * value with quotes or backslashes cannot break the manifest's JSON.
 */
export function renderManifest(template: unknown, values: TeamsManifestValues): Record<string, unknown> {
  const fill = (node: unknown): unknown => {
    if (typeof node === 'string') {
      return node.replace(/\{\{([A-Z_]+)\}\}/g, (_m, name: string) => {
        const value = (values as unknown as Record<string, string | undefined>)[name];
        if (value === undefined) throw new TeamsPackageError(`teams/manifest.template.json uses {{${name}}}, which has no value.`);
        return value;
      });
    }
    if (Array.isArray(node)) return node.map(fill);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v)]));
    return node;
  };
  return fill(template) as Record<string, unknown>;
}

const SCOPES = new Set(['personal', 'team', 'groupChat']);

/**
 * Checks what Teams' upload checks most often reject: required fields, lengths, GUIDs, https
 * URLs, domains, scopes and the bot id. Returns the problems (empty when the manifest is fine).
 */
export function validateManifest(manifest: Record<string, unknown>, expected: { botId: string }): string[] {
  const problems: string[] = [];
  const get = (path: string): unknown =>
    path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), manifest);
  const text = (path: string, max: number): void => {
    const value = get(path);
    if (typeof value !== 'string' || value.trim() === '') problems.push(`${path} is required`);
    else if (value.length > max) problems.push(`${path} is longer than ${max} characters`);
  };
  const https = (path: string): void => {
    const value = get(path);
    if (typeof value !== 'string' || !/^https:\/\/[^\s/]+/.test(value)) problems.push(`${path} must be an https URL`);
  };

  if (typeof get('$schema') !== 'string') problems.push('$schema is required');
  if (!/^1\.(1[7-9]|[2-9]\d)$/.test(String(get('manifestVersion')))) problems.push('manifestVersion must be 1.17 or newer');
  if (!/^\d+\.\d+\.\d+$/.test(String(get('version')))) problems.push('version must be major.minor.patch');
  if (!isGuid(String(get('id')))) problems.push('id must be a GUID');
  text('developer.name', 32);
  for (const url of ['developer.websiteUrl', 'developer.privacyUrl', 'developer.termsOfUseUrl']) https(url);
  text('name.short', 30);
  text('name.full', 100);
  text('description.short', 80);
  text('description.full', 4000);
  text('icons.color', 2048);
  text('icons.outline', 2048);
  if (!/^#[0-9A-Fa-f]{6}$/.test(String(get('accentColor')))) problems.push('accentColor must be #RRGGBB');

  const bots = get('bots');
  if (!Array.isArray(bots) || bots.length !== 1) {
    problems.push('bots must hold exactly one bot');
  } else {
    const bot = bots[0] as { botId?: unknown; scopes?: unknown; commandLists?: unknown };
    if (!isGuid(String(bot.botId))) problems.push('bots[0].botId must be a GUID');
    else if (String(bot.botId).toLowerCase() !== expected.botId.toLowerCase()) problems.push(`bots[0].botId must be MicrosoftAppId (${expected.botId})`);
    if (!Array.isArray(bot.scopes) || bot.scopes.length === 0 || !bot.scopes.every((s) => SCOPES.has(String(s)))) {
      problems.push('bots[0].scopes must be a non-empty list of personal, team, groupChat');
    }
    for (const list of Array.isArray(bot.commandLists) ? (bot.commandLists as { commands?: { title?: string; description?: string }[] }[]) : []) {
      const commands = list.commands ?? [];
      if (commands.length > 10) problems.push('a command list holds at most 10 commands');
      for (const command of commands) {
        if (!command.title || command.title.length > 32) problems.push(`command "${command.title ?? ''}": title must be 1-32 characters`);
        if (!command.description || command.description.length > 128) problems.push(`command "${command.title ?? ''}": description must be 1-128 characters`);
      }
    }
  }

  const domains = get('validDomains');
  if (!Array.isArray(domains) || domains.length === 0) {
    problems.push('validDomains must list the bot domain');
  } else {
    for (const domain of domains) {
      const value = String(domain);
      const host = value.startsWith('*.') ? value.slice(2) : value;
      // Teams rejects schemes, paths, ports and wildcard top-level domains such as *.com.
      if (!isHostName(host) || !host.includes('.')) problems.push(`validDomains: "${value}" is not a host name such as bot.example.com`);
    }
  }
  return problems;
}
