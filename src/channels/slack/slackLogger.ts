import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../../telemetry/logger';

/**
 * Bolt and the Slack Web API client log through `@slack/logger`'s interface; this sends their
 * lines to our pino logger (as a `component: "slack-sdk"` child) so there is one log stream.
 * The level is pino's: Bolt's own `setLevel` calls are ignored on purpose.
 */
export function slackSdkLogger(logger: Logger): SlackLogger {
  const child = logger.child({ component: 'slack-sdk' });
  const write = (level: 'debug' | 'info' | 'warn' | 'error', parts: unknown[]): void => {
    if (!child.isLevelEnabled(level)) return;
    const err = parts.find((p): p is Error => p instanceof Error);
    const text = parts
      .filter((p) => p !== err)
      .map((p) => (typeof p === 'string' ? p : safeJson(p)))
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
