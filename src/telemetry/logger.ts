import pino, { type Logger } from 'pino';

export type { Logger };

/** Fields whose values must never reach a log line. */
const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  '*.password',
  '*.token',
  '*.secret',
  'MicrosoftAppPassword',
  'ORDERS_API_KEY',
];

export interface LoggerOptions {
  level: string;
  /** Extra static fields on every line (service name, instance id). */
  base?: Record<string, unknown>;
  destination?: pino.DestinationStream;
}

/** Structured JSON logs on stdout; one logger per process, children per request and turn. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'order-support-bot', ...options.base },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
