import { strict as assert } from 'node:assert';
import type { TurnContext } from 'botbuilder';
import type { ConversationEvent, ConversationEvents } from '../../dialogs/conversationEvents';
import { Messages } from '../../dialogs/messages';
import { buttonsOf, playTranscript, say, withButtons } from '../support/transcript';
import { createTestBot } from '../support/testBot';

/** Keeps the events the dialogs report, in order. */
class RecordingEvents implements ConversationEvents {
  readonly events: ConversationEvent[] = [];
  async record(_context: TurnContext, event: ConversationEvent): Promise<void> {
    this.events.push(event);
  }
  names(): string[] {
    return this.events.map((e) => e.name);
  }
}

const FEEDBACK = withButtons(/^Was this helpful\?$/, ['👍 Yes', '👎 No']);

describe('"Was this helpful?" feedback', () => {
  it('should ask after a status and thank a customer who found it helpful', async () => {
    const events = new RecordingEvents();
    const { adapter } = createTestBot({ events });

    await playTranscript(adapter, [
      ['where is my order 12345', [/Is that correct\?/]],
      ['yes', [Messages.askVerification]],
      ['alex.morgan@example.com', [/^Order 12345 is in transit/, FEEDBACK]],
      ['👍 Yes', [Messages.thanksHelpful]],
    ]);

    assert.deepEqual(
      events.events.filter((e) => e.name.startsWith('feedback')),
      [{ name: 'feedback.asked' }, { name: 'feedback', helpful: true }],
    );
  });

  it('should record "not helpful", apologise and offer another order or a person', async () => {
    const events = new RecordingEvents();
    const { adapter } = createTestBot({ events });
    await say(adapter, 'where is my order 98765');
    await say(adapter, 'yes');
    await say(adapter, 'SW1A 1AA');

    const replies = await say(adapter, '👎 No');

    assert.equal(replies[0]?.text, Messages.thanksNotHelpful);
    assert.deepEqual(buttonsOf(replies[0] ?? {}), ['Check an order', 'Talk to a person']);
    assert.deepEqual(events.events.at(-1), { name: 'feedback', helpful: false });
  });

  it('should accept a typed "no" as the answer', async () => {
    const events = new RecordingEvents();
    const { adapter } = createTestBot({ events });
    await say(adapter, 'where is my order 12345');
    await say(adapter, 'yes');
    await say(adapter, 'alex.morgan@example.com');

    await say(adapter, 'no');

    assert.deepEqual(events.events.at(-1), { name: 'feedback', helpful: false });
  });

  it('should not insist: a new question after the status is simply answered', async () => {
    const events = new RecordingEvents();
    const { adapter } = createTestBot({ events });
    await say(adapter, 'where is my order 12345');
    await say(adapter, 'yes');
    await say(adapter, 'alex.morgan@example.com');

    const replies = await say(adapter, 'where is my order 98765');

    assert.match(replies[0]?.text ?? '', /You asked about order 98765/);
    assert.ok(!events.names().includes('feedback'));
  });

  it('should ask only after a status, not after "not found" or a backend failure', async () => {
    const { adapter } = createTestBot();

    await playTranscript(adapter, [
      ['where is my order 11111', [/Is that correct\?/]],
      ['yes', [Messages.askVerification]],
      ['alex.morgan@example.com', [withButtons(/^I couldn't find an order matching those details/, ['Check an order', 'Talk to a person'])]],
    ]);
  });

  it('should treat a later tap on an old feedback button as an ordinary yes', async () => {
    const { adapter } = createTestBot();
    await say(adapter, 'where is my order 12345');
    await say(adapter, 'yes');
    await say(adapter, 'alex.morgan@example.com');
    await say(adapter, 'hi');

    const replies = await say(adapter, '👍 Yes');

    assert.match(replies[0]?.text ?? '', /I can look up the status of an order/);
  });
});

describe('conversation events from the dialogs', () => {
  it('should report the whole funnel of a successful form', async () => {
    const events = new RecordingEvents();
    const { adapter } = createTestBot({ events });

    await say(adapter, 'where is my order');
    await say(adapter, 'banana');
    await say(adapter, '12345');
    await say(adapter, 'yes');
    await say(adapter, 'SW1A 1AA');

    assert.deepEqual(events.events, [
      { name: 'form.started', withOrderId: false },
      { name: 'form.id_invalid', attempt: 1 },
      { name: 'form.id_given' },
      { name: 'form.confirmed' },
      { name: 'verify.asked' },
      { name: 'verify.passed', method: 'knowledge' },
      { name: 'form.status_delivered', status: 'in_transit' },
      { name: 'feedback.asked' },
    ]);
  });

  it('should report where a customer abandoned the form', async () => {
    const events = new RecordingEvents();
    const { adapter } = createTestBot({ events });

    await say(adapter, 'where is my order 12345');
    await say(adapter, 'cancel');
    await say(adapter, 'where is my order');
    await say(adapter, 'let me talk to a person');

    const abandoned = events.events.filter((e) => e.name === 'form.abandoned');
    assert.deepEqual(abandoned, [
      { name: 'form.abandoned', reason: 'cancel', at: 'orderStatusDialog.confirmPrompt' },
      { name: 'form.abandoned', reason: 'handoff', at: 'orderStatusDialog.orderIdPrompt' },
    ]);
  });

  it('should report a denied ID, not found, too many attempts and backend errors', async () => {
    const events = new RecordingEvents();
    const { adapter } = createTestBot({
      events,
      orders: { getOrderStatus: async () => Promise.reject(new Error('down')), verifyOrder: async () => Promise.reject(new Error('down')) },
    });

    await say(adapter, 'order 12345');
    await say(adapter, 'no');
    await say(adapter, '98765');
    await say(adapter, 'yes');
    await say(adapter, 'SW1A 1AA');
    await say(adapter, 'order status');
    for (const junk of ['x', 'y', 'z']) await say(adapter, junk);

    assert.deepEqual(
      events.names().filter((n) => ['form.denied', 'form.backend_error', 'form.too_many_attempts'].includes(n)),
      ['form.denied', 'form.backend_error', 'form.too_many_attempts'],
    );
  });

  it('should report each fallback stage', async () => {
    const events = new RecordingEvents();
    const { adapter } = createTestBot({ events });

    await say(adapter, 'the weather is lovely');
    await say(adapter, 'purple monkey dishwasher');

    assert.deepEqual(events.events, [
      { name: 'fallback', stage: 'did_you_mean' },
      { name: 'fallback', stage: 'offer_human' },
    ]);
  });
});
