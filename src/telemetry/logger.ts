import pino, { type Logger } from 'pino';
import { currentLogContext } from './logContext';

export type { Logger };

/**
 * Fields whose values must never reach a log line: credentials, tokens, cookies, connection
 * strings. Paths are pino redact paths (one `*` matches one level).
 */
export const SECRET_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-slack-signature"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  '*.authorization',
  'password',
  '*.password',
  'token',
  '*.token',
  '*.accessToken',
  '*.botToken',
  '*.appToken',
  'secret',
  '*.secret',
  '*.signingSecret',
  'apiKey',
  '*.apiKey',
  '*.connectionString',
  '*.mongodbUri',
  'MicrosoftAppPassword',
  '*.MicrosoftAppPassword',
  'ORDERS_API_KEY',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'MONGODB_URI',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'METRICS_TOKEN',
];

/**
 * Fields that hold personal data. Masked unless LOG_PERSONAL_DATA is on. By convention what
 * the customer typed is logged only as `customerText`, and only at debug level.
 */
export const PERSONAL_PATHS = [
  'customerText',
  '*.customerText',
  'activity.text',
  'activity.from.name',
  'userName',
  '*.userName',
  'fromName',
  '*.fromName',
  'email',
  '*.email',
];

export interface LoggerOptions {
  level: string;
  /** `pretty` needs the pino-pretty dev dependency; without it the logger falls back to JSON. */
  format?: 'json' | 'pretty';
  /** Let personal data through (PERSONAL_PATHS); secrets are always redacted. */
  logPersonalData?: boolean;
  /** Extra static fields on every line (service name, instance id). */
  base?: Record<string, unknown>;
  destination?: pino.DestinationStream;
}

const SECRET_CENSOR = '[redacted]';

/**
 * Structured JSON logs (pretty in development): one logger per process. Every line written
 * while a request or turn runs carries its `requestId`, `turnId`, `conversationId` and
 * `channelId` (see logContext.ts), with no child loggers to pass around.
 */
export function createLogger(options: LoggerOptions): Logger {
  const personal = options.logPersonalData ? [] : PERSONAL_PATHS;
  const paths = [...SECRET_PATHS, ...personal];
  return pino(
    {
      level: options.level,
      base: { service: 'order-support-bot', ...options.base },
      redact: {
        paths,
        censor: (value: unknown, path: string[]) => (isPersonalPath(path) ? maskPersonal(value) : SECRET_CENSOR),
      },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: correlationFields,
    },
    options.destination ?? (options.format === 'pretty' ? prettyStream() : undefined),
  );
}

function correlationFields(): Record<string, string> {
  const context = currentLogContext();
  if (!context) return {};
  const fields: Record<string, string> = {};
  if (context.requestId) fields.requestId = context.requestId;
  if (context.turnId) fields.turnId = context.turnId;
  if (context.conversationId) fields.conversationId = context.conversationId;
  if (context.channelId) fields.channelId = context.channelId;
  return fields;
}

const PERSONAL_KEYS = new Set(PERSONAL_PATHS.map((p) => p.split('.').pop() as string));

/** Secret paths and personal paths share no last segment except `text` and `name` under `activity`. */
function isPersonalPath(path: string[]): boolean {
  const last = path[path.length - 1] ?? '';
  return PERSONAL_KEYS.has(last) && !SECRET_KEYS.has(last);
}

const SECRET_KEYS = new Set(SECRET_PATHS.map((p) => p.split('.').pop() as string));

/** Keeps the shape (how long the text was) for debugging, not the content. */
function maskPersonal(value: unknown): string {
  return typeof value === 'string' ? `[personal data: ${Array.from(value).length} chars]` : '[personal data]';
}

function prettyStream(): pino.DestinationStream | undefined {
  try {
    // A dev dependency, absent from production images, where JSON is the right format anyway.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const build = require('pino-pretty') as (options: Record<string, unknown>) => pino.DestinationStream;
    return build({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', sync: true });
  } catch {
    return undefined;
  }
}
