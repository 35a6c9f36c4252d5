import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { entitiesOf, loadTrainingData, LocalRecognizer, parseJsonLines, type LuisInstance } from '../../recognizers';
import { parseAnnotatedExample } from '../../recognizers/data/annotations';
import { crossValidate } from '../../recognizers/evaluation/evaluate';

const data = loadTrainingData(join(__dirname, 'fixtures', 'roles.yml'));

describe('entity roles and groups', () => {
  it('should parse role and group from Rasa entity JSON, numbers as strings', () => {
    const parsed = parseAnnotatedExample('from [Berlin]{"entity": "city", "role": "departure"} a [large]{"entity": "size", "group": 2}');

    assert.deepEqual(parsed.entities, [
      { entity: 'city', start: 5, end: 11, value: 'Berlin', role: 'departure' },
      { entity: 'size', start: 14, end: 19, value: 'large', group: '2' },
    ]);
    assert.throws(() => parseAnnotatedExample('[x]{"entity": "city", "role": ""}'), /"role" must be a non-empty string/);
  });

  it('should read roles and groups from JSON Lines too', () => {
    const data = parseJsonLines(
      '{"text": "to Rome", "intent": "fly", "entities": [{"entity": "city", "start": 3, "end": 7, "role": "destination", "group": 1}]}',
    );

    assert.deepEqual(data.examples[0]?.entities, [{ entity: 'city', start: 3, end: 7, value: 'Rome', role: 'destination', group: '1' }]);
  });

  const recognizer = LocalRecognizer.train(data, { builtinEntities: [], threshold: 0 });

  it('should return each city with its role in $instance and let a dialog pick by role', () => {
    const result = recognizer.parse('fly from Berlin to Madrid');
    const instances = (result.entities.$instance as Record<string, LuisInstance[]>).city ?? [];

    assert.deepEqual(
      instances.map((i) => [i.text, i.role]),
      [
        ['Berlin', 'departure'],
        ['Madrid', 'destination'],
      ],
    );
    assert.deepEqual(result.entities.city, ['Berlin', 'Madrid']);
    assert.deepEqual(
      entitiesOf(result, 'city', { role: 'departure' }).map((e) => e.value),
      ['Berlin'],
    );
    assert.deepEqual(
      entitiesOf(result, 'city', { role: 'destination' }).map((e) => e.value),
      ['Madrid'],
    );
  });

  it('should keep the role the context gives when the order of the cities changes', () => {
    const result = recognizer.parse('a flight to Rome from Paris');

    assert.deepEqual(
      entitiesOf(result, 'city', { role: 'departure' }).map((e) => e.text),
      ['Paris'],
    );
    assert.deepEqual(
      entitiesOf(result, 'city', { role: 'destination' }).map((e) => e.text),
      ['Rome'],
    );
  });

  it('should return groups that tie sizes to toppings', () => {
    const result = recognizer.parse('a large pepperoni and a small margherita');

    assert.deepEqual(
      entitiesOf(result, 'size', { group: '1' }).map((e) => e.text),
      ['large'],
    );
    assert.deepEqual(
      entitiesOf(result, 'topping', { group: '2' }).map((e) => e.text),
      ['margherita'],
    );
  });

  it('should evaluate entities per role and group besides per entity', () => {
    const report = crossValidate(data, 2, { builtinEntities: [], threshold: 0 });

    assert.ok(report.entityRoles !== null);
    assert.deepEqual(Object.keys(report.entityRoles.perEntity).sort(), ['city@departure', 'city@destination', 'size#1', 'size#2', 'topping#1', 'topping#2']);
    assert.deepEqual(Object.keys(report.entities.perEntity).sort(), ['city', 'size', 'topping']);
    assert.equal(report.entityRoles.perEntity['city@departure']?.support, 8);
  });

  it('should leave role scores out when the data has no roles', () => {
    const plain = {
      ...data,
      examples: data.examples.map((e) => ({ ...e, entities: e.entities.map(({ entity, start, end, value }) => ({ entity, start, end, value })) })),
    };

    assert.equal(crossValidate(plain, 2, { builtinEntities: [], threshold: 0 }).entityRoles, null);
  });
});
