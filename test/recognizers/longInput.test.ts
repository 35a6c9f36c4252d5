import { strict as assert } from 'node:assert';
import { MAX_RECOGNIZED_CHARS, recognitionWindow } from '../../recognizers';
import { resolveOverlaps, type FoundEntity } from '../../recognizers/entities/extractor';
import { botRecognizer } from './helpers';

// Timing lives in `npm run bench:long-input`; these tests pin the behaviour that keeps long input cheap.
describe('Long input', () => {
  const request = 'where is my order 12345? ';
  const long = request + 'blah '.repeat((100 * 1024) / 5);

  it('should read only a bounded window of a 100 KB message, cut at a word boundary', () => {
    const window = recognitionWindow(long);

    assert.ok(window.length <= MAX_RECOGNIZED_CHARS);
    assert.ok(window.length > MAX_RECOGNIZED_CHARS - 10);
    assert.ok(long.startsWith(window));
    assert.match(window, /blah$/);
    assert.equal(recognitionWindow(request), request);
  });

  it('should recognise a 100 KB message as its window, keep the full text and find the order ID at the start', () => {
    const result = botRecognizer().parse(long);

    assert.equal(result.text, long);
    assert.deepEqual(result.intents, botRecognizer().parse(recognitionWindow(long)).intents);
    const instance = (result.entities.$instance as Record<string, Array<{ startIndex: number; endIndex: number }>>).order_id?.[0];
    assert.ok(instance, 'order_id found');
    assert.equal(long.slice(instance.startIndex, instance.endIndex), '12345');
  });

  it('should resolve thousands of entities exactly as pairwise comparison would', () => {
    const found: FoundEntity[] = [];
    for (let i = 0; i < 3000; i++) {
      const start = i * 7;
      found.push({ type: 'order_id', start, end: start + 5, text: 'x', value: 'x', score: 0.9, source: 'pattern' });
      found.push({ type: 'order_id', start: start + 3, end: start + 9, text: 'y', value: 'y', score: 0.5, source: 'tagger' });
      found.push({ type: 'number', start: start + 1, end: start + 2, text: '1', value: '1', score: 0.5, source: 'builtin' });
    }
    const kept = resolveOverlaps(found);

    // Tagger spans outrank patterns, so each tagger span stays and the overlapping patterns and built-ins go.
    assert.ok(
      kept.every((e, i) => i === 0 || kept[i - 1]!.end <= e.start),
      'no overlaps among kept entities',
    );
    assert.equal(kept.filter((e) => e.source === 'tagger').length, 3000);
    assert.equal(kept.filter((e) => e.source === 'builtin').length, 1);
  });
});
