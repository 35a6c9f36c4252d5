import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { loadTrainingData, parseRasaYaml, resolveTrainingFiles } from '../../recognizers';
import { parseAnnotatedExample } from '../../recognizers/data/annotations';

const fixture = (name: string): string => join(__dirname, 'fixtures', name);

describe('training data loading', () => {
  it('should strip [value](entity) markup and record spans in the clean text', () => {
    const parsed = parseAnnotatedExample('where is order [12345](order_id) now');

    assert.equal(parsed.text, 'where is order 12345 now');
    assert.deepEqual(parsed.entities, [{ entity: 'order_id', start: 15, end: 20, value: '12345' }]);
  });

  it('should read the canonical value and a synonym from JSON annotations', () => {
    const parsed = parseAnnotatedExample('status of [ord-1]{"entity": "order_id", "value": "ORD-0001"}');

    assert.equal(parsed.text, 'status of ord-1');
    assert.deepEqual(parsed.entities, [{ entity: 'order_id', start: 10, end: 15, value: 'ORD-0001' }]);
    assert.deepEqual(parsed.synonyms, [{ surface: 'ord-1', canonical: 'ORD-0001' }]);
  });

  it('should load intents, synonyms, regexes and lookups from a Rasa 3 nlu.yml', () => {
    const data = loadTrainingData(fixture('small.yml'));

    assert.equal(data.examples.length, 3);
    assert.equal(data.examples[1]?.text, 'track ABC123 please');
    assert.deepEqual(data.synonyms['ORD-0001']?.sort(), ['ord-1', 'order one']);
    assert.deepEqual(data.regexes.order_id, ['\\b[A-Z]{3}\\d{3}\\b']);
    assert.deepEqual(data.lookups.city, ['Berlin', 'New York']);
  });

  it('should warn with file and line about an example line without a dash and keep the others', () => {
    const warnings: string[] = [];
    const data = loadTrainingData(fixture('bad-example.yml'), { warn: (m) => warnings.push(m) });

    assert.deepEqual(
      data.examples.map((e) => e.text),
      ['hi'],
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /bad-example\.yml:6: example line without "- " ignored/);
  });

  it('should warn with file and line about an item with no intent and skip it', () => {
    const warnings: string[] = [];
    const data = loadTrainingData(fixture('bad-item.yml'), { warn: (m) => warnings.push(m) });

    assert.deepEqual(
      data.examples.map((e) => e.text),
      ['hi'],
    );
    assert.match(warnings.join('\n'), /bad-item\.yml:6: item has none of intent, synonym, regex or lookup; skipped/);
  });

  it('should warn about unknown keys with their lines instead of failing', () => {
    const warnings: string[] = [];
    const data = loadTrainingData(fixture('warnings.yml'), { warn: (m) => warnings.push(m) });

    assert.deepEqual(
      data.examples.map((e) => e.text),
      ['hi', 'hey'],
    );
    assert.deepEqual(warnings, [
      `${fixture('warnings.yml')}:2: unknown top-level key "language" ignored`,
      `${fixture('warnings.yml')}:5: unknown key "colour" ignored`,
      `${fixture('warnings.yml')}:8: example line without "- " ignored ("hello without a dash")`,
      `${fixture('warnings.yml')}:10: item has none of intent, synonym, regex or lookup; skipped`,
    ]);
  });

  it('should refuse a training data format version it does not support, naming the supported ones', () => {
    assert.throws(
      () => loadTrainingData(fixture('old-version.yml')),
      /old-version\.yml:1: training data format version "1\.0" is not supported \(supported: 2\.0, 3\.0, 3\.1\)/,
    );
  });

  it('should warn about a newer 3.x version and read the file', () => {
    const warnings: string[] = [];
    const data = parseRasaYaml('version: "3.9"\nnlu:\n- intent: a\n  examples: |\n    - x\n', 'v.yml', { warn: (m) => warnings.push(m) });

    assert.equal(data.examples.length, 1);
    assert.deepEqual(warnings, ['v.yml:1: training data format version "3.9" is newer than the formats this reader knows (2.0, 3.0, 3.1); reading it as 3.1']);
  });

  it('should merge a project directory as Rasa does, skipping files without an nlu section', () => {
    const warnings: string[] = [];
    const data = loadTrainingData(fixture('project/data'), { warn: (m) => warnings.push(m) });

    assert.deepEqual(warnings, []);
    assert.deepEqual(
      data.examples.map((e) => `${e.intent}: ${e.text}`),
      ['greet: hi', 'greet: hello there', 'book_flight: fly from Berlin to Rome', 'greet: good morning'],
    );
    assert.deepEqual(data.synonyms.NYC, ['new york']);
    assert.deepEqual(data.lookups.city, ['Berlin', 'Rome']);
  });

  it('should read the files a glob matches, in sorted order', () => {
    const files = resolveTrainingFiles(fixture('project/data/nlu/*.yml'));

    assert.deepEqual(files, [fixture('project/data/nlu/greet.yml'), fixture('project/data/nlu/travel.yml')]);
    assert.equal(loadTrainingData(fixture('project/data/nlu/*.yml')).examples.length, 4);
  });

  it('should say clearly when a glob or directory names no training data', () => {
    assert.throws(() => resolveTrainingFiles(fixture('project/data/nlu/*.json')), /no \.yml, \.yaml or \.jsonl file matches this pattern/);
    assert.throws(() => loadTrainingData(fixture('project/data/empty-dir-missing')), /cannot read training data/);
  });

  it('should report YAML syntax errors with file and line', () => {
    assert.throws(() => parseRasaYaml('nlu:\n- intent: [unclosed\n', 'x.yml'), /^Error: x\.yml:\d+: YAML syntax error/);
  });

  it('should reject an invalid regex with its location', () => {
    const source = 'nlu:\n- regex: id\n  examples: |\n    - ([a-z\n';

    assert.throws(() => parseRasaYaml(source, 'r.yml'), /r\.yml:4: invalid regex/);
  });

  it('should load JSON Lines and skip blank lines', () => {
    const data = loadTrainingData(fixture('small.jsonl'));

    assert.equal(data.examples.length, 2);
    assert.deepEqual(data.examples[0]?.entities[1], { entity: 'artist', start: 17, end: 24, value: 'Westbam' });
  });

  it('should name the file and line of broken JSON Lines', () => {
    assert.throws(() => loadTrainingData(fixture('bad.jsonl')), /bad\.jsonl:2: invalid JSON/);
  });

  it('should reject unknown extensions and missing files clearly', () => {
    assert.throws(() => loadTrainingData(fixture('nope.csv')), /nope\.csv: cannot read/);
    assert.throws(() => loadTrainingData(join(__dirname, 'trainingData.test.ts')), /unsupported training data extension/);
  });
});
