import { strict as assert } from 'node:assert';
import { LocalRecognizer, parseRasaYaml, type LuisInstance } from '../../recognizers';
import { inconsistentValues } from '../../recognizers/entities/extractor';

// "Rasa" is annotated as a product twice and left bare six times, as real projects often do;
// "Slack" is annotated every time it appears.
const NLU = `
version: "3.1"
nlu:
- intent: ask_product
  examples: |
    - how do I install [Rasa](product)
    - does [Rasa](product) run on windows
    - is [Slack](product) supported
    - can I connect [Slack](product)
    - what does [Slack](product) cost
    - how do I update [Teams](product)
- intent: chitchat
  examples: |
    - I love Rasa
    - Rasa is great
    - thanks Rasa team
    - Rasa rocks
    - I heard about Rasa at a meetup
    - my friend uses Rasa
- lookup: product
  examples: |
    - Teams
    - Rasa
`;

const entitiesOf = (recognizer: LocalRecognizer, text: string): string[] =>
  ((recognizer.parse(text).entities.$instance as Record<string, LuisInstance[]>).product ?? []).map((i) => i.text);

describe('un-annotated mentions of entity values', () => {
  const data = parseRasaYaml(NLU, 'products.yml');

  it('should flag values the data mentions bare more often than annotated, and only those', () => {
    assert.deepEqual(inconsistentValues(data, new Set(['product']), data.lookups), { product: ['rasa'] });
  });

  const recognizer = LocalRecognizer.train(data, { builtinEntities: [], threshold: 0 });

  it('should not match a lookup value that the training data mostly leaves un-annotated', () => {
    assert.deepEqual(entitiesOf(recognizer, 'I really like Rasa'), []);
    assert.deepEqual(recognizer.toState().entities.unannotatedValues, { product: ['rasa'] });
  });

  it('should leave the tagger to tag such a value where the context is that of the annotated examples', () => {
    assert.deepEqual(entitiesOf(recognizer, 'how do I install Rasa'), ['Rasa']);
  });

  it('should still tag consistently annotated values and lookup values', () => {
    assert.deepEqual(entitiesOf(recognizer, 'how do I install Slack'), ['Slack']);
    assert.deepEqual(entitiesOf(recognizer, 'is Teams supported'), ['Teams']);
  });
});
