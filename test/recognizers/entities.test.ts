import { strict as assert } from 'node:assert';
import { LocalRecognizer, parseRasaYaml } from '../../recognizers';

const NLU = `
nlu:
- intent: book
  examples: |
    - book a table in [Berlin](city) for [two](people)
    - a table for [4](people) in [new york]{"entity": "city", "value": "New York"} please
    - reserve in [Paris](city)
    - i need a table in [Rome](city) for [six](people)
    - table for [3](people)
    - book [Madrid](city)
- intent: greet
  examples: |
    - hello
    - hi there
- synonym: New York
  examples: |
    - nyc
    - big apple
- lookup: city
  examples: |
    - Vienna
    - Oslo
- regex: people
  examples: |
    - \\b\\d{1,2}\\b
`;

describe('entity extraction from nlu.yml', () => {
  const recognizer = LocalRecognizer.train(parseRasaYaml(NLU, 'entities.yml'), { builtinEntities: [], threshold: 0 });

  it('should extract learned entities with LUIS $instance spans', () => {
    const text = 'book a table in Lisbon for 5';

    const result = recognizer.parse(text);

    assert.deepEqual(result.entities?.city, ['Lisbon']);
    assert.deepEqual(result.entities?.people, ['5']);
    const city = result.entities?.$instance.city[0];
    assert.equal(text.slice(city.startIndex, city.endIndex), 'Lisbon');
  });

  it('should map synonyms to their canonical value', () => {
    const result = recognizer.parse('a table in nyc please');

    assert.deepEqual(result.entities?.city, ['New York']);
  });

  it('should use lookup tables to find values never seen in examples', () => {
    const result = recognizer.parse('book a table in Oslo');

    assert.deepEqual(result.entities?.city, ['Oslo']);
  });

  it('should give no entities for a greeting', () => {
    const result = recognizer.parse('hello');

    assert.deepEqual(result.entities, { $instance: {} });
  });
});
