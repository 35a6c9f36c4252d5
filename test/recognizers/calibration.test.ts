import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { loadTrainingData, LocalRecognizer, MODEL_FORMAT_VERSION } from '../../recognizers';
import { applyTemperature, chooseThreshold, expectedCalibrationError, fitTemperature, stratifiedFolds, type HeldOut } from '../../recognizers/calibration';
import { crossValidate } from '../../recognizers/evaluation/evaluate';
import { createRng } from '../../recognizers/random';
import { BOT_NLU } from './helpers';

/** Held-out predictions from a known model whose reported scores are `sharpen` times too sure. */
function overconfident(n: number, classes: number, sharpen: number, seed: number): HeldOut[] {
  const rng = createRng(seed);
  const out: HeldOut[] = [];
  for (let i = 0; i < n; i++) {
    const logits = Array.from({ length: classes }, () => 3 * rng());
    const exps = logits.map(Math.exp);
    const sum = exps.reduce((a, b) => a + b, 0);
    const truth = Float64Array.from(exps.map((e) => e / sum));
    let u = rng();
    let gold = 0;
    while (gold < classes - 1 && u > (truth[gold] as number)) u -= truth[gold++] as number;
    out.push({ probs: applyTemperature(Float64Array.from(truth), 1 / sharpen), gold, goldSeen: true });
  }
  return out;
}

describe('calibration', () => {
  it('should deal stratified folds deterministically and evenly', () => {
    const labels = [...Array(10).fill('a'), ...Array(5).fill('b')] as string[];
    const folds = stratifiedFolds(labels, 5, 1);

    assert.deepEqual(folds, stratifiedFolds(labels, 5, 1));
    for (let f = 0; f < 5; f++) assert.equal(folds.filter((k) => k === f).length, 3);
  });

  it('should recover the temperature of scores that are too confident', () => {
    const heldOut = overconfident(3000, 5, 2, 7);

    const t = fitTemperature(heldOut);

    assert.ok(Math.abs(t - 2) < 0.25, `temperature ${t}`);
    const ece = (temperature: number): number =>
      expectedCalibrationError(
        heldOut.map((h) => {
          const p = applyTemperature(Float64Array.from(h.probs), temperature);
          const top = p.indexOf(Math.max(...p));
          return { confidence: p[top] as number, correct: top === h.gold };
        }),
      );
    assert.ok(ece(t) < ece(1) / 2, `ECE ${ece(t)} after vs ${ece(1)} before`);
  });

  it('should choose the highest threshold that loses at most the budgeted share of right in-scope answers', () => {
    const scored = [
      ...[0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.9, 0.95, 0.97, 0.99].map((confidence) => ({ gold: 'a', top: 'a', confidence })),
      { gold: 'a', top: 'b', confidence: 0.4 },
      { gold: 'None', top: 'a', confidence: 0.35 },
    ];

    assert.equal(chooseThreshold(scored, 0), 0.3, 'no right answer may fall back');
    assert.equal(chooseThreshold(scored, 0.1), 0.5, 'one of eleven in-scope answers may fall back');
    assert.equal(chooseThreshold([], 0.01), 0);
  });

  describe('on the bot data', () => {
    const data = loadTrainingData(BOT_NLU);
    const recognizer = LocalRecognizer.train(data, { builtinEntities: [] });

    it('should store the fitted temperature and the chosen threshold in the model state', () => {
      const calibration = recognizer.calibration;

      assert.ok(calibration !== null);
      assert.equal(recognizer.threshold, calibration.chosenThreshold);
      assert.equal(recognizer.toState().calibration, calibration);
      assert.equal(calibration.inScopeBudget, 0.005);
      assert.ok(calibration.heldOutAccuracy - calibration.heldOutAccuracyWithFallback <= 0.005 + 1e-9);
      assert.ok(calibration.temperature > 0.05 && calibration.temperature < 20);
      assert.ok(MODEL_FORMAT_VERSION >= 5);
    });

    it('should let an explicit threshold (NLU_THRESHOLD) override the chosen one', () => {
      const fixed = LocalRecognizer.train(data, { builtinEntities: [], threshold: 0.8 });

      assert.equal(fixed.threshold, 0.8);
      assert.equal(fixed.calibration?.chosenThreshold, recognizer.calibration?.chosenThreshold);
    });

    it('should give the same state for the same data and seed', () => {
      const again = LocalRecognizer.train(data, { builtinEntities: [] });

      assert.equal(JSON.stringify(again.toState()), JSON.stringify(recognizer.toState()));
    });

    it('should keep raw scores and the fixed default when calibration is switched off', () => {
      const raw = LocalRecognizer.train(data, { builtinEntities: [], calibrate: false });

      assert.equal(raw.calibration, null);
      assert.equal(raw.threshold, 0.5);
    });
  });

  it('should cost at most a point of CV accuracy on a mood-bot-sized project where the fixed 0.5 cost several', () => {
    const mood = loadTrainingData(join(__dirname, 'fixtures', 'moodbot.yml'));
    const noFallback = crossValidate(mood, 5, { builtinEntities: [], threshold: 0, ambiguityMargin: 0 }).intent.accuracy;
    const calibrated = crossValidate(mood, 5, { builtinEntities: [] });
    const fixed = crossValidate(mood, 5, { builtinEntities: [], calibrate: false }).intent.accuracy;

    assert.ok(noFallback - calibrated.intent.accuracy <= 0.01 + 1e-9, `calibrated ${calibrated.intent.accuracy} vs ${noFallback}`);
    assert.ok(noFallback - fixed > 0.05, `fixed 0.5 ${fixed} vs ${noFallback}`);
    assert.ok(calibrated.threshold > 0.1 && calibrated.threshold < 0.5, `threshold ${calibrated.threshold}`);
  });
});
