import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../../telemetry/logger';

/**
 * Bolt and the Slack Web API client log through `@slack/logger`'s interface; this sends their
 * lines to our pino logger (as a `component: "slack-sdk"` child) so there is one log stream.
 * The level is pino's: Bolt's own `setLevel` calls are ignored on purpose.
 *
 * The SDKs' debug lines carry whole payloads (`http request body: {...}` with the customer's
 * text, `http request result`, Bolt's dump of every incoming event), which pino's field
 * redaction cannot see inside a message string. Those parts are replaced by their size, at
 * every level, whatever LOG_PERSONAL_DATA says: a debug log must not become a transcript.
 */
export function slackSdkLogger(logger: Logger): SlackLogger {
  const child = logger.child({ component: 'slack-sdk' });
  const write = (level: 'debug' | 'info' | 'warn' | 'error', parts: unknown[]): void => {
    if (!child.isLevelEnabled(level)) return;
    const err = parts.find((p): p is Error => p instanceof Error);
    const text = parts
      .filter((p) => p !== err)
      .map(redactPart)
      .join(' ');
    if (err) child[level]({ err }, text || err.message);
    else child[level](text);
  };
  return {
    // The interface is `(...msg: any[])`; we accept unknown[] and format each part ourselves.
    debug: (...parts: unknown[]) => write('debug', parts),
    info: (...parts: unknown[]) => write('info', parts),
    warn: (...parts: unknown[]) => write('warn', parts),
    error: (...parts: unknown[]) => write('error', parts),
    setLevel: () => undefined,
    getLevel: () => toSlackLevel(child.level),
    setName: () => undefined,
  };
}

/** Lines whose remainder is a request or response payload. */
const PAYLOAD_PREFIX = /^(http request body|http request result|http response body|http request headers)\s*:?\s*/i;

/** One part of an SDK log call, with payloads reduced to their size. */
export function redactPart(part: unknown): string {
  if (typeof part !== 'string') return `[payload redacted: ${safeJson(part).length} chars]`;
  const prefix = PAYLOAD_PREFIX.exec(part);
  if (prefix) return `${prefix[1]}: [redacted: ${part.length - prefix[0].length} chars]`;
  if (/^\s*[[{]/.test(part)) return `[payload redacted: ${part.length} chars]`;
  return part;
}

function toSlackLevel(level: string): LogLevel {
  switch (level) {
    case 'trace':
    case 'debug':
      return LogLevel.DEBUG;
    case 'info':
      return LogLevel.INFO;
    case 'warn':
      return LogLevel.WARN;
    default:
      return LogLevel.ERROR;
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
