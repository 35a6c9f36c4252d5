import { strict as assert } from 'node:assert';
import { Messages } from '../../dialogs/messages';
import type { Order, OrderService } from '../../dialogs/ports';
import { playTranscript, say, withButtons, type TranscriptTurn } from '../support/transcript';
import { createTestBot } from '../support/testBot';

const CONFIRM_12345 = withButtons(/^You asked about order 12345\. Is that correct\?$/, ['Yes', 'No']);
const STATUS_12345 = /^Order 12345 is in transit \(carrier: UPS\)\.\nExpected delivery: Fri, 27 Nov 2026\.\nTrack it here: https:\/\/www\.ups\.com/;
const FEEDBACK = withButtons(/^Was this helpful\?$/, ['👍 Yes', '👎 No']);
// The knowledge check (the default policy): after "yes" the bot asks for the e-mail or postcode.
const ASK_CHECK = Messages.askVerification;
const NO_MATCH = withButtons(/^I couldn't find an order matching those details\./, ['Check an order', 'Talk to a person']);

const transcripts: { title: string; turns: TranscriptTurn[] }[] = [
  {
    title: 'should greet, confirm the ID from the first message and answer with the status',
    turns: [
      ['hi', [/order assistant/]],
      ['where is my order 12345?', [CONFIRM_12345]],
      ['yes', [ASK_CHECK]],
      ['alex.morgan@example.com', [STATUS_12345, FEEDBACK]],
    ],
  },
  {
    title: 'should ask for the ID when the first message has none',
    turns: [
      ['where is my order?', [Messages.askOrderId]],
      ['#12345', [CONFIRM_12345]],
      ['yes', [ASK_CHECK]],
      ['alex.morgan@example.com', [STATUS_12345, FEEDBACK]],
    ],
  },
  {
    title: 'should re-ask with a hint when the ID is malformed',
    turns: [
      ['check my order status', [Messages.askOrderId]],
      ['banana', [Messages.invalidOrderId('banana')]],
      ['12345', [CONFIRM_12345]],
    ],
  },
  {
    title: 'should offer help or a human after three failed tries',
    turns: [
      ['order status please', [Messages.askOrderId]],
      ['x', [/doesn't look like an order ID.*What is your order ID\?$/]],
      ['yy', [/doesn't look like an order ID/]],
      ['zzz', [withButtons(/couldn't read an order ID/, ['Help', 'Talk to a person'])]],
    ],
  },
  {
    title: 'should ask for the right ID after "no" at the confirmation',
    turns: [
      ['where is order 12345', [CONFIRM_12345]],
      ['no', [Messages.askCorrectOrderId]],
      ['98765', [withButtons(/order 98765/, ['Yes', 'No'])]],
      ['yes', [ASK_CHECK]],
      ['sw1a 1aa', [/^Order 98765 is delivered \(carrier: DHL\)\.\nDelivered on/, FEEDBACK]],
    ],
  },
  {
    title: 'should start the form when a message carries an order ID but no confident intent',
    turns: [['any news about 55555?', [/^You asked about order 55555\. Is that correct\?$/]]],
  },
  {
    title: 'should not say whether an order exists: an unknown ID gets the same answer as a wrong check',
    turns: [
      ['where is my order 11111', [/order 11111\. Is that correct/]],
      ['yes', [ASK_CHECK]],
      ['alex.morgan@example.com', [NO_MATCH]],
    ],
  },
  {
    title: 'should switch to a different ID given during the confirmation',
    turns: [
      ['where is my order 12345', [CONFIRM_12345]],
      ['sorry, I meant order 98765', [/You asked about order 98765/]],
      ['yes', [ASK_CHECK]],
      ['SW1A1AA', [/^Order 98765 is delivered/, FEEDBACK]],
    ],
  },
  {
    title: 'should give step-specific help and re-prompt at the ID prompt',
    turns: [
      ['where is my order', [Messages.askOrderId]],
      ['help', [Messages.helpDuringOrderId, Messages.askOrderId]],
      ['12345', [CONFIRM_12345]],
    ],
  },
  {
    title: 'should give help and re-prompt at the confirmation',
    turns: [
      ['order 12345 status', [CONFIRM_12345]],
      ['help', [Messages.helpDuringConfirm, CONFIRM_12345]],
      ['yes', [ASK_CHECK]],
      ['alex.morgan@example.com', [STATUS_12345, FEEDBACK]],
    ],
  },
  {
    title: 'should cancel the form at the ID prompt and at the confirmation',
    turns: [
      ['where is my order', [Messages.askOrderId]],
      ['cancel', [Messages.cancelled]],
      ['order 12345', [CONFIRM_12345]],
      ['cancel', [Messages.cancelled]],
      ['cancel', [Messages.nothingToCancel]],
    ],
  },
  {
    title: 'should fall back with what it can do, then offer a human after two fallbacks in a row',
    turns: [
      ['the weather is lovely', [withButtons(/^I am not sure I understood/, ['Check an order', 'No, thanks'])]],
      ['purple monkey dishwasher', [withButtons(/Would you like to talk to a person\?/, ['Talk to a person', 'No, thanks'])]],
      ['no', [Messages.declineHuman]],
    ],
  },
  {
    title: 'should answer goodbye and help outside the form',
    turns: [
      ['help', [withButtons(/I can check where your order is/, ['Check an order', 'Talk to a person'])]],
      ['bye', [Messages.goodbye]],
    ],
  },
];

describe('order-status dialogs (transcripts)', () => {
  for (const { title, turns } of transcripts) {
    it(title, async () => {
      const { adapter } = createTestBot();
      await playTranscript(adapter, turns);
    });
  }

  it('should hand off mid-form without the unverified order ID, saying the customer is not verified', async () => {
    const { adapter, handoff } = createTestBot();
    await playTranscript(adapter, [
      ['where is order 12345', [CONFIRM_12345]],
      ['let me talk to a person', ['[handoff requested]']],
    ]);
    assert.deepEqual(handoff.requests, [{ reason: 'user_request', intent: 'ask_order_status', verification: { verified: false } }]);
  });

  it('should hand off with the order and how the customer was verified once the check passed', async () => {
    const { adapter, handoff } = createTestBot();
    await playTranscript(adapter, [
      ['where is order 12345', [CONFIRM_12345]],
      ['yes', [ASK_CHECK]],
      ['alex.morgan@example.com', [STATUS_12345, FEEDBACK]],
      ['let me talk to a person', ['[handoff requested]']],
    ]);
    assert.deepEqual(handoff.requests, [
      { reason: 'user_request', intent: 'ask_order_status', orderId: '12345', verification: { verified: true, method: 'knowledge' } },
    ]);
  });

  it('should hand off after a fallback offer is accepted', async () => {
    const { adapter, handoff } = createTestBot();
    await say(adapter, 'qwerty');
    await say(adapter, 'asdfgh');
    const replies = await say(adapter, 'yes');
    assert.deepEqual(
      replies.map((r) => r.text),
      ['[handoff requested]'],
    );
    assert.equal(handoff.requests[0]?.reason, 'repeated_fallback');
  });

  it('should apologise and offer a person when the order backend fails', async () => {
    const failing: OrderService = {
      getOrderStatus: async (): Promise<Order | null> => {
        throw new Error('connection refused');
      },
      verifyOrder: async (): Promise<boolean> => {
        throw new Error('connection refused');
      },
    };
    const { adapter } = createTestBot({ orders: failing });
    await playTranscript(adapter, [
      ['where is order 12345', [CONFIRM_12345]],
      ['yes', [ASK_CHECK]],
      ['alex.morgan@example.com', [withButtons(/can't reach the order system/, ['Talk to a person'])]],
    ]);
  });

  it('should reset the fallback count after an understood message', async () => {
    const { adapter } = createTestBot();
    await say(adapter, 'qwerty');
    await say(adapter, 'hi');
    const replies = await say(adapter, 'asdfgh');
    assert.match(replies[0]?.text ?? '', /not sure I understood/);
  });
});
