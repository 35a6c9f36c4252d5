import { strict as assert } from 'node:assert';
import { LocalRecognizer, loadTrainingData } from '../../recognizers';
import { findBuiltinEntities } from '../../recognizers/entities/builtins';
import { BOT_NLU } from './helpers';

describe('built-in entities', () => {
  it('should find e-mails, URLs, phone numbers, numbers and dates with exclusive ends', () => {
    const text = 'mail joe@example.com, see https://example.com, call 555-123-4567, 3 items tomorrow';

    const found = findBuiltinEntities(text, ['email', 'url', 'phonenumber', 'number', 'datetime']);

    const byType = (type: string) => found.filter((e) => e.type === type).map((e) => text.slice(e.start, e.end));
    assert.deepEqual(byType('email'), ['joe@example.com']);
    assert.deepEqual(byType('url'), ['https://example.com']);
    assert.deepEqual(byType('phonenumber'), ['555-123-4567']);
    assert.ok(byType('number').includes('3'));
    assert.deepEqual(byType('datetime'), ['tomorrow']);
  });

  it('should skip the costly models when the text cannot hold a number or date', () => {
    assert.deepEqual(findBuiltinEntities('yes please', ['number', 'datetime']), []);
  });

  it('should prefer a formatted phone number over the order-id pattern, and an order id over a number', () => {
    const recognizer = LocalRecognizer.train(loadTrainingData(BOT_NLU));

    const phone = recognizer.parse('call me on 555-123-4567');
    const order = recognizer.parse('where is order 12345');

    assert.deepEqual(phone.entities?.phonenumber, ['555-123-4567']);
    assert.equal(phone.entities?.order_id, undefined);
    assert.deepEqual(order.entities?.order_id, ['12345']);
    assert.equal(order.entities?.number, undefined);
  });
});
