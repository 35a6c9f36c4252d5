/**
 * Settings for a bot that a benchmark starts: loopback on a free port, quiet, and none of the
 * abuse limits, since one loopback address drives all of a benchmark's traffic. Benchmarks that
 * measure the limits (bench:abuse, bench:attacks) start the bot with its defaults instead.
 */
export const BENCH_BOT_ENV = {
  PORT: '0',
  HOST: '127.0.0.1',
  NODE_ENV: 'development',
  LOG_LEVEL: 'silent',
  RATE_LIMIT_USER_PER_MINUTE: '0',
  RATE_LIMIT_CONVERSATION_PER_MINUTE: '0',
  RATE_LIMIT_ADDRESS_PER_MINUTE: '0',
  WEBCHAT_SESSIONS_PER_ADDRESS_PER_MINUTE: '0',
  WEBCHAT_SESSIONS_PER_MINUTE: '0',
} as const;
