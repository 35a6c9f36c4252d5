import { strict as assert } from 'node:assert';
import { dequantizeRows, quantizeRows, roundTripInt8Rows } from '../../recognizers/quantize';

describe('int8 weight rows', () => {
  const values = Float32Array.from([0.5, -0.25, 0.125, 0, 0, 0, 0, 0, 3, -7, 0.001, 2.5]);

  it('should keep each value within half a step of its row scale and zero rows exact', () => {
    const back = dequantizeRows(quantizeRows(values, 4));

    for (let r = 0; r < 3; r++) {
      const row = values.subarray(r * 4, r * 4 + 4);
      const step = Math.max(...row.map(Math.abs)) / 127;
      for (let j = 0; j < 4; j++) assert.ok(Math.abs((back[r * 4 + j] as number) - (row[j] as number)) <= step / 2 + 1e-7, `row ${r} col ${j}`);
    }
    assert.deepEqual([...back.subarray(4, 8)], [0, 0, 0, 0]);
    assert.equal(back[9], -7, 'the largest magnitude of a row is exact');
  });

  it('should round in place to exactly what a file gives back, and not move on a second rounding', () => {
    const inPlace = values.slice();
    roundTripInt8Rows(inPlace, 4);
    const once = inPlace.slice();
    roundTripInt8Rows(inPlace, 4);

    assert.deepEqual([...inPlace], [...once]);
    assert.deepEqual([...dequantizeRows(quantizeRows(values, 4))], [...once]);
    assert.deepEqual([...dequantizeRows(quantizeRows(once, 4))], [...once]);
  });

  it('should refuse sizes that do not divide into rows or do not match their scales', () => {
    assert.throws(() => quantizeRows(values, 5), /cannot quantise 12 values into rows of 5/);
    const q = quantizeRows(values, 4);
    assert.throws(() => dequantizeRows({ ...q, cols: 6 }), /sizes do not match/);
  });
});
