import { existsSync } from 'node:fs';
import { ALL_BUILTIN_ENTITIES, DEFAULT_ORDER_ID_PATTERN, resolveTrainingFiles, type BuiltinEntity } from '../../recognizers';
import { ConfigError } from '../errors';
import { fromRoot } from '../paths';
import { readHandoffConfig, type HandoffConfig } from './handoff';
import { readStorage, type StorageConfig } from './storage';
import { readStateConfig, type StateConfig } from './state';
import { readDirectLineConfig, type DirectLineConfig } from './directline';
import { readTeamsConfig, type TeamsConfig } from './teams';
import { readSlackConfig, type SlackConfig } from './slack';
import { readTelemetryConfig, type TelemetryConfig } from './telemetry';
import { readVerificationConfig, type VerificationConfig } from './verification';
import { readGroupsConfig, type GroupsConfig } from './groups';
import { collectConfigProblems, type Env, readBool, readEnum, readFloat, readInt, readOptional, readRegex, readString, readUrl } from './env';

/**
 * Default order-ID shape: 4-20 letters, digits or hyphens with at least one digit, optionally
 * after a `#`. Unanchored on purpose: the recognizer searches messages with it, and the
 * dialogs' validator matches it against the whole reply.
 */
export { DEFAULT_ORDER_ID_PATTERN };

export type NodeEnv = 'development' | 'production' | 'test';
export type AppType = 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';

export interface BotAuthConfig {
  /** Bot Framework's own setting names, passed to ConfigurationBotFrameworkAuthentication. */
  MicrosoftAppType: AppType;
  MicrosoftAppId: string;
  MicrosoftAppPassword: string;
  MicrosoftAppTenantId: string;
  /**
   * Advanced overrides Bot Framework itself understands (sovereign clouds, test harnesses):
   * where channel tokens' signing keys are published and which issuer they carry.
   */
  ToBotFromChannelOpenIdMetadataUrl?: string;
  ToBotFromChannelTokenIssuer?: string;
  ToBotFromEmulatorOpenIdMetadataUrl?: string;
  /**
   * Hosts that activities' `serviceUrl` may name (`*.example.com` matches subdomains); replies go
   * there. Empty: any host, which only credentials make safe (SERVICE_URL_ALLOWED_HOSTS).
   */
  serviceUrlAllowedHosts: readonly string[];
}

export interface OrdersConfig {
  /** Set when a real orders API is configured; otherwise the sample file backend is used. */
  apiUrl?: string;
  apiKey?: string;
  timeoutMs: number;
  retries: number;
  file: string;
  /** Bulkhead and circuit breaker around the orders API. */
  maxConcurrency: number;
  maxQueue: number;
  breakerErrorPercent: number;
  breakerMinCalls: number;
  breakerResetMs: number;
}

export interface NluConfig {
  /** A file, a directory or a glob of training-data files. */
  trainingFile: string;
  /** Trained model cache; retrained only when the training data or options change. Empty: train at every start. */
  modelFile?: string;
  /** Undefined means "use the recognizer's data-chosen default". */
  threshold?: number;
  orderIdPattern: string;
  /** Built-in entity kinds recognised in every message (date-time costs about 2 ms a message). */
  builtinEntities: BuiltinEntity[];
}

export interface DialogConfig {
  maxOrderIdAttempts: number;
}

