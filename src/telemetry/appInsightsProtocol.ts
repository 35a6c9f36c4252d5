/**
 * Messages between the main thread and the Application Insights worker (appInsightsWorker.ts).
 * Everything here is plain data: it crosses the thread boundary by structured clone.
 */

export type Severity = 'Verbose' | 'Information' | 'Warning' | 'Error' | 'Critical';

/** One telemetry item, already scrubbed of personal data on the main thread. */
export type TelemetryItem =
  | { kind: 'event'; name: string; properties: Record<string, string>; measurements?: Record<string, number> }
  | { kind: 'trace'; message: string; severity: Severity; properties: Record<string, string> }
  | {
      kind: 'exception';
      error: { name: string; message: string; stack?: string };
      severity: Severity;
      properties: Record<string, string>;
      measurements?: Record<string, number>;
    }
  | {
      kind: 'dependency';
      name: string;
      data: string;
      target: string;
      dependencyTypeName: string;
      duration: number;
      success: boolean;
      resultCode: number;
    };

/** What the worker is started with (its `workerData`). */
export interface WorkerInit {
  connectionString: string;
  exporterOptions?: Record<string, unknown>;
}

export type ToWorker =
  /** `items` is a JSON array of TelemetryItem: cheaper to copy across than a structured clone. */
  { type: 'items'; items: string } | { type: 'flush'; id: number } | { type: 'shutdown'; id: number };

export type FromWorker =
  /** `count` items of a batch were handed to the SDK. */
  { type: 'ack'; count: number } | { type: 'done'; id: number; error?: string };
