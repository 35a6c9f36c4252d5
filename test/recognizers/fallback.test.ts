import { strict as assert } from 'node:assert';
import { applyFallback, didYouMean, NONE_INTENT, topIntent } from '../../recognizers';
import { decide, recommend, sweep } from '../../recognizers/evaluation/sweep';
import type { Prediction } from '../../recognizers/evaluation/evaluate';

const scores = (...pairs: Array<[string, number]>) => pairs.map(([intent, score]) => ({ intent, score }));

describe('fallback policy', () => {
  it('should keep a confident, clear answer', () => {
    const decision = applyFallback(scores(['greet', 0.9], ['bye', 0.05], [NONE_INTENT, 0]), 0.5, 0.1);

    assert.equal(decision.topIntent, 'greet');
    assert.equal(decision.fallback, undefined);
  });

  it('should fall back on low confidence and rank None first', () => {
    const decision = applyFallback(scores(['greet', 0.4], ['bye', 0.3], [NONE_INTENT, 0]), 0.5, 0);

    assert.equal(decision.topIntent, NONE_INTENT);
    assert.equal(decision.fallback, 'low_confidence');
    assert.equal(decision.intents[0]?.intent, NONE_INTENT);
    assert.deepEqual(
      decision.intents.find((i) => i.intent === 'greet'),
      { intent: 'greet', score: 0.4 },
    );
  });

  it('should fall back when the top two are closer than the margin', () => {
    const decision = applyFallback(scores(['greet', 0.52], ['bye', 0.48], [NONE_INTENT, 0]), 0.5, 0.1);

    assert.equal(decision.fallback, 'ambiguous');
    assert.equal(decision.intents[0]?.intent, NONE_INTENT);
  });

  it('should pass a model-predicted None through unchanged', () => {
    const decision = applyFallback(scores([NONE_INTENT, 0.7], ['greet', 0.3]), 0.5, 0.1);

    assert.equal(decision.topIntent, NONE_INTENT);
    assert.equal(decision.fallback, undefined);
  });

  it('should answer None for an empty candidate list', () => {
    assert.equal(applyFallback([], 0.5, 0.1).topIntent, NONE_INTENT);
  });

  const prediction = (intent: string, candidate: string, confidence: number, margin: number): Prediction => ({
    text: '',
    intent,
    predicted: candidate,
    candidate,
    confidence,
    margin,
    entities: [],
    predictedEntities: [],
  });

  it('should recompute decisions for a sweep without re-running the model', () => {
    const p = prediction('greet', 'greet', 0.4, 0.3);

    assert.equal(decide(p, 0.3, 0), 'greet');
    assert.equal(decide(p, 0.5, 0), NONE_INTENT);
    assert.equal(decide(p, 0.3, 0.35), NONE_INTENT);
  });

  it('should trade in-scope accuracy for out-of-scope recall along the sweep', () => {
    const predictions = [prediction('a', 'a', 0.9, 0.8), prediction('b', 'b', 0.45, 0.2), prediction(NONE_INTENT, 'a', 0.4, 0.1)];

    const rows = sweep(predictions, [0, 0.42, 0.5], [0]);

    assert.deepEqual(
      rows.map((r) => [r.inScopeAccuracy, r.outOfScopeRecall]),
      [
        [1, 0],
        [1, 1],
        [0.5, 1],
      ],
    );
    assert.equal(recommend(rows)?.threshold, 0.42, 'best overall accuracy');
  });

  it('should recommend the most cautious threshold that keeps accuracy when there is no out-of-scope data', () => {
    const predictions = [prediction('a', 'a', 0.9, 0.8), prediction('b', 'b', 0.6, 0.5), prediction('b', 'a', 0.3, 0.1)];

    const rows = sweep(predictions, [0, 0.5, 0.7], [0]);

    assert.equal(recommend(rows)?.threshold, 0.5);
  });
});

describe('fallback helpers for dialogs', () => {
  it('should pick the top intent LUIS-style, with a default below the minimum score', () => {
    const result = { intents: { greet: { score: 0.6 }, bye: { score: 0.3 } } };

    assert.equal(topIntent(result), 'greet');
    assert.equal(topIntent(result, 'None', 0.7), 'None');
  });

  it('should offer "Did you mean" candidates only after a fallback', () => {
    const candidates = scores(['greet', 0.42], ['bye', 0.3], ['help', 0.05]);

    assert.deepEqual(
      didYouMean({ intents: {}, candidates, fallback: { reason: 'low_confidence' } }).map((c) => c.intent),
      ['greet', 'bye'],
    );
    assert.deepEqual(didYouMean({ intents: {}, candidates }), []);
  });
});
