import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTrainingData } from '../../recognizers';
import { crossValidate, trainAndEvaluate } from '../../recognizers/evaluation/evaluate';
import { entityMetrics, intentMetrics } from '../../recognizers/evaluation/metrics';
import { writeReportDir } from '../../recognizers/evaluation/reports';
import { main } from '../../src/cli/nlu';
import { BOT_NLU, dataFrom } from './helpers';

describe('evaluation', () => {
  it('should compute accuracy, per-intent scores and confusions', () => {
    const metrics = intentMetrics(['a', 'a', 'b', 'b'], ['a', 'b', 'b', 'b']);

    assert.equal(metrics.accuracy, 0.75);
    assert.equal(metrics.perIntent.a?.recall, 0.5);
    assert.equal(metrics.perIntent.b?.precision, 2 / 3);
    assert.deepEqual(metrics.perIntent.a?.confusedWith, { b: 1 });
  });

  it('should count an entity only when type and span match exactly', () => {
    const gold = [
      [
        { entity: 'x', start: 0, end: 5 },
        { entity: 'y', start: 6, end: 8 },
      ],
    ];
    const predicted = [
      [
        { entity: 'x', start: 0, end: 5 },
        { entity: 'y', start: 6, end: 9 },
      ],
    ];

    const metrics = entityMetrics(gold, predicted);

    assert.equal(metrics.precision, 0.5);
    assert.equal(metrics.recall, 0.5);
    assert.equal(metrics.perEntity.x?.f1, 1);
  });

  it('should count an out-of-scope example as correct when the answer is None', () => {
    const train = dataFrom({ greet: ['hi', 'hello', 'hey'], bye: ['bye', 'goodbye', 'see you'] });
    const test = [
      { text: 'hello', intent: 'greet', entities: [] },
      { text: 'zzz qqq', intent: 'oos', entities: [] },
    ];

    const { report } = trainAndEvaluate(train, test, { threshold: 0.99 });

    assert.equal(report.outOfScopeSupport, 1);
    assert.equal(report.outOfScopeRecall, 1);
    assert.equal(report.predictions[1]?.intent, 'None');
  });

  it('should write every report field from the CLI', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'nlu-eval-')), 'report.json');
    const write = process.stdout.write;
    process.stdout.write = () => true;
    let code: number;
    try {
      code = await main(['evaluate', '--train', BOT_NLU, '--test', BOT_NLU, '--out', out]);
    } finally {
      process.stdout.write = write;
    }

    assert.equal(code, 0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    for (const key of ['intent', 'inScopeAccuracy', 'outOfScopeRecall', 'entities', 'trainSeconds', 'medianInferenceMs', 'predictions', 'modelFile']) {
      assert.ok(key in report, `missing ${key}`);
    }
    const modelFile = report.modelFile as { bytes: number; firstLoadMs: number; medianLoadMs: number; weightPrecision: string };
    assert.equal(modelFile.weightPrecision, 'int8');
    assert.ok(modelFile.bytes > 100_000 && modelFile.bytes < 2_000_000, `${modelFile.bytes} bytes`);
    assert.ok(modelFile.firstLoadMs > 0 && modelFile.medianLoadMs > 0);
    const intent = report.intent as { accuracy: number; macroF1: number; perIntent: Record<string, { support: number }> };
    assert.ok(intent.accuracy > 0.9, 'the model should fit its own training data');
    assert.ok(intent.perIntent.greet!.support > 40);
    const first = (report.predictions as Array<Record<string, unknown>>)[0]!;
    for (const key of ['text', 'intent', 'predicted', 'confidence', 'predictedEntities']) assert.ok(key in first, `prediction lacks ${key}`);
  });

  it('should exit with code 2 on usage errors', async () => {
    const write = process.stderr.write;
    process.stderr.write = () => true;
    try {
      assert.equal(await main(['evaluate', '--folds', '5', '--test', BOT_NLU]), 2);
      assert.equal(await main(['evaluate', '--test', '/no/such/file.jsonl']), 2);
      assert.equal(await main(['evaluate', '--folds', 'x']), 2);
      assert.equal(await main(['evaluate', '--folds', '3', '--model', BOT_NLU]), 2);
      assert.equal(await main(['frobnicate']), 2);
      assert.equal(await main(['train', '--precision', 'float8']), 2);
      assert.equal(await main(['evaluate', '--folds', '3', '--oos-weight', '0']), 2);
    } finally {
      process.stderr.write = write;
    }
  });

  it('should print the usage on --help, -h or help and exit with code 0', async () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['evaluate', '--help']]) {
      const written: string[] = [];
      const write = process.stdout.write;
      process.stdout.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stdout.write;
      try {
        assert.equal(await main(argv), 0, argv.join(' '));
      } finally {
        process.stdout.write = write;
      }
      assert.match(written.join(''), /^usage: npm run nlu -- <command>/, argv.join(' '));
    }
  });

  it('should pool stratified cross-validation predictions over all examples', () => {
    const data = loadTrainingData(BOT_NLU);

    const report = crossValidate(data, 3);

    assert.equal(report.testExamples, data.examples.length);
    assert.equal(report.folds, 3);
    assert.ok(report.intent.accuracy > 0.6);
  });
});

describe('report folder', () => {
  it('should write rasa-style JSON reports and real PNG plots', async function () {
    this.timeout(60000);
    const train = dataFrom({ greet: ['hi', 'hello', 'hey'], bye: ['bye', 'goodbye', 'see you'] });
    const { report } = trainAndEvaluate(train, [
      { text: 'hello', intent: 'greet', entities: [] },
      { text: 'see ya', intent: 'bye', entities: [] },
      { text: 'hey bye', intent: 'greet', entities: [] },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'nlu-reports-'));

    const files = await writeReportDir(report, dir);

    const png = readFileSync(join(dir, 'confusion_matrix.png'));
    assert.deepEqual([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
    assert.ok(readFileSync(join(dir, 'confidence_histogram.png')).length > 1000);
    const intents = JSON.parse(readFileSync(join(dir, 'intent_report.json'), 'utf8')) as Record<string, { support?: number }>;
    assert.equal(intents.greet?.support, 2);
    assert.ok(Array.isArray(JSON.parse(readFileSync(join(dir, 'errors.json'), 'utf8'))));
    assert.equal(files.length, 7);
  });
});
