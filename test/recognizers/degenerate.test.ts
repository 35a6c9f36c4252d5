import { strict as assert } from 'node:assert';
import { LocalRecognizer, NONE_INTENT, type TrainingData } from '../../recognizers';
import { dataFrom, topIntent } from './helpers';

describe('degenerate training data', () => {
  it('should refuse training data with no examples', () => {
    const empty: TrainingData = { examples: [], synonyms: {}, regexes: {}, lookups: {} };

    assert.throws(() => LocalRecognizer.train(empty), /no examples/);
  });

  it('should train on a single intent and still fall back on empty text', () => {
    const recognizer = LocalRecognizer.train(dataFrom({ greet: ['hi', 'hello'] }));

    assert.equal(topIntent(recognizer.parse('hello there').intents), 'greet');
    assert.equal(topIntent(recognizer.parse('').intents), NONE_INTENT);
  });

  it('should train with an intent that has a single example', () => {
    const recognizer = LocalRecognizer.train(dataFrom({ greet: ['hi', 'hello', 'hey there'], bye: ['goodbye'] }), { threshold: 0 });

    assert.equal(topIntent(recognizer.parse('goodbye').intents), 'bye');
  });

  it('should handle non-Latin text in training and input', () => {
    const recognizer = LocalRecognizer.train(
      dataFrom({ greet: ['привет', 'здравствуйте', 'こんにちは', '你好'], order: ['где мой заказ', '我的订单在哪里', '注文はどこ'] }),
      { threshold: 0 },
    );

    assert.equal(topIntent(recognizer.parse('мой заказ').intents), 'order');
    assert.equal(topIntent(recognizer.parse('订单').intents), 'order');
    assert.doesNotThrow(() => recognizer.parse('🙂 ¿qué? ✓'));
  });

  it('should not crash on very long input', () => {
    const recognizer = LocalRecognizer.train(dataFrom({ a: ['one two'], b: ['three four'] }));

    const result = recognizer.parse('word '.repeat(5000));

    assert.ok(Object.keys(result.intents).length > 0);
  });
});
