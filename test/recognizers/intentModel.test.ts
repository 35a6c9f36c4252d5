import { strict as assert } from 'node:assert';
import { Featurizer, DEFAULT_FEATURIZER_OPTIONS } from '../../recognizers/intent/featurizer';
import { Arena } from '../../recognizers/intent/kernels';
import { MlpClassifier, DEFAULT_MLP_OPTIONS } from '../../recognizers/intent/mlpClassifier';
import { SoftmaxClassifier, DEFAULT_SOFTMAX_OPTIONS, softmaxInPlace } from '../../recognizers/intent/softmaxClassifier';
import { DEFAULT_INTENT_MODEL_OPTIONS, IntentModel } from '../../recognizers/intent/intentModel';

const TEXTS = ['where is my parcel', 'track my parcel', 'parcel status please', 'hello there', 'hi friend', 'hello friend'];
const INTENTS = ['track', 'track', 'track', 'greet', 'greet', 'greet'];

describe('intent features and classifiers', () => {
  it('should give the SIMD and the plain JS kernels the same results', () => {
    for (const simd of [true, false]) {
      const arena = new Arena(64, simd);
      const x = arena.alloc(8);
      const y = arena.alloc(8);
      for (let i = 0; i < 8; i++) {
        arena.f32[(x >> 2) + i] = i;
        arena.f32[(y >> 2) + i] = 1;
      }

      arena.axpy(y, x, 8, 2);

      assert.deepEqual(Array.from(arena.f32.subarray(y >> 2, (y >> 2) + 8)), [1, 3, 5, 7, 9, 11, 13, 15]);
      assert.equal(arena.dot(x, y, 8), 308);
    }
  });

  it('should produce sorted, unit-length sparse vectors', () => {
    const featurizer = Featurizer.fit(TEXTS, DEFAULT_FEATURIZER_OPTIONS);

    const v = featurizer.transform('where is my parcel');

    const norm = Math.sqrt(Array.from(v.val).reduce((s, x) => s + x * x, 0));
    assert.ok(Math.abs(norm - Math.SQRT2) < 1e-5, 'word and char blocks are unit length each');
    for (let i = 1; i < v.idx.length; i++) assert.ok((v.idx[i] as number) > (v.idx[i - 1] as number));
  });

  it('should map different order numbers to the same features', () => {
    const featurizer = Featurizer.fit(['order 12345', 'order 98765'], DEFAULT_FEATURIZER_OPTIONS);

    assert.deepEqual(featurizer.transform('order 55555'), featurizer.transform('order 12345'));
  });

  it('should give an empty vector for unseen or empty text', () => {
    const featurizer = Featurizer.fit(TEXTS, DEFAULT_FEATURIZER_OPTIONS);

    assert.equal(featurizer.transform('').idx.length, 0);
    assert.equal(featurizer.transform('zzzz qqqq').idx.length, 0);
  });

  it('should learn separable intents with the linear model and the MLP', () => {
    const featurizer = Featurizer.fit(TEXTS, DEFAULT_FEATURIZER_OPTIONS);
    const xs = TEXTS.map((t) => featurizer.transform(t));
    const labels = Int32Array.from(INTENTS.map((i) => (i === 'greet' ? 0 : 1)));

    const linear = SoftmaxClassifier.train(xs, labels, ['greet', 'track'], featurizer.size, DEFAULT_SOFTMAX_OPTIONS);
    const mlp = MlpClassifier.train(xs, labels, ['greet', 'track'], featurizer.size, DEFAULT_MLP_OPTIONS);

    for (const model of [linear, mlp]) {
      const p = model.predictProba(featurizer.transform('track the parcel'));
      assert.ok((p[1] as number) > 0.6, `track probability ${p[1]}`);
      assert.ok(Math.abs((p[0] as number) + (p[1] as number) - 1) < 1e-9);
    }
  });

  it('should give unseen off-topic texts a higher out-of-scope probability with outOfScopeWeight above 1', () => {
    const texts = [...TEXTS, 'what is the weather', 'tell me a joke', 'who won the game'];
    const intents = [...INTENTS, 'out_of_scope', 'out_of_scope', 'out_of_scope'];
    const options = { ...DEFAULT_INTENT_MODEL_OPTIONS, mlp: null };
    const plain = IntentModel.train(texts, intents, { ...options, outOfScopeWeight: 1 });
    const weighted = IntentModel.train(texts, intents, { ...options, outOfScopeWeight: 3 });
    const oos = plain.classes.indexOf('out_of_scope');

    for (const text of ['what a game', 'is it raining today', 'a random sentence']) {
      assert.ok((weighted.predict(text)[oos] as number) > (plain.predict(text)[oos] as number), text);
    }
  });

  it('should round-trip classifier state exactly', () => {
    const model = IntentModel.train(TEXTS, INTENTS);

    const copy = IntentModel.fromState(model.toState());

    assert.deepEqual(Array.from(copy.predict('hello parcel')), Array.from(model.predict('hello parcel')));
  });

  it('should answer with certainty when trained on a single intent', () => {
    const model = IntentModel.train(['hi', 'hello'], ['greet', 'greet']);

    assert.deepEqual(Array.from(model.predict('anything')), [1]);
  });

  it('should keep softmax finite for huge logits', () => {
    const v = Float64Array.from([1000, 1001, -1000]);

    softmaxInPlace(v);

    assert.ok(Array.from(v).every(Number.isFinite));
    assert.ok(Math.abs(v.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  });
});
