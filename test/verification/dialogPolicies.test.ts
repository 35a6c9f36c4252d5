import { strict as assert } from 'node:assert';
import { TestAdapter, type Activity, type TurnContext } from 'botbuilder';
import { Messages } from '../../dialogs/messages';
import type { VerifiedIdentity } from '../../dialogs/ports';
import { customerKey, VERIFIED_IDENTITY_KEY } from '../../dialogs/verification';
import { MemoryAttemptStore } from '../../src/verification/attemptStore';
import { createTestBot, type TestBotOptions } from '../support/testBot';
import { buttonsOf, playTranscript, say, withButtons } from '../support/transcript';

const CONFIRM = (id: string) => withButtons(new RegExp(`^You asked about order ${id}\\. Is that correct\\?$`), ['Yes', 'No']);
const STATUS_12345 = /^Order 12345 is in transit \(carrier: UPS\)\.\nExpected delivery: Fri, 27 Nov 2026\.\nTrack it here: https:\/\/www\.ups\.com/;
const FEEDBACK = withButtons(/^Was this helpful\?$/, ['👍 Yes', '👎 No']);
/** What must never appear before the check passes: a status word, a date, a carrier or a link. */
const LEAK = /in transit|delivered|being prepared|shipped|delayed|cancelled|on hold|returned|Expected delivery|Track it|https?:\/\/|UPS|DHL|FedEx/i;

function bot(options: TestBotOptions = {}): ReturnType<typeof createTestBot> {
  return createTestBot(options);
}

/** Runs the whole check for one order ID and one answer; returns every reply text. */
async function ask(adapter: TestAdapter, orderId: string, answer: string): Promise<Partial<Activity>[]> {
  const replies: Partial<Activity>[] = [];
  replies.push(...(await say(adapter, `where is my order ${orderId}`)));
  replies.push(...(await say(adapter, 'yes')));
  replies.push(...(await say(adapter, answer)));
  return replies;
}

/** Marks every turn as coming from a customer the channel verified (what src/channels/identity.ts does). */
function asCustomer(adapter: TestAdapter, identity: VerifiedIdentity): TestAdapter {
  adapter.use({
    onTurn: async (context, next) => {
      context.turnState.set(VERIFIED_IDENTITY_KEY, identity);
      await next();
    },
  });
  return adapter;
}

