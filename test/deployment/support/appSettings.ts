import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The repository root (this file is test/deployment/support/appSettings.ts). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Reads a file relative to the repository root. */
export function readRepoFile(relative: string): string {
  return readFileSync(path.join(REPO_ROOT, relative), 'utf8');
}

/** Where a key was found: file and line, for messages a person can act on. */
export interface KeySite {
  file: string;
  line: number;
}

const READER_CALL = /\bread[A-Z]\w*\(\s*[A-Za-z_$][\w$]*\s*,\s*(['"`])([A-Za-z_][A-Za-z0-9_]*)\1/g;
const INDEXED_READ = /\benv\[\s*(['"`])([A-Za-z_][A-Za-z0-9_]*)\1\s*\]/g;
const DOTTED_READ = /\benv\.((?:[A-Z]|Microsoft)[A-Za-z0-9_]*)\b/g;
/**
 * Key-shaped string literals (`'SOME_KEY'`, `'MicrosoftAppId'`): catches keys passed to a reader
 * through a variable, e.g. a loop over `[['privacyUrl', 'TEAMS_PRIVACY_URL'], ...]`.
 */
const KEY_LITERAL = /(['"`])((?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)|(?:(?:Microsoft|ToBotFrom)[A-Za-z]+))\1/g;

/**
 * The environment keys the app reads, found in `src/config/*.ts` as the string literal passed to
 * a `read*(env, 'KEY', ...)` helper (or `env['KEY']`, `env.KEY`), or as a key-shaped literal.
 */
export function keysReadBySource(configDir = 'src/config'): Map<string, KeySite[]> {
  const keys = new Map<string, KeySite[]>();
  const dir = path.join(REPO_ROOT, configDir);
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    const file = `${configDir}/${name}`;
    const text = readFileSync(path.join(dir, name), 'utf8');
    for (const pattern of [READER_CALL, INDEXED_READ, DOTTED_READ, KEY_LITERAL]) {
      for (const match of text.matchAll(pattern)) {
        const key = match[2] ?? match[1];
        const line = text.slice(0, match.index).split('\n').length;
        const sites = keys.get(key) ?? [];
        if (!sites.some((s) => s.file === file && s.line === line)) sites.push({ file, line });
        keys.set(key, sites);
      }
    }
  }
  return keys;
}

/** A key documented in `.env.example`, with its example (default) value. */
export interface EnvExampleEntry {
  value: string;
  line: number;
  /** Written as `# KEY=value` (documented but commented out). */
  commented: boolean;
}

/** Every `KEY=value` (or commented-out `# KEY=value`) line of an env file. */
export function parseEnvFile(text: string): Map<string, EnvExampleEntry> {
  const entries = new Map<string, EnvExampleEntry>();
  text.split('\n').forEach((raw, index) => {
    const match = /^\s*(#\s*)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(raw);
    if (!match) return;
    // "# e.g. something" comments are prose; only KEY=value with a plausible key counts.
    if (match[1] && !/^(?:[A-Z][A-Z0-9_]*|Microsoft[A-Za-z]+)$/.test(match[2])) return;
    entries.set(match[2], { value: match[3].trim(), line: index + 1, commented: Boolean(match[1]) });
  });
  return entries;
}

/** The keys `.env.example` documents. */
export function keysInEnvExample(file = '.env.example'): Map<string, EnvExampleEntry> {
  return parseEnvFile(readRepoFile(file));
}

/**
 * Settings a deployment may set although `src/config` does not read them, because the platform
 * or the runtime reads them. Each one says which.
 */
export const PLATFORM_SETTINGS: Record<string, string> = {
  SCM_DO_BUILD_DURING_DEPLOYMENT: 'App Service deployment engine: the package is built before deploying',
};

/**
 * Keys a production deployment must set (the app refuses or misbehaves without them). Secret
 * ones must come from Key Vault / a Kubernetes Secret, never from plain configuration.
 */
export const REQUIRED_IN_PRODUCTION = [
  'NODE_ENV',
  'MicrosoftAppType',
  'MicrosoftAppId',
  'MicrosoftAppTenantId',
  'MicrosoftAppPassword',
  'MONGODB_URI',
  'MONGODB_DB',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'DIRECTLINE_SECRET',
  // Slack is optional; where it is enabled these are needed, so every deployment carries them.
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_HANDOFF_CHANNEL',
];

/**
 * What docker-compose fixes itself; every other setting reaches the bot from `.env` through
 * `env_file` (a copy of .env.example, so complete by construction).
 */
export const REQUIRED_IN_COMPOSE = ['NODE_ENV', 'MONGODB_URI', 'MONGODB_DB', 'DIRECTLINE_SECRET'];

/**
 * Kubernetes ConfigMap values that deliberately differ from the development defaults in
 * .env.example; any other non-empty ConfigMap value must equal the documented default.
 */
export const KUBERNETES_PRODUCTION_VALUES: Record<string, string> = {
  NODE_ENV: 'production: the whole point of the cluster',
  MicrosoftAppType: 'SingleTenant: multi-tenant bots can no longer be created; managed identities need Azure hosting',
  LOG_FORMAT: 'json for the cluster log shipper',
  SHUTDOWN_TIMEOUT_MS: 'matched to terminationGracePeriodSeconds in deployment.yaml',
  TRANSCRIPTS_ENABLED: 'on explicitly: the cluster always runs with MongoDB',
  MONGODB_REQUIRE_TLS: 'a cluster reaches its database over a network: TLS required',
  TRUST_PROXY_HOPS: '1: the ingress controller is one proxy hop, so the client address is its X-Forwarded-For entry',
};

/** A key whose value is a credential. */
export function isSecretKey(key: string): boolean {
  return /(PASSWORD|SECRET|TOKEN|_KEY|_KEYS|Password|Secret)$/.test(key) || key === 'MONGODB_URI';
}

/** Formats `key -> sites` for failure messages. */
export function describeSites(sites: KeySite[] | undefined): string {
  return [...(sites ?? [])]
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
    .map((s) => `${s.file}:${s.line}`)
    .join(', ');
}
