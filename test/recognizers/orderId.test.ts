import { strict as assert } from 'node:assert';
import { findOrderIds, isValidOrderId, normalizeOrderId } from '../../recognizers';
import { botRecognizer } from './helpers';

describe('order ids', () => {
  it('should normalise by trimming, dropping "#" and upper-casing', () => {
    assert.equal(normalizeOrderId(' #12345 '), '12345');
    assert.equal(normalizeOrderId('abc123'), 'ABC123');
    assert.equal(normalizeOrderId('xyz-7781'), 'XYZ-7781');
  });

  it('should validate ids against the default pattern', () => {
    assert.equal(isValidOrderId('#12345'), true);
    assert.equal(isValidOrderId('ORD-20931'), true);
    assert.equal(isValidOrderId('2'), false);
    assert.equal(isValidOrderId('ABCDE'), false, 'an id needs at least one digit');
    assert.equal(isValidOrderId(`${'A'.repeat(20)}1`), false, 'at most 20 characters');
  });

  it('should validate against a custom pattern', () => {
    assert.equal(isValidOrderId('ord-123', 'ORD-\\d{3}'), true);
    assert.equal(isValidOrderId('12345', 'ORD-\\d{3}'), false);
  });

  it('should find ids in many formats and leave "#" out of the span', () => {
    const found = findOrderIds('track #55555, XYZ-7781 and abc123.');

    assert.deepEqual(
      found.map((m) => [m.text, m.value, m.start]),
      [
        ['55555', '55555', 7],
        ['XYZ-7781', 'XYZ-7781', 14],
        ['abc123', 'ABC123', 27],
      ],
    );
  });

  it('should not take times, ordinals, quantities or e-mail parts as ids', () => {
    assert.deepEqual(findOrderIds('on May 10th at 10am I bought 1000 items, mail a1234@x.com'), []);
  });

  for (const [text, expected] of [
    ['where is my order 12345?', '12345'],
    ["it's #A1234-5", 'A1234-5'],
    ['can you check on abc123 for me', 'ABC123'],
    ['status of ORD-20931 please', 'ORD-20931'],
    ['XYZ-7781', 'XYZ-7781'],
  ] as const) {
    it(`should extract order_id ${expected} from "${text}"`, () => {
      const result = botRecognizer().parse(text);

      assert.deepEqual(result.entities?.order_id, [expected]);
      const span = result.entities?.$instance.order_id[0];
      assert.equal(text.slice(span.startIndex, span.endIndex).toUpperCase(), expected);
      assert.equal(span.type, 'order_id');
    });
  }

  for (const text of ['where is my order?', 'I ordered 2 items', 'my order is late', 'track my order please', 'hello', '']) {
    it(`should find no order_id in "${text}"`, () => {
      const result = botRecognizer().parse(text);

      assert.equal(result.entities?.order_id, undefined);
    });
  }
});
