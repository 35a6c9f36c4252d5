import type { OrderService } from '../../dialogs/ports';
import type { AppConfig } from '../config/config';
import { FileOrderService } from '../orders/FileOrderService';
import { HttpOrderService } from '../orders/HttpOrderService';
import { ResilientOrderService } from '../orders/ResilientOrderService';
import type { Logger } from '../telemetry/logger';
import type { BotMetrics } from '../telemetry/metrics';

/** The order backend and what closes it (the HTTP client's bulkhead), built from ORDERS_* settings. */
export interface OrderBackend {
  service: OrderService;
  close?: () => Promise<void>;
}

/** The HTTP orders API (bulkhead, circuit breaker) when ORDERS_API_URL is set, else the sample file. */
export function createOrderService(config: AppConfig, logger: Logger, metrics: BotMetrics): OrderBackend {
  const { orders } = config;
  if (orders.apiUrl) {
    logger.info({ baseUrl: orders.apiUrl }, 'using the HTTP orders API');
    const client = new HttpOrderService({
      baseUrl: orders.apiUrl,
      apiKey: orders.apiKey,
      timeoutMs: orders.timeoutMs,
      retries: orders.retries,
      logger,
      metrics,
    });
    const resilient = new ResilientOrderService(client, {
      maxConcurrency: orders.maxConcurrency,
      maxQueue: orders.maxQueue,
      errorThresholdPercentage: orders.breakerErrorPercent,
      volumeThreshold: orders.breakerMinCalls,
      resetTimeoutMs: orders.breakerResetMs,
      logger,
    });
    return { service: resilient, close: async () => resilient.shutdown() };
  }
  const service = FileOrderService.fromFile(orders.file);
  logger.info({ file: orders.file, orders: service.size }, 'using the sample order backend');
  return { service };
}
