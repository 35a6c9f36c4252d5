import { readFileSync } from 'node:fs';
import type { Order, OrderService } from '../../dialogs/ports';
import { OrderBackendError } from '../errors';
import { parseOrder } from './orderSchema';

/**
 * The embedded sample backend: orders from a JSON file, read once at start-up. Lets the bot
 * run with no configuration and gives tests a known set of orders.
 */
export class FileOrderService implements OrderService {
  private readonly orders: ReadonlyMap<string, Order>;

  constructor(orders: Order[]) {
    this.orders = new Map(orders.map((o) => [o.id.toUpperCase(), o]));
  }

  /** Reads and validates the file; errors name the file and the setting to fix. */
  static fromFile(file: string): FileOrderService {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new OrderBackendError('ORDERS_FILE_INVALID', `ORDERS_FILE: cannot read "${file}" as JSON (${(err as Error).message}).`, { cause: err });
    }
    if (!Array.isArray(raw)) {
      throw new OrderBackendError('ORDERS_FILE_INVALID', `ORDERS_FILE: "${file}" must hold a JSON array of orders.`);
    }
    const orders = raw.map((item, index) => {
      const order = parseOrder(item);
      if (typeof order === 'string') {
        throw new OrderBackendError('ORDERS_FILE_INVALID', `ORDERS_FILE: "${file}" entry ${index}: ${order}`);
      }
      return order;
    });
    return new FileOrderService(orders);
  }

  async getOrderStatus(orderId: string): Promise<Order | null> {
    return this.orders.get(orderId.toUpperCase()) ?? null;
  }

  get size(): number {
    return this.orders.size;
  }
}
