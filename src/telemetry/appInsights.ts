import {
  Severity,
  type BotPageViewTelemetryClient,
  type BotTelemetryClient,
  type TelemetryDependency,
  type TelemetryEvent,
  type TelemetryException,
  type TelemetryPageView,
  type TelemetryTrace,
} from 'botbuilder-core';
import type { TelemetryClient } from 'applicationinsights';
import { scrubProperties } from './personalData';

export interface AppInsightsOptions {
  connectionString: string;
  /** Send customer text, names and raw user ids (off by default). */
  logPersonalData: boolean;
  /**
   * Extra options for the Azure Monitor exporter's HTTP pipeline, merged over ours. Tests use
   * `{ tlsOptions: { ca } }` to trust a local stand-in for the ingestion service.
   */
  exporterOptions?: Record<string, unknown>;
}

/** A telemetry client the composition root can flush and shut down. */
export interface ClosableTelemetryClient extends BotTelemetryClient, BotPageViewTelemetryClient {
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

const SEVERITY: Record<Severity, 'Verbose' | 'Information' | 'Warning' | 'Error' | 'Critical'> = {
  [Severity.Verbose]: 'Verbose',
  [Severity.Information]: 'Information',
  [Severity.Warning]: 'Warning',
  [Severity.Error]: 'Error',
  [Severity.Critical]: 'Critical',
};

/**
 * botbuilder's `BotTelemetryClient` over the public API of applicationinsights 3.x.
 * (botbuilder-applicationinsights wraps 2.x internals that 3.x no longer has.)
 *
 * The 3.x client is an OpenTelemetry pipeline: items are batched by OTel processors and sent
 * to `{IngestionEndpoint}/v2.1/track` on a timer or on `flush()`. We use an isolated client
 * (`useGlobalProviders: false`): no global auto-instrumentation of http or mongodb, no state
 * shared between two apps in one process, only what we track by hand. Offline disk caching
 * is off: a container's disk is not a place to queue telemetry.
 */
export class AppInsightsTelemetryClient implements ClosableTelemetryClient {
  private constructor(
    private readonly client: TelemetryClient,
    private readonly keepPersonalData: boolean,
  ) {}

  static create(options: AppInsightsOptions): AppInsightsTelemetryClient {
    // Loaded lazily: the OpenTelemetry SDK is heavy and unused when telemetry is off.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { TelemetryClient: Client } = require('applicationinsights') as typeof import('applicationinsights');
    const client = new Client(options.connectionString, { useGlobalProviders: false });
    client.config.enableUseDiskRetryCaching = false;
    client.config.azureMonitorOpenTelemetryOptions = {
      azureMonitorExporterOptions: {
        connectionString: options.connectionString,
        disableOfflineStorage: true,
        ...options.exporterOptions,
      },
    };
    client.initialize();
    return new AppInsightsTelemetryClient(client, options.logPersonalData);
  }

  trackEvent(telemetry: TelemetryEvent): void {
    this.client.trackEvent({
      name: telemetry.name,
      properties: this.scrub(telemetry.properties),
      measurements: telemetry.metrics,
    });
  }

  trackTrace(telemetry: TelemetryTrace): void {
    this.client.trackTrace({
      message: telemetry.message,
      severity: SEVERITY[telemetry.severityLevel ?? Severity.Information],
      properties: this.scrub(telemetry.properties),
    });
  }

  trackException(telemetry: TelemetryException): void {
    this.client.trackException({
      exception: telemetry.exception,
      severity: SEVERITY[telemetry.severityLevel ?? Severity.Error],
      properties: { ...this.scrub(telemetry.properties), ...(telemetry.handledAt ? { handledAt: telemetry.handledAt } : {}) },
      measurements: telemetry.measurements,
    });
  }

  trackDependency(telemetry: TelemetryDependency): void {
    this.client.trackDependency({
      name: telemetry.name,
      data: telemetry.data,
      target: telemetry.target,
      dependencyTypeName: telemetry.dependencyTypeName,
      duration: telemetry.duration,
      success: telemetry.success,
      resultCode: telemetry.resultCode,
    });
  }

  trackPageView(telemetry: TelemetryPageView): void {
    this.client.trackPageView({
      id: telemetry.name,
      name: telemetry.name,
      properties: this.scrub(telemetry.properties),
      measurements: telemetry.metrics,
    });
  }

  /** Sends everything batched so far; resolves when the ingestion endpoint has answered. */
  async flush(): Promise<void> {
    await this.client.flush();
  }

  /** Flushes, then stops the exporters' timers. */
  async shutdown(): Promise<void> {
    await this.client.flush();
    await this.client.shutdown();
  }

  private scrub(properties: Record<string, unknown> | undefined): Record<string, string> {
    return scrubProperties(properties, this.keepPersonalData);
  }
}
