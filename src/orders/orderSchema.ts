import { ORDER_STATUS_CODES, type Order, type OrderStatusCode } from '../../dialogs/ports';

function optionalString(value: unknown): value is string | null | undefined {
  return value === undefined || value === null || typeof value === 'string';
}

/**
 * Checks an order from a file or an API response. Returns the order, or a sentence saying what
 * is wrong (used in start-up errors and backend logs).
 */
export function parseOrder(value: unknown): Order | string {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'expected an object';
  const o = value as Record<string, unknown>;
  if (typeof o.id !== 'string' || o.id.trim() === '') return '"id" must be a non-empty string';
  if (typeof o.status !== 'string' || !ORDER_STATUS_CODES.includes(o.status as OrderStatusCode)) {
    return `"status" must be one of ${ORDER_STATUS_CODES.join(', ')}`;
  }
  for (const field of ['eta', 'carrier', 'trackingUrl'] as const) {
    if (!optionalString(o[field])) return `"${field}" must be a string or null`;
  }
  if (typeof o.eta === 'string' && Number.isNaN(new Date(o.eta).getTime())) return '"eta" must be an ISO 8601 date';
  if (typeof o.trackingUrl === 'string' && !/^https?:\/\//i.test(o.trackingUrl)) return '"trackingUrl" must be an http(s) URL';
  return {
    id: o.id,
    status: o.status as OrderStatusCode,
    eta: (o.eta as string | null | undefined) ?? null,
    carrier: (o.carrier as string | null | undefined) ?? null,
    trackingUrl: (o.trackingUrl as string | null | undefined) ?? null,
  };
}
