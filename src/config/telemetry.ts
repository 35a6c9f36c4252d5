import { ConfigError } from '../errors';
import { type Env, readBool, readEnum, readFloat, readInt, readOptional } from './env';

/** How the bot reports on itself: logs, Prometheus metrics, Application Insights, shutdown. */
export interface TelemetryConfig {
  /** Application Insights connection string; undefined means telemetry is a no-op. */
  appInsightsConnectionString?: string;
  /**
   * Share of conversations (0-100) whose items are sent to Application Insights; all of a
   * conversation's items or none. Failed turns are always sent. Metrics and transcripts are
   * never sampled.
   */
  samplingPercentage: number;
  /**
   * Whether customer text, names and raw user ids may reach logs and Application Insights.
   * Off by default: text is masked, user ids are hashed.
   */
  logPersonalData: boolean;
  /** `pretty` for humans (needs the pino-pretty dev dependency), `json` for log shippers. */
  logFormat: 'json' | 'pretty';
  /** Serve Prometheus metrics at GET /metrics. */
  metricsEnabled: boolean;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** Longest wait for turns in flight on SIGTERM before closing anyway. */
  shutdownTimeoutMs: number;
}

/**
 * Reads the telemetry settings. `stdoutIsTty` picks the default log format: pretty in
 * development on a terminal, JSON everywhere else (containers, CI, files).
 */
export function readTelemetryConfig(env: Env, stdoutIsTty: boolean = Boolean(process.stdout.isTTY)): TelemetryConfig {
  const nodeEnv = readEnum(env, 'NODE_ENV', ['development', 'production', 'test'], 'development');
  const connectionString = readOptional(env, 'APPLICATIONINSIGHTS_CONNECTION_STRING');
  if (connectionString !== undefined && !/(^|;)\s*InstrumentationKey\s*=\s*[0-9a-f-]{36}\s*(;|$)/i.test(connectionString)) {
    throw new ConfigError(
      'APPLICATIONINSIGHTS_CONNECTION_STRING',
      'expected "InstrumentationKey=<guid>;IngestionEndpoint=https://..." as shown on the Application Insights resource overview; leave it empty to turn telemetry off.',
    );
  }
  const defaultFormat = nodeEnv === 'development' && stdoutIsTty ? 'pretty' : 'json';
  return {
    appInsightsConnectionString: connectionString,
    samplingPercentage: readFloat(env, 'TELEMETRY_SAMPLING_PERCENTAGE', 100, 0, 100),
    logPersonalData: readBool(env, 'LOG_PERSONAL_DATA', false),
    logFormat: readEnum(env, 'LOG_FORMAT', ['json', 'pretty'], defaultFormat),
    metricsEnabled: readBool(env, 'METRICS_ENABLED', true),
    metricsToken: readOptional(env, 'METRICS_TOKEN'),
    shutdownTimeoutMs: readInt(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 120_000),
  };
}
