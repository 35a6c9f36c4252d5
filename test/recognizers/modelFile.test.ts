import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, loadOrTrain, MODEL_FORMAT_VERSION, readModelFile } from '../../recognizers';
import { BOT_NLU } from './helpers';

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
    const old = join(dir, 'older.json');
    writeFileSync(old, JSON.stringify({ ...readModelFile(model), version: MODEL_FORMAT_VERSION - 1 }));

    const { info } = loadOrTrain(nlu, old, { builtinEntities: [] });

    assert.equal(info.retrained, true);
    assert.equal(readModelFile(old).version, MODEL_FORMAT_VERSION);
  });

  it('should name the file when the model content is broken', () => {
    const broken = join(dir, 'broken.json');
    const doc = JSON.parse(readFileSync(model, 'utf8')) as { model: { intent: unknown } };
    doc.model.intent = { classes: ['a'], featurizer: null };
    writeFileSync(broken, JSON.stringify(doc));

    assert.throws(() => loadModel(broken), /broken\.json: corrupt model file/);
  });
});