/** Abuse limits applied to every channel. */
export interface LimitsConfig {
  /** Longest message text the bot reads. */
  maxMessageChars: number;
  /** Largest JSON body accepted at the HTTP edge. */
  maxBodyBytes: number;
  /** Most attachments one activity may carry. */
  maxAttachments: number;
  perUserPerMinute: number;
  perConversationPerMinute: number;
  /** Deepest JSON nesting accepted at the HTTP edge (MAX_JSON_DEPTH). */
  maxJsonDepth: number;
  /** Messages per minute from one client address on the self-hosted Direct Line (RATE_LIMIT_ADDRESS_PER_MINUTE). */
  perAddressPerMinute: number;
  /** Web Chat tokens and new conversations per client address per minute (WEBCHAT_SESSIONS_PER_ADDRESS_PER_MINUTE). */
  sessionsPerAddressPerMinute: number;
  /** Web Chat tokens and new conversations per minute for everyone (WEBCHAT_SESSIONS_PER_MINUTE). */
  sessionsPerMinute: number;
  /** Reverse proxies whose X-Forwarded-For is trusted for the client address (TRUST_PROXY_HOPS); 0: none. */
  trustProxyHops: number;
}

export interface AppConfig {
  nodeEnv: NodeEnv;
  host: string;
  port: number;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  auth: BotAuthConfig;
  orders: OrdersConfig;
  nlu: NluConfig;
  dialog: DialogConfig;
  /** Versioned conversation state: what to do with state written by a newer version. */
  state: StateConfig;
  telemetry: TelemetryConfig;
  limits: LimitsConfig;
  /** State, leases and transcripts: memory, or MongoDB when MONGODB_URI is set. */
  storage: StorageConfig;
  /** Human handoff to agents in a Slack channel (SLACK_HANDOFF_CHANNEL, HANDOFF_*). */
  handoff: HandoffConfig;
  /** Web Chat page and Direct Line endpoint (self-hosted, or Azure's). */
  directLine: DirectLineConfig;
  /** Microsoft Teams app package settings (npm run teams:package). */
  teams: TeamsConfig;
  /** Native Slack channel (Bolt); undefined when no SLACK_* setting is given. */
  slack: SlackConfig | undefined;
  /** Who may see an order: ORDER_VERIFICATION and its limits. */
  verification: VerificationConfig;
  /** Group conversations (GROUP_ORDER_DETAILS): where order details go. */
  groups: GroupsConfig;
}

function readAuth(env: Env): BotAuthConfig {
  const auth: BotAuthConfig = {
    MicrosoftAppType: readEnum(env, 'MicrosoftAppType', ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], 'MultiTenant'),
    MicrosoftAppId: readString(env, 'MicrosoftAppId', ''),
    MicrosoftAppPassword: readString(env, 'MicrosoftAppPassword', ''),
    MicrosoftAppTenantId: readString(env, 'MicrosoftAppTenantId', ''),
    ToBotFromChannelOpenIdMetadataUrl: readUrl(env, 'ToBotFromChannelOpenIdMetadataUrl'),
    ToBotFromChannelTokenIssuer: readOptional(env, 'ToBotFromChannelTokenIssuer'),
    ToBotFromEmulatorOpenIdMetadataUrl: readUrl(env, 'ToBotFromEmulatorOpenIdMetadataUrl'),
    serviceUrlAllowedHosts: readHostPatterns(env, 'SERVICE_URL_ALLOWED_HOSTS'),
  };
  if (auth.MicrosoftAppPassword && !auth.MicrosoftAppId) {
    throw new ConfigError('MicrosoftAppId', 'is empty but MicrosoftAppPassword is set; set both (Azure Bot resource) or neither (local Emulator).');
  }
  if (auth.MicrosoftAppType === 'SingleTenant' && auth.MicrosoftAppId && !auth.MicrosoftAppTenantId) {
    throw new ConfigError('MicrosoftAppTenantId', 'is required when MicrosoftAppType is SingleTenant.');
  }
  if (auth.MicrosoftAppType === 'UserAssignedMSI' && (!auth.MicrosoftAppId || !auth.MicrosoftAppTenantId)) {
    throw new ConfigError('MicrosoftAppId', 'UserAssignedMSI needs MicrosoftAppId (the identity client id) and MicrosoftAppTenantId.');
  }
  return auth;
}

