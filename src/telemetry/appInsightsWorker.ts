import { parentPort, workerData } from 'node:worker_threads';
import { TelemetryClient } from 'applicationinsights';
import type { FromWorker, TelemetryItem, ToWorker, WorkerInit } from './appInsightsProtocol';

/**
 * The Application Insights worker thread: owns the applicationinsights 3.x `TelemetryClient`
 * (an OpenTelemetry pipeline that builds, batches, serialises, compresses and sends items),
 * so none of that work runs on the thread that serves turns.
 *
 * The client is isolated (`useGlobalProviders: false`): no global auto-instrumentation, only
 * the items the bot sends. Offline disk caching is off: a container's disk is no place to
 * queue telemetry.
 */
const init = workerData as WorkerInit;
const client = new TelemetryClient(init.connectionString, { useGlobalProviders: false });
client.config.enableUseDiskRetryCaching = false;
client.config.azureMonitorOpenTelemetryOptions = {
  azureMonitorExporterOptions: { connectionString: init.connectionString, disableOfflineStorage: true, ...init.exporterOptions },
};
client.initialize();

function track(item: TelemetryItem): void {
  switch (item.kind) {
    case 'event':
      client.trackEvent({ name: item.name, properties: item.properties, measurements: item.measurements });
      break;
    case 'trace':
      client.trackTrace({ message: item.message, severity: item.severity, properties: item.properties });
      break;
    case 'exception': {
      const error = Object.assign(new Error(item.error.message), { name: item.error.name, stack: item.error.stack });
      client.trackException({ exception: error, severity: item.severity, properties: item.properties, measurements: item.measurements });
      break;
    }
    case 'dependency':
      client.trackDependency({
        name: item.name,
        data: item.data,
        target: item.target,
        dependencyTypeName: item.dependencyTypeName,
        duration: item.duration,
        success: item.success,
        resultCode: item.resultCode,
      });
      break;
  }
}

function reply(message: FromWorker): void {
  parentPort?.postMessage(message);
}

parentPort?.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'items': {
      const items = JSON.parse(message.items) as TelemetryItem[];
      for (const item of items) track(item);
      reply({ type: 'ack', count: items.length });
      break;
    }
    case 'flush':
      client.flush().then(
        () => reply({ type: 'done', id: message.id }),
        (err: unknown) => reply({ type: 'done', id: message.id, error: String(err) }),
      );
      break;
    case 'shutdown':
      client
        .flush()
        .then(() => client.shutdown())
        .then(
          () => reply({ type: 'done', id: message.id }),
          (err: unknown) => reply({ type: 'done', id: message.id, error: String(err) }),
        );
      break;
  }
});
