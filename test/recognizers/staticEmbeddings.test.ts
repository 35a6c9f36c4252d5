import { strict as assert } from 'node:assert';
import { LocalRecognizer } from '../../recognizers';
import { loadStaticEmbeddings } from '../../recognizers/intent/staticEmbeddings';
import { dataFrom } from './helpers';

const NAME = 'minilm-l6-v2-static-v1';

const cosine = (a: Float32Array, b: Float32Array): number => a.reduce((sum, x, i) => sum + x * (b[i] as number), 0);

describe('static embeddings distilled from all-MiniLM-L6-v2', () => {
  const table = loadStaticEmbeddings(NAME);

  it('should split words into WordPiece tokens as BERT uncased does', () => {
    const ids = table.tokenIds('Héllo, unbelievably!');

    assert.equal(ids.length >= 4, true, `ids ${ids.join(',')}`);
    assert.deepEqual(table.tokenIds('hello'), table.tokenIds('HELLO'));
    assert.deepEqual(table.tokenIds('Héllo').length, table.tokenIds('hello').length);
  });

  it('should place sentences of like meaning closer than unrelated ones', () => {
    const embed = (text: string): Float32Array => table.embed(text, new Float32Array(table.dims));

    const refund = embed('I want my money back');
    assert.ok(cosine(refund, embed('please give me a refund')) > cosine(refund, embed('what is the weather tomorrow')));
    assert.ok(Math.abs(cosine(refund, refund) - 1) < 1e-5);
    assert.deepEqual([...embed('')], new Array(table.dims).fill(0));
  });

  it('should train a recognizer with the embedding block and rebuild it from its state', () => {
    const data = dataFrom({
      refund: ['I want my money back', 'refund please', 'return the payment'],
      weather: ['will it rain', 'is it sunny', 'weather forecast'],
    });
    const recognizer = LocalRecognizer.train(data, { builtinEntities: [], staticEmbeddings: NAME, calibrate: false, threshold: 0 });

    const state = recognizer.toState();
    assert.deepEqual(state.intent.embeddings, { name: NAME, weight: 1 });
    assert.deepEqual(LocalRecognizer.fromState(state).parse('give me a reimbursement').intents, recognizer.parse('give me a reimbursement').intents);
  });

  it('should refuse an artifact name that could leave the artifact folder', () => {
    assert.throws(() => loadStaticEmbeddings('../nlu'), /may only hold letters/);
  });
});
