import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { loadTrainingData, parseRasaYaml } from '../../recognizers';
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

  it('should name the file and line of an example line without a dash', () => {
    assert.throws(() => loadTrainingData(fixture('bad-example.yml')), /bad-example\.yml:6: example lines must start with "- "/);
  });

  it('should name the file and line of an item with no intent', () => {
    assert.throws(() => loadTrainingData(fixture('bad-item.yml')), /bad-item\.yml:6: item needs one of intent/);
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
