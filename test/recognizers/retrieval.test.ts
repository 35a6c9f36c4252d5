import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { loadTrainingData, LocalRecognizer, NONE_INTENT, reportedIntent } from '../../recognizers';
import { crossValidate } from '../../recognizers/evaluation/evaluate';
import { topIntent } from './helpers';

const data = loadTrainingData(join(__dirname, 'fixtures', 'retrieval.yml'));

describe('retrieval intents', () => {
  const recognizer = LocalRecognizer.train(data, { builtinEntities: [], threshold: 0 });

  it('should report the base intent as the intent and the sub-intent as the response key', () => {
    const result = recognizer.parse('how much is the premium plan per month');

    assert.equal(topIntent(result.intents), 'faq');
    assert.equal(result.retrieval?.intent, 'faq');
    assert.equal(result.retrieval?.responseKey, 'faq/ask_price');
    assert.deepEqual(result.retrieval?.ranking.map((r) => r.responseKey).sort(), ['faq/ask_opening_hours', 'faq/ask_price']);
    assert.ok(!Object.keys(result.intents).some((i) => i.includes('/')), 'no base/sub label among the intents');
  });

  it('should pick the other response key for an opening-hours question', () => {
    const result = recognizer.parse('are you open on saturday');

    assert.equal(topIntent(result.intents), 'faq');
    assert.equal(result.retrieval?.responseKey, 'faq/ask_opening_hours');
  });

  it('should add no response key to an ordinary intent', () => {
    const result = recognizer.parse('hello there');

    assert.equal(topIntent(result.intents), 'greet');
    assert.equal(result.retrieval, undefined);
  });

  it('should report out_of_scope and out_of_scope/* as None', () => {
    const result = recognizer.parse('will it be sunny tomorrow');

    assert.equal(topIntent(result.intents), NONE_INTENT);
    assert.equal(result.retrieval, undefined);
    assert.deepEqual([...recognizer.intents].sort(), ['None', 'faq', 'greet']);
    assert.equal(reportedIntent('out_of_scope'), NONE_INTENT);
    assert.equal(reportedIntent('out_of_scope/chitchat'), NONE_INTENT);
    assert.equal(reportedIntent('chitchat/ask_name'), 'chitchat');
  });

  it('should evaluate retrieval intents by base intent and report response-key accuracy', () => {
    const report = crossValidate(data, 3, { builtinEntities: [], threshold: 0 });

    assert.deepEqual(Object.keys(report.intent.perIntent).sort(), ['None', 'faq', 'greet']);
    assert.equal(report.responseKeySupport, 12);
    assert.ok(report.responseKeyAccuracy !== null && report.responseKeyAccuracy > 0.5, `response key accuracy ${report.responseKeyAccuracy}`);
    assert.equal(report.outOfScopeSupport, 8);
  });
});

describe('training progress', () => {
  it('should report each fold, each training stage and examples per second', () => {
    const lines: string[] = [];

    crossValidate(data, 2, { builtinEntities: [] }, (line) => lines.push(line));

    assert.ok(
      lines.some((l) => /^fold 1\/2: training on \d+ examples, testing on \d+$/.test(l)),
      lines.join('\n'),
    );
    assert.ok(lines.some((l) => /^fold 2\/2: intent model: \d+ examples in [\d.]+ s \(\d+ examples\/s\)$/.test(l)));
    assert.ok(lines.some((l) => /^fold 2\/2: calibration fold 5\/5: \d+ examples in [\d.]+ s \(\d+ examples\/s\)$/.test(l)));
    assert.ok(lines.some((l) => /^fold 2\/2: done: accuracy [\d.]+ in [\d.]+ s of training \(\d+ examples\/s\)$/.test(l)));
  });
});
