import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTrainingData } from '../../recognizers';
import { trainAndEvaluate } from '../../recognizers/evaluation/evaluate';
import { checkGate, readGateThresholds } from '../../recognizers/evaluation/gate';
import { main } from '../../src/cli/nlu';
import { BOT_NLU, dataFrom } from './helpers';

const ROOT = join(__dirname, '..', '..');
const HELD_OUT = join(ROOT, 'data', 'nlu.test.yml');
const GATE = join(ROOT, 'data', 'nlu-gate.json');

/** Runs the CLI and captures what it printed. */
async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => {
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => {
    err += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(argv), out, err };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

describe('NLU regression gate', () => {
  it('should keep the held-out file apart from the training data', () => {
    const train = new Set(loadTrainingData(BOT_NLU).examples.map((e) => e.text.toLowerCase()));
    const overlap = loadTrainingData(HELD_OUT).examples.filter((e) => train.has(e.text.toLowerCase()));
    assert.deepEqual(
      overlap.map((e) => e.text),
      [],
    );
  });

  it("should pass on the bot's own data with the thresholds kept in the repository", async () => {
    const { code, out } = await runCli(['gate']);

    assert.equal(code, 0, out);
    assert.match(out, /PASS intent accuracy/);
    assert.match(out, /PASS order_id F1/);
    assert.match(out, /NLU gate passed/);
  });

  it('should fail with exit code 1 and name the figure when training data gets worse', async () => {
    // Training data that lost most intents and every order_id annotation.
    const dir = mkdtempSync(join(tmpdir(), 'gate-'));
    const worse = join(dir, 'worse.yml');
    writeFileSync(
      worse,
      'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n    - hello\n- intent: goodbye\n  examples: |\n    - bye\n    - goodbye\n',
    );

    const { code, out } = await runCli(['gate', '--train', worse]);

    assert.equal(code, 1);
    assert.match(out, /FAIL intent accuracy \d+\.\d+% \(minimum 93\.00%\)/);
    assert.match(out, /NLU gate FAILED: intent accuracy/);
  });

  it('should fail when a threshold is raised above what the recognizer reaches', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-'));
    const strict = join(dir, 'gate.json');
    writeFileSync(strict, JSON.stringify({ test: 'data/nlu.test.yml', minIntentAccuracy: 1, minEntityF1: { order_id: 0.5 } }));

    const { code, out } = await runCli(['gate', '--thresholds', strict]);

    assert.equal(code, 1);
    assert.match(out, /FAIL intent accuracy/);
    assert.match(out, /PASS order_id F1/);
  });

  it('should fail an entity threshold when the test file has no such entity', () => {
    const train = dataFrom({ greet: ['hi', 'hello', 'hey'], bye: ['bye', 'goodbye', 'see you'] });
    const { report } = trainAndEvaluate(train, [{ text: 'hello', intent: 'greet', entities: [] }]);

    const result = checkGate(report, { minIntentAccuracy: 0, minEntityF1: { order_id: 0.1 } });

    assert.equal(result.passed, false);
    assert.match(result.checks[1]!.name, /not in the test file/);
  });

  it('should refuse a thresholds file with a value outside 0..1, naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-'));
    const bad = join(dir, 'gate.json');
    writeFileSync(bad, JSON.stringify({ minIntentAccuracy: 93, minEntityF1: {} }));

    assert.throws(() => readGateThresholds(bad), /minIntentAccuracy must be a number between 0 and 1/);
    const { code, err } = await runCli(['gate', '--thresholds', bad, '--test', HELD_OUT]);
    assert.equal(code, 1);
    assert.match(err, /minIntentAccuracy/);
  });

  it('should parse the shipped thresholds file', () => {
    const thresholds = readGateThresholds(GATE);
    assert.equal(thresholds.test, 'data/nlu.test.yml');
    assert.ok((thresholds.minEntityF1.order_id ?? 0) > 0);
  });
});
