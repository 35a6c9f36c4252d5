import { isValidOrderId, normalizeOrderId } from '../recognizers';

/**
 * What makes a string an order ID: the configured pattern (ORDER_ID_PATTERN), the same one the
 * recognizer searches messages with; here it must match the whole candidate.
 */
export interface OrderIdRules {
  pattern: string;
}

/** Quotes, brackets and sentence punctuation a customer may put around an ID ("(12345)."). */
function stripWrapping(raw: string): string {
  return raw
    .trim()
    .replace(/^["'“”‘’([]+/u, '')
    .replace(/["'“”‘’)\].,!?;:]+$/u, '');
}

/**
 * The order ID in a reply to "What is your order ID?": the recognizer's entity when it has one,
 * else the whole reply when it is nothing but an ID ("#12345", "abc-123"). Normalised
 * (no `#`, upper case) as the recognizer normalises entities.
 */
export function findOrderId(text: string, entity: string | undefined, rules: OrderIdRules): string | undefined {
  for (const raw of [entity, text]) {
    if (!raw) continue;
    const id = normalizeOrderId(stripWrapping(raw));
    if (id.length <= 64 && isValidOrderId(id, rules.pattern)) return id;
  }
  return undefined;
}