function readHostPatterns(env: Env, name: string): string[] {
  const patterns = readString(env, name, '')
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  const bad = patterns.filter((p) => !/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(p));
  if (bad.length > 0) {
    throw new ConfigError(
      name,
      `not host names: ${bad.join(', ')}; give a comma-separated list such as *.botframework.com,smba.trafficmanager.net,localhost (no scheme, port or path).`,
    );
  }
  return patterns;
}

function readOrders(env: Env): OrdersConfig {
  const apiUrl = readUrl(env, 'ORDERS_API_URL');
  const file = fromRoot(readString(env, 'ORDERS_FILE', 'data/orders.json'));
  if (!apiUrl && !existsSync(file)) {
    throw new ConfigError('ORDERS_FILE', `file "${file}" does not exist; point ORDERS_FILE at a JSON array of orders or set ORDERS_API_URL.`);
  }
  return {
    apiUrl,
    apiKey: readOptional(env, 'ORDERS_API_KEY'),
    timeoutMs: readInt(env, 'ORDERS_API_TIMEOUT_MS', 3000, 50, 60_000),
    retries: readInt(env, 'ORDERS_API_RETRIES', 2, 0, 10),
    file,
    maxConcurrency: readInt(env, 'ORDERS_API_MAX_CONCURRENCY', 10, 1, 1000),
    maxQueue: readInt(env, 'ORDERS_API_MAX_QUEUE', 100, 0, 100_000),
    breakerErrorPercent: readInt(env, 'ORDERS_API_BREAKER_ERROR_PERCENT', 50, 1, 100),
    breakerMinCalls: readInt(env, 'ORDERS_API_BREAKER_MIN_CALLS', 5, 1, 10_000),
    breakerResetMs: readInt(env, 'ORDERS_API_BREAKER_RESET_MS', 30_000, 100, 3_600_000),
  };
}

