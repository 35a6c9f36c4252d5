import { strict as assert } from 'node:assert';
import { DialogContext, DialogSet } from 'botbuilder-dialogs';
import { TestAdapter, TurnContext, type BotTelemetryClient, type TelemetryEvent } from 'botbuilder-core';
import { loadTrainingData, LocalRecognizer, NONE_INTENT } from '../../recognizers';
import { BOT_NLU, botRecognizer, dataFrom, topIntent } from './helpers';

describe('LocalRecognizer', () => {
  // Phrasings that are not in data/nlu.yml, to check that the model generalises.
  const heldOut: Array<[string, string]> = [
    ['hey there, good morning to you', 'greet'],
    ['ok thanks, see you next time', 'goodbye'],
    ['could you tell me when my package will get here', 'ask_order_status'],
    ['where is my shipment 778899', 'ask_order_status'],
    ['the order id is QW-2231', 'inform'],
    ['yes, that is correct', 'affirm'],
    ['no, that is the wrong one', 'deny'],
    ['please let me talk to an actual human', 'human_handoff'],
    ['what sort of things can you do', 'help'],
    ['never mind, stop it', 'cancel'],
  ];
  for (const [text, intent] of heldOut) {
    it(`should recognise "${text}" as ${intent}`, () => {
      const result = botRecognizer().parse(text);

      assert.equal(topIntent(result.intents), intent);
    });
  }

  for (const text of ['When was Teams released?', 'who discovered penicillin']) {
    it(`should answer None to the general-knowledge question "${text}" instead of starting the order form`, () => {
      assert.equal(topIntent(botRecognizer().parse(text).intents), NONE_INTENT);
    });
  }

  it('should list every intent including None in the result', () => {
    const result = botRecognizer().parse('hello');

    assert.deepEqual(Object.keys(result.intents).sort(), [...botRecognizer().intents].sort());
    assert.ok(NONE_INTENT in result.intents);
  });

  it('should answer None below the threshold and keep the candidates visible', () => {
    const data = loadTrainingData(BOT_NLU);
    const strict = LocalRecognizer.train(data, { threshold: 0.999 });

    const result = strict.parse('could you maybe check something about a delivery');

    assert.equal(topIntent(result.intents), NONE_INTENT);
    assert.equal(result.fallback?.reason, 'low_confidence');
    assert.equal(result.candidates[0]?.intent, 'ask_order_status');
    assert.ok((result.candidates[0]?.score ?? 0) < 0.999);
  });

  it('should answer None when the top two intents are closer than the margin', () => {
    const recognizer = LocalRecognizer.train(dataFrom({ a: ['red apple', 'apple'], b: ['red berry', 'berry'] }), { threshold: 0, ambiguityMargin: 0.5 });

    const result = recognizer.parse('red');

    assert.equal(topIntent(result.intents), NONE_INTENT);
    assert.equal(result.fallback?.reason, 'ambiguous');
    assert.deepEqual(result.candidates.map((c) => c.intent).sort(), ['a', 'b']);
  });

  it('should give the same scores for the same data and seed', () => {
    const data = loadTrainingData(BOT_NLU);

    const first = LocalRecognizer.train(data, { seed: 7 });
    const second = LocalRecognizer.train(data, { seed: 7 });

    assert.deepEqual(first.parse('is my parcel 12345 on its way'), second.parse('is my parcel 12345 on its way'));
    assert.deepEqual(first.toState(), second.toState(), 'the trained weights are identical');
  });

  it('should give None for empty text', () => {
    const result = botRecognizer().parse('   ');

    assert.equal(topIntent(result.intents), NONE_INTENT);
  });

  it('should recognise activity.text through recognize() and track telemetry', async () => {
    const events: TelemetryEvent[] = [];
    const telemetry = { trackEvent: (e: TelemetryEvent) => events.push(e) } as unknown as BotTelemetryClient;
    const recognizer = botRecognizer();
    recognizer.telemetryClient = telemetry;
    const context = new TurnContext(new TestAdapter(), { type: 'message', text: 'where is order 12345' });
    const dc = new DialogContext(new DialogSet(), context, { dialogStack: [] });

    const result = await recognizer.recognize(dc, { type: 'message', text: 'where is order 12345' });

    assert.equal(topIntent(result.intents), 'ask_order_status');
    assert.deepEqual(result.entities.order_id, ['12345']);
    assert.equal(events[0]?.name, 'LocalRecognizerResult');
  });
});