describe('order verification in the dialogs', () => {
  describe('policy knowledge (the default)', () => {
    it('should show the status only after the e-mail on the order, in any letter case', async () => {
      const { adapter } = bot();
      await playTranscript(adapter, [
        ['where is my order 12345', [CONFIRM('12345')]],
        ['yes', [Messages.askVerification]],
        ['  Alex.Morgan@Example.COM ', [STATUS_12345, FEEDBACK]],
      ]);
    });

    it('should accept the postcode on the order without spaces or case', async () => {
      const { adapter } = bot();
      const replies = await ask(adapter, '12345', 'sw1a1aa');
      assert.match(replies.at(-2)?.text ?? '', STATUS_12345);
    });

    it('should give a wrong answer and an unknown ID the very same reply, with nothing about the order', async () => {
      const wrongAnswer = await ask(bot().adapter, '12345', 'someone.else@example.com');
      const unknownId = await ask(bot().adapter, '11111', 'someone.else@example.com');
      const last = (r: Partial<Activity>[]) => ({ text: r.at(-1)?.text, buttons: buttonsOf(r.at(-1) ?? {}) });
      assert.deepEqual(last(wrongAnswer), last(unknownId));
      assert.equal(last(wrongAnswer).text, Messages.noMatchingOrder);
      for (const reply of [...wrongAnswer, ...unknownId]) assert.doesNotMatch(reply.text ?? '', LEAK);
    });

    it("should not accept the other order's answer (the check is per order)", async () => {
      const replies = await ask(bot().adapter, '12345', 'sam.lee@example.org');
      assert.equal(replies.at(-1)?.text, Messages.noMatchingOrder);
    });

    it('should lock a conversation out after 5 failed checks and then refuse even the right answer', async () => {
      const { adapter } = bot();
      for (let i = 0; i < 4; i++) assert.equal((await ask(adapter, '12345', `wrong${i}@example.com`)).at(-1)?.text, Messages.noMatchingOrder);
      const fifth = await ask(adapter, '12345', 'wrong5@example.com');
      assert.equal(fifth.at(-1)?.text, `${Messages.noMatchingOrder}\n${Messages.verificationLockedOut}`);
      assert.deepEqual(buttonsOf(fifth.at(-1) ?? {}), ['Talk to a person']);
      // Locked: the bot does not even ask, and another order ID does not help either.
      await say(adapter, 'where is my order 98765');
      const refused = await say(adapter, 'yes');
      assert.deepEqual(
        refused.map((r) => r.text),
        [Messages.verificationLockedOut],
      );
      assert.deepEqual(buttonsOf(refused[0] ?? {}), ['Talk to a person']);
    });

    it('should lock an order ID out across conversations and bot instances sharing the counters', async () => {
      const attempts = new MemoryAttemptStore();
      // Five different "anonymous visitors", each with a fresh conversation and user, one guess each.
      for (let i = 0; i < 5; i++) {
        const { adapter } = bot({ attempts });
        adapter.conversation = TestAdapter.createConversation(`conv-${i}`, `visitor-${i}`);
        await ask(adapter, '12345', `guess${i}@example.com`);
      }
      const owner = bot({ attempts }).adapter;
      owner.conversation = TestAdapter.createConversation('owner-conv', 'owner');
      await say(owner, 'where is my order 12345');
      assert.deepEqual(
        (await say(owner, 'yes')).map((r) => r.text),
        [Messages.verificationLockedOut],
      );
      // Other orders are not affected by that order's lockout.
      const other = bot({ attempts }).adapter;
      other.conversation = TestAdapter.createConversation('other-conv', 'other');
      assert.match((await ask(other, '98765', 'SW1A 1AA')).at(-2)?.text ?? '', /^Order 98765 is delivered/);
    });

    it('should remember a passed check for the same order in the conversation, until the remember time ends', async () => {
      let now = Date.parse('2026-12-01T10:00:00Z');
      const { adapter } = bot({ now: () => now, rememberSeconds: 600 });
      await ask(adapter, '12345', 'alex.morgan@example.com');
      await say(adapter, '👍 Yes');
      now += 5 * 60_000;
      await say(adapter, 'where is my order 12345');
      const again = await say(adapter, 'yes');
      assert.match(again[0]?.text ?? '', STATUS_12345, 'no second check within 10 minutes');
      await say(adapter, '👍 Yes');
      now += 6 * 60_000;
      await say(adapter, 'where is my order 12345');
      assert.deepEqual(
        (await say(adapter, 'yes')).map((r) => r.text),
        [Messages.askVerification],
        'checked again after 10 minutes',
      );
    });

    it('should not carry a check over to another order', async () => {
      const { adapter } = bot();
      await ask(adapter, '12345', 'alex.morgan@example.com');
      await say(adapter, '👍 Yes');
      await say(adapter, 'where is my order 98765');
      assert.deepEqual(
        (await say(adapter, 'yes')).map((r) => r.text),
        [Messages.askVerification],
      );
    });

    it('should give help at the check and ask again', async () => {
      const { adapter } = bot();
      await say(adapter, 'where is my order 12345');
      await say(adapter, 'yes');
      assert.deepEqual(
        (await say(adapter, 'help')).map((r) => r.text),
        [Messages.helpDuringVerification, Messages.askVerification],
      );
    });

    it('should fail closed when the order backend cannot verify', async () => {
      const orders = { getOrderStatus: async () => ({ id: '12345', status: 'in_transit' as const }) };
      const replies = await ask(bot({ orders }).adapter, '12345', 'alex.morgan@example.com');
      assert.equal(replies.at(-1)?.text, Messages.noMatchingOrder);
    });

    it('should not list orders without a verified identity', async () => {
      const { adapter } = bot();
      assert.deepEqual(
        (await say(adapter, 'which orders do I have?')).map((r) => r.text),
        [Messages.listNeedsSignIn],
      );
    });
  });

  describe('policy identity', () => {
    const alex: VerifiedIdentity = { provider: 'teams', id: '8b1e7d3c-0f4a-4c2e-9d6b-1a2b3c4d5e6f' };

    it('should answer a verified customer about their own order without a question', async () => {
      const adapter = asCustomer(bot({ policy: 'identity' }).adapter, alex);
      await playTranscript(adapter, [
        ['where is my order 12345', [CONFIRM('12345')]],
        ['yes', [STATUS_12345, FEEDBACK]],
      ]);
    });

    it("should answer a verified customer about someone else's order like an unknown one", async () => {
      const adapter = asCustomer(bot({ policy: 'identity' }).adapter, alex);
      await say(adapter, 'where is my order ABC123');
      const replies = await say(adapter, 'yes');
      assert.deepEqual(
        replies.map((r) => r.text),
        [Messages.noMatchingOrder],
      );
    });

    it('should list only the verified customer\'s orders for "which orders do I have?"', async () => {
      const adapter = asCustomer(bot({ policy: 'identity' }).adapter, { provider: 'slack', id: 'T0TEST:U0CUSTOMER2' });
      const [reply] = await say(adapter, 'which orders do I have?');
      assert.equal(reply?.text, Messages.yourOrders(['- ABC123: being prepared', '- 55555: delayed']));
    });

    it('should match an identity by the e-mail address the provider vouches for', async () => {
      const adapter = asCustomer(bot({ policy: 'identity' }).adapter, { provider: 'slack', id: 'T9:U9', email: 'Sam.Lee@example.org' });
      const [reply] = await say(adapter, 'which orders do I have?');
      assert.match(reply?.text ?? '', /ABC123.*\n.*55555/);
    });

    it('should fall back to the knowledge check for an anonymous customer', async () => {
      const { adapter } = bot({ policy: 'identity' });
      await say(adapter, 'where is my order 12345');
      assert.deepEqual(
        (await say(adapter, 'yes')).map((r) => r.text),
        [Messages.askVerification],
      );
    });
  });

  describe('policy none', () => {
    it('should answer with the status right after "yes" when no check is configured', async () => {
      const { adapter } = bot({ policy: 'none' });
      await playTranscript(adapter, [
        ['where is my order 12345', [CONFIRM('12345')]],
        ['yes', [STATUS_12345, FEEDBACK]],
      ]);
    });
  });
});

describe('order verification: whose counters a message uses', () => {
  const contextOf = (identity?: VerifiedIdentity): TurnContext =>
    ({
      activity: { channelId: 'webchat', from: { id: 'alex.morgan' } },
      turnState: new Map(identity ? [[VERIFIED_IDENTITY_KEY, identity]] : []),
    }) as unknown as TurnContext;

  it('should never give a merely claimed user id the key of the verified customer with that id', () => {
    // Red team: failures posted with from.id "alex.morgan" locked out the signed-in alex.morgan.
    const claimed = customerKey(contextOf());
    const verified = customerKey(contextOf({ provider: 'webchat', id: 'alex.morgan' } as VerifiedIdentity));
    assert.notEqual(claimed, verified);
    assert.match(claimed, /^claimed:/);
    assert.match(verified, /^verified:/);
  });
});