function readNlu(env: Env): NluConfig {
  // One file, a directory (data/nlu/) or a glob (data/nlu/*.yml), merged as Rasa does.
  const trainingFile = fromRoot(readString(env, 'NLU_FILE', 'data/nlu.yml'));
  if (!existsSync(trainingFile) && !/[*?[{]/.test(trainingFile)) {
    throw new ConfigError('NLU_FILE', `training data "${trainingFile}" does not exist.`);
  }
  try {
    resolveTrainingFiles(trainingFile);
  } catch (err) {
    throw new ConfigError('NLU_FILE', `${(err as Error).message}; give a .yml/.yaml/.jsonl file, a directory of them or a glob such as data/nlu/*.yml.`);
  }
  const rawThreshold = readOptional(env, 'NLU_THRESHOLD');
  const modelFile = readString(env, 'NLU_MODEL_FILE', 'models/bot.model.json');
  return {
    trainingFile,
    modelFile: modelFile === 'none' ? undefined : fromRoot(modelFile),
    threshold: rawThreshold === undefined ? undefined : readFloat(env, 'NLU_THRESHOLD', 0, 0, 1),
    orderIdPattern: readOrderIdPattern(env),
    builtinEntities: readBuiltinEntities(env),
  };
}

function readOrderIdPattern(env: Env): string {
  const pattern = readRegex(env, 'ORDER_ID_PATTERN', DEFAULT_ORDER_ID_PATTERN);
  if (pattern.startsWith('^') || pattern.endsWith('$')) {
    throw new ConfigError(
      'ORDER_ID_PATTERN',
      'must not be anchored with ^ or $: the recognizer searches messages with it, and the validator already matches it against the whole reply.',
    );
  }
  return pattern;
}

function readBuiltinEntities(env: Env): BuiltinEntity[] {
  const raw = readString(env, 'NLU_BUILTIN_ENTITIES', 'email,phonenumber,url');
  if (raw === 'none') return [];
  const kinds = raw
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const unknown = kinds.filter((k) => !(ALL_BUILTIN_ENTITIES as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new ConfigError(
      'NLU_BUILTIN_ENTITIES',
      `unknown kind(s) ${unknown.join(', ')}; use a comma-separated list of ${ALL_BUILTIN_ENTITIES.join(', ')}, or none.`,
    );
  }
  return kinds as BuiltinEntity[];
}

/**
 * Reads and validates every setting once. The result is deeply frozen; nothing else in the
 * product reads `process.env`.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  // Every reader records a bad value and goes on, and each section's cross-field checks end only
  // that section: the operator sees every setting to fix in one start-up.
  const config = collectConfigProblems(env, (section): AppConfig => {
    const nodeEnv = readEnum<NodeEnv>(env, 'NODE_ENV', ['development', 'production', 'test'], 'development');
    const read: AppConfig = {
      nodeEnv,
      host: readString(env, 'HOST', '0.0.0.0'),
      port: readInt(env, 'PORT', 3978, 0, 65535),
      logLevel: readEnum(env, 'LOG_LEVEL', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], 'info'),
      auth: section(() => readAuth(env)),
      orders: section(() => readOrders(env)),
      nlu: section(() => readNlu(env)),
      dialog: { maxOrderIdAttempts: readInt(env, 'MAX_ORDER_ID_ATTEMPTS', 3, 1, 10) },
      state: section(() => readStateConfig(env)),
      telemetry: section(() => readTelemetryConfig(env)),
      storage: section(() => readStorage(env)),
      handoff: section(() => readHandoffConfig(env)),
      directLine: section(() => readDirectLineConfig(env)),
      teams: section(() => readTeamsConfig(env)),
      slack: section(() => readSlackConfig(env)),
      verification: section(() => readVerificationConfig(env, nodeEnv)),
      groups: section(() => readGroupsConfig(env)),
      limits: {
        maxMessageChars: readInt(env, 'MAX_MESSAGE_CHARS', 2000, 10, 100_000),
        maxBodyBytes: readInt(env, 'MAX_BODY_BYTES', 256 * 1024, 1024, 10 * 1024 * 1024),
        maxAttachments: readInt(env, 'MAX_ATTACHMENTS', 10, 0, 100),
        perUserPerMinute: readInt(env, 'RATE_LIMIT_USER_PER_MINUTE', 30, 0, 100_000),
        perConversationPerMinute: readInt(env, 'RATE_LIMIT_CONVERSATION_PER_MINUTE', 60, 0, 100_000),
        maxJsonDepth: readInt(env, 'MAX_JSON_DEPTH', 32, 4, 1000),
        perAddressPerMinute: readInt(env, 'RATE_LIMIT_ADDRESS_PER_MINUTE', 60, 0, 100_000),
        sessionsPerAddressPerMinute: readInt(env, 'WEBCHAT_SESSIONS_PER_ADDRESS_PER_MINUTE', 10, 0, 100_000),
        sessionsPerMinute: readInt(env, 'WEBCHAT_SESSIONS_PER_MINUTE', 600, 0, 1_000_000),
        trustProxyHops: readInt(env, 'TRUST_PROXY_HOPS', 0, 0, 10),
      },
    };
    section(() => requireProductionAuth(env, read));
    return read;
  });
  return deepFreeze(config);
}

function requireProductionAuth(env: Env, config: AppConfig): void {
  if (config.nodeEnv === 'production' && !config.auth?.MicrosoftAppId && !readBool(env, 'ALLOW_UNAUTHENTICATED_MESSAGES', false)) {
    // Without credentials /api/messages accepts any caller and posts replies to whatever
    // serviceUrl the activity names: an open door and a request-forgery vector in production.
    throw new ConfigError(
      'MicrosoftAppId',
      'is required when NODE_ENV=production: without it /api/messages accepts unauthenticated activities and sends replies to any serviceUrl. ' +
        'Set MicrosoftAppId (and MicrosoftAppPassword or a managed identity) from the Azure Bot resource, or set ALLOW_UNAUTHENTICATED_MESSAGES=true only on an isolated network.',
    );
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
