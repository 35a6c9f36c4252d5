import { strict as assert } from 'node:assert';
import { bioTags, PerceptronTagger } from '../../recognizers/entities/tagger';
import { tokenize } from '../../recognizers/text/tokenizer';

function sentence(text: string, spans: Array<{ entity: string; start: number; end: number }>) {
  const tokens = tokenize(text);
  return { tokens, tags: bioTags(tokens, spans), extra: tokens.map(() => []) };
}

const span = (text: string, value: string, entity: string) => ({ entity, start: text.indexOf(value), end: text.indexOf(value) + value.length });

describe('entity tagger', () => {
  it('should turn character spans into BIO tags', () => {
    const tokens = tokenize('fly to New York today');

    assert.deepEqual(bioTags(tokens, [{ entity: 'city', start: 7, end: 15 }]), ['O', 'O', 'B-city', 'I-city', 'O']);
  });

  it('should keep a possessive outside the entity token', () => {
    assert.deepEqual(
      tokenize("john's phone").map((t) => t.text),
      ['john', "'s", 'phone'],
    );
  });

  it('should learn entities from context and tag unseen values', () => {
    const train = [
      'fly to paris tomorrow',
      'fly to berlin today',
      'fly to rome now',
      'book a flight to madrid',
      'book a flight to oslo',
      'i want to fly to lisbon',
      'show me the weather',
      'play some music',
    ].map((t) => {
      const city = ['paris', 'berlin', 'rome', 'madrid', 'oslo', 'lisbon'].find((c) => t.includes(c));
      return sentence(t, city ? [span(t, city, 'city')] : []);
    });

    const tagger = PerceptronTagger.train(train, { epochs: 10, seed: 1 });
    const tokens = tokenize('fly to vienna tomorrow');
    const spans = tagger.tag(
      tokens,
      tokens.map(() => []),
    );

    assert.deepEqual(
      spans.map((s) => [s.entity, tokens[s.startToken]?.text]),
      [['city', 'vienna']],
    );
    assert.deepEqual(tagger.tag(tokenize('play some music'), [[], [], []]), []);
  });

  it('should never output an I- tag without a preceding B- tag', () => {
    const train = [sentence('new york city', [{ entity: 'city', start: 0, end: 13 }])];
    const tagger = PerceptronTagger.train(train, { epochs: 3, seed: 1 });

    const spans = tagger.tag(tokenize('york city'), [[], []]);

    for (const s of spans) assert.ok(s.endToken > s.startToken);
  });

  it('should be deterministic for the same seed and round-trip its state', () => {
    const train = [sentence('order 12345 now', [{ entity: 'id', start: 6, end: 11 }]), sentence('hello there', [])];

    const a = PerceptronTagger.train(train, { epochs: 5, seed: 3 });
    const b = PerceptronTagger.fromState(PerceptronTagger.train(train, { epochs: 5, seed: 3 }).toState());

    const tokens = tokenize('order 777 now');
    assert.deepEqual(a.tag(tokens, [[], [], []]), b.tag(tokens, [[], [], []]));
  });

  it('should return nothing for empty input', () => {
    const tagger = PerceptronTagger.train([sentence('a b', [{ entity: 'x', start: 0, end: 1 }])], { epochs: 1, seed: 1 });

    assert.deepEqual(tagger.tag([], []), []);
  });
});
