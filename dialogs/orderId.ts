/** What makes a string an order ID; the pattern comes from configuration (ORDER_ID_PATTERN). */
export interface OrderIdRules {
  pattern: string;
}

/** Canonical form: no leading '#', no surrounding space or punctuation, upper case. */
export function normalizeOrderId(raw: string): string {
  return raw
    .trim()
    .replace(/^[#\s"'“”‘’(\[]+/u, '')
    .replace(/[\s"'“”‘’)\].,!?;:]+$/u, '')
    .toUpperCase();
}

const compiled = new Map<string, RegExp>();

export function isValidOrderId(id: string, rules: OrderIdRules): boolean {
  let re = compiled.get(rules.pattern);
  if (!re) {
    re = new RegExp(rules.pattern, 'i');
    compiled.set(rules.pattern, re);
  }
  return id.length > 0 && id.length <= 64 && re.test(id);
}

/**
 * The order ID in a reply to "What is your order ID?": the recognizer's entity when it has one,
 * else the whole reply when it is nothing but an ID ("#12345", "abc-123").
 */
export function findOrderId(text: string, entity: string | undefined, rules: OrderIdRules): string | undefined {
  for (const raw of [entity, text]) {
    if (!raw) continue;
    const id = normalizeOrderId(raw);
    if (isValidOrderId(id, rules)) return id;
  }
  return undefined;
}
