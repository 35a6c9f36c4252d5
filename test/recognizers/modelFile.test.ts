import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRecognizer, loadModel, loadOrTrain, loadTrainingData, MODEL_FORMAT_VERSION, readModelFile, saveModel } from '../../recognizers';
import { BOT_NLU } from './helpers';

/** A model file's raw JSON text with its version (and training hash) replaced, as an older build wrote it. */
function withVersion(text: string, version: number): string {
  return text
    .replace(`"version":${MODEL_FORMAT_VERSION},`, `"version":${version},`)
    .replace(/"trainingDataHash":"[0-9a-f]+"/, '"trainingDataHash":"from-an-older-build"');
}

describe('model files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nlu-model-'));
  const nlu = join(dir, 'nlu.yml');
  const model = join(dir, 'model.json');
  copyFileSync(BOT_NLU, nlu);

  it('should train and write a versioned model file on first start', () => {
    const { recognizer, info } = loadOrTrain(nlu, model, { builtinEntities: [] });

    assert.equal(info.retrained, true);
    const doc = readModelFile(model);
    assert.equal(doc.version, MODEL_FORMAT_VERSION);
    assert.equal(doc.trainingDataHash, info.trainingDataHash);
    assert.deepEqual(doc.options, { builtinEntities: [] });
    assert.ok(recognizer.intents.includes('ask_order_status'));
  });

  it('should load without retraining when the data is unchanged, giving identical results', () => {
    const first = loadModel(model);

    const { recognizer, info } = loadOrTrain(nlu, model, { builtinEntities: [] });

    assert.equal(info.retrained, false);
    for (const text of ['where is order 12345', 'yes please', 'blorp']) assert.deepEqual(recognizer.parse(text), first.parse(text));
  });

  it('should retrain when the training data changes', () => {
    writeFileSync(nlu, `${readFileSync(BOT_NLU, 'utf8')}\n- intent: greet\n  examples: |\n    - howdy partner\n`);

    const { info } = loadOrTrain(nlu, model, { builtinEntities: [] });

    assert.equal(info.retrained, true);
  });

  it('should retrain when the options change', () => {
    const { info } = loadOrTrain(nlu, model, { builtinEntities: [], threshold: 0.7 });

    assert.equal(info.retrained, true);
  });

  it('should name the file when the model is corrupt', () => {
    const bad = join(dir, 'corrupt.json');
    writeFileSync(bad, '{"format": "order-support-bot/local-recognizer", "vers');

    assert.throws(() => loadModel(bad), new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: corrupt model file`));
    assert.throws(() => loadOrTrain(nlu, bad), /corrupt\.json: corrupt model file/);
  });

  it('should refuse a foreign file and a different format version', () => {
    const foreign = join(dir, 'foreign.json');
    writeFileSync(foreign, '{"hello": 1}');
    const old = join(dir, 'old.json');
    writeFileSync(old, JSON.stringify({ ...readModelFile(model), version: 0 }));

    assert.throws(() => loadModel(foreign), /foreign\.json: not a local-recognizer model file/);
    assert.throws(() => loadModel(old), /old\.json: model format version 0 is not supported/);
  });

  it('should retrain over a model file from an older format version', () => {
    for (const version of [4, 5]) {
      const old = join(dir, `older-${version}.json`);
      writeFileSync(old, withVersion(readFileSync(model, 'utf8'), version));

      const { info } = loadOrTrain(nlu, old, { builtinEntities: [] });

      assert.equal(info.retrained, true, `version ${version}`);
      assert.equal(readModelFile(old).version, MODEL_FORMAT_VERSION);
    }
  });

  it('should refuse a newer format version, naming the versions it reads', () => {
    const newer = join(dir, 'newer.json');
    writeFileSync(newer, withVersion(readFileSync(model, 'utf8'), MODEL_FORMAT_VERSION + 1));

    assert.throws(
      () => loadModel(newer),
      new RegExp(
        `newer\\.json: model format version ${MODEL_FORMAT_VERSION + 1} is not supported \\(this build reads versions 5 and ${MODEL_FORMAT_VERSION}\\)`,
      ),
    );
    assert.throws(() => loadOrTrain(nlu, newer), /is not supported/);
  });

  describe('compact weights', () => {
    const data = loadTrainingData(BOT_NLU);
    const texts = ['where is order 12345', 'yes please', 'can I talk to a person', 'blorp', 'cancel that'];
    const int8 = LocalRecognizer.train(data, { builtinEntities: [] });
    const float32 = LocalRecognizer.train(data, { builtinEntities: [], weightPrecision: 'float32' });
    const int8File = join(dir, 'int8.json');
    const float32File = join(dir, 'float32.json');
    saveModel(int8, int8File, 'h');
    saveModel(float32, float32File, 'h');

    it('should store int8 weight rows by default, in well under three quarters of the float32 size', () => {
      const text = readFileSync(int8File, 'utf8');

      assert.equal(int8.weightPrecision, 'int8');
      assert.match(text, /"\$q8":/);
      assert.doesNotMatch(readFileSync(float32File, 'utf8'), /"\$q8":/);
      assert.ok(text.length < 0.7 * readFileSync(float32File, 'utf8').length, `${text.length} vs ${readFileSync(float32File, 'utf8').length}`);
    });

    it('should answer from an int8 file exactly as the model did right after training', () => {
      const loaded = loadModel(int8File);

      assert.equal(loaded.weightPrecision, 'int8');
      for (const t of texts) assert.deepEqual(loaded.parse(t), int8.parse(t));
    });

    it('should give the same intents with int8 as with float32 weights on the bot data', () => {
      for (const t of texts) assert.equal(int8.scoreIntents(t)[0]?.intent, float32.scoreIntents(t)[0]?.intent, t);
    });

    it('should read a format version 5 file (float32 weights, no precision field) as it is', () => {
      const v5 = join(dir, 'v5.json');
      const doc = JSON.parse(readFileSync(float32File, 'utf8')) as { version: number; model: Record<string, unknown> };
      doc.version = 5;
      delete doc.model.weightPrecision;
      writeFileSync(v5, JSON.stringify(doc));

      const loaded = loadModel(v5);

      assert.equal(loaded.weightPrecision, 'float32');
      for (const t of texts) assert.deepEqual(loaded.parse(t), float32.parse(t));
    });
  });

  it('should name the file when the model content is broken', () => {
    const broken = join(dir, 'broken.json');
    const doc = JSON.parse(readFileSync(model, 'utf8')) as { model: { intent: unknown } };
    doc.model.intent = { classes: ['a'], featurizer: null };
    writeFileSync(broken, JSON.stringify(doc));

    assert.throws(() => loadModel(broken), /broken\.json: corrupt model file/);
  });
});
