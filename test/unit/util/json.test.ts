import { strict as assert } from 'node:assert';
import { asArray, asRecord, isRecord, nonEmptyString } from '../../../src/util/json';

describe('JSON shape helpers', () => {
  it('should accept only plain objects as records', () => {
    assert.equal(isRecord({ a: 1 }), true);
    assert.equal(isRecord(Object.create(null)), true);
    for (const value of [null, undefined, [], [1], 'x', 0, 1, true, false]) assert.equal(isRecord(value), false, JSON.stringify(value));
    const record = { a: 1 };
    assert.equal(asRecord(record), record);
    assert.equal(asRecord([]), undefined);
    assert.equal(asRecord(0), undefined);
  });

  it('should read arrays and non-empty strings, anything else as absent', () => {
    const list = [1, 2];
    assert.equal(asArray(list), list);
    assert.deepEqual(asArray({ length: 1 }), []);
    assert.deepEqual(asArray(undefined), []);
    assert.equal(nonEmptyString('x'), 'x');
    assert.equal(nonEmptyString(''), undefined);
    assert.equal(nonEmptyString(1), undefined);
    assert.equal(nonEmptyString(null), undefined);
  });
});
