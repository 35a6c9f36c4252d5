import { readFileSync } from 'node:fs';
import type { Order, OrderService, VerifiedIdentity } from '../../dialogs/ports';
import { OrderBackendError } from '../errors';
import { normaliseAnswer, sameAnswer } from '../verification/answers';
import { parseOrder } from './orderSchema';

/**
 * What the order system knows about an order's buyer and never hands to the bot: the e-mail
 * address and postcode (knowledge check) and the verified identities that own it
 * (`teams:<Entra object id>`, `slack:<user id>`, `webchat:<host site user id>`).
 */
export interface OrderOwner {
  email?: string;
  postcode?: string;
  customers?: string[];
}

export type OrderRecord = Order & OrderOwner;

/**
 * The embedded sample backend: orders from a JSON file, read once at start-up. Lets the bot
 * run with no configuration and gives tests a known set of orders. It implements the same
 * checks the HTTP contract asks of a real order system (docs/orders-api.openapi.yaml).
 */
export class FileOrderService implements OrderService {
  private readonly orders: ReadonlyMap<string, Order>;
  private readonly owners: ReadonlyMap<string, { email?: string; postcode?: string; customers: Set<string> }>;

  constructor(orders: OrderRecord[]) {
    this.orders = new Map(
      orders.map((o) => [
        o.id.toUpperCase(),
        { id: o.id, status: o.status, eta: o.eta ?? null, carrier: o.carrier ?? null, trackingUrl: o.trackingUrl ?? null },
      ]),
    );
    this.owners = new Map(
      orders.map((o) => [
        o.id.toUpperCase(),
        {
          ...(o.email ? { email: normaliseAnswer(o.email).value } : {}),
          ...(o.postcode ? { postcode: normaliseAnswer(o.postcode).value } : {}),
          customers: new Set((o.customers ?? []).map((c) => c.toLowerCase())),
        },
      ]),
    );
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
    const orders = raw.map((item, index): OrderRecord => {
      const order = parseOrder(item);
      const owner = parseOwner(item);
      const problem = typeof order === 'string' ? order : typeof owner === 'string' ? owner : undefined;
      if (problem !== undefined) {
        throw new OrderBackendError('ORDERS_FILE_INVALID', `ORDERS_FILE: "${file}" entry ${index}: ${problem}`);
      }
      return { ...(order as Order), ...(owner as OrderOwner) };
    });
    return new FileOrderService(orders);
  }

  async getOrderStatus(orderId: string): Promise<Order | null> {
    return this.orders.get(orderId.toUpperCase()) ?? null;
  }

  /**
   * Compares the normalised answer with the order's e-mail or postcode in constant time. An
   * unknown order is compared against a dummy value, so it takes the same time and says false.
   */
  async verifyOrder(orderId: string, answer: string): Promise<boolean> {
    const owner = this.owners.get(orderId.toUpperCase());
    const given = normaliseAnswer(answer);
    const stored = (given.kind === 'email' ? owner?.email : owner?.postcode) ?? '\u0000no-value';
    const same = sameAnswer(given.value, stored);
    return same && owner !== undefined && given.value.length > 0;
  }

  async ordersForCustomer(customer: VerifiedIdentity): Promise<Order[]> {
    const key = `${customer.provider}:${customer.id}`.toLowerCase();
    const email = customer.email ? normaliseAnswer(customer.email).value : undefined;
    const mine: Order[] = [];
    for (const [id, owner] of this.owners) {
      if (owner.customers.has(key) || (email !== undefined && owner.email !== undefined && sameAnswer(email, owner.email))) {
        mine.push(this.orders.get(id) as Order);
      }
    }
    return mine;
  }

  get size(): number {
    return this.orders.size;
  }
}

function parseOwner(item: unknown): OrderOwner | string {
  const o = (item ?? {}) as Record<string, unknown>;
  for (const field of ['email', 'postcode'] as const) {
    if (o[field] !== undefined && o[field] !== null && typeof o[field] !== 'string') return `"${field}" must be a string`;
  }
  if (o.customers !== undefined && (!Array.isArray(o.customers) || o.customers.some((c) => typeof c !== 'string' || !/^(teams|slack|webchat):.+/.test(c)))) {
    return '"customers" must be an array of "teams:<id>", "slack:<id>" or "webchat:<id>" strings';
  }
  return {
    ...(typeof o.email === 'string' ? { email: o.email } : {}),
    ...(typeof o.postcode === 'string' ? { postcode: o.postcode } : {}),
    ...(Array.isArray(o.customers) ? { customers: o.customers as string[] } : {}),
  };
}
