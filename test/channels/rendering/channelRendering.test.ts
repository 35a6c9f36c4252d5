import { strict as assert } from 'node:assert';
import { ConversationState, MemoryStorage, TestAdapter, UserState, type Activity, type Attachment } from 'botbuilder';
import type { Order, OrderService } from '../../../dialogs/ports';
import { createStateAccessors, SupportBot } from '../../../src/bot/SupportBot';
import { createTurnErrorHandler } from '../../../src/bot/turnErrorHandler';
import { capabilitiesOf } from '../../../src/channels/rendering/capabilities';
import { ChannelRenderingMiddleware, renderAll } from '../../../src/channels/rendering/ChannelRenderingMiddleware';
import { pickByNumber, type OfferedChoices } from '../../../src/channels/rendering/choices';
import { escapeMarkdown } from '../../../src/channels/rendering/markdown';
import { silentLogger, createTestMainDialog, turnStateMiddleware } from '../../support/testBot';

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

/** The real bot and dialogs on a TestAdapter for one channel, with the rendering middleware. */
function botOn(channelId: string, template: Partial<Activity> = {}, orders?: OrderService): TestAdapter {
  const storage = new MemoryStorage();
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const accessors = createStateAccessors(conversationState);
  const dialog = createTestMainDialog(accessors, { orders: orders });
  const bot = new SupportBot({ userState, dialog, dialogState: accessors.dialogState, maxTextLength: 2000 });
  const adapter = new TestAdapter((context) => bot.run(context), { channelId, ...template });
  adapter.use(turnStateMiddleware(conversationState, userState));
  adapter.onTurnError = createTurnErrorHandler(silentLogger, false);
  adapter.use(new ChannelRenderingMiddleware({ offeredChoices: conversationState.createProperty<OfferedChoices | undefined>('offeredChoices') }));
  return adapter;
}

function cardOf(activity: Partial<Activity>): Record<string, unknown> | undefined {
  return activity.attachments?.find((a: Attachment) => a.contentType === ADAPTIVE)?.content as Record<string, unknown> | undefined;
}

/** Runs a script and returns every message the bot sent, by turn. */
async function converse(adapter: TestAdapter, inputs: (string | Partial<Activity>)[]): Promise<Partial<Activity>[][]> {
  const turns: Partial<Activity>[][] = [];
  for (const input of inputs) {
    adapter.activeQueue.splice(0);
    await adapter.receiveActivity(typeof input === 'string' ? { type: 'message', text: input } : input);
    turns.push(adapter.activeQueue.splice(0).filter((a) => a.type === 'message'));
  }
  return turns;
}

describe('Channel-aware rendering', () => {
  it('should give Web Chat the order status as an Adaptive Card 1.5 and keep suggested actions', async () => {
    const [confirm, check, status] = await converse(botOn('webchat'), ['where is my order 12345', 'yes', 'alex.morgan@example.com']);
    assert.match(String(check?.[0]?.text), /e-mail address or the postcode/, 'the order check comes first');
    assert.deepEqual(
      confirm?.[0]?.suggestedActions?.actions.map((a) => a.title),
      ['Yes', 'No'],
    );
    const card = cardOf(status?.[0] ?? {});
    assert.ok(card, 'card attached');
    assert.equal(card.version, '1.5');
    assert.match(String(status?.[0]?.text), /^Order 12345 is in transit/, 'the text stays for notifications and screen readers');
    const json = JSON.stringify(card);
    assert.match(json, /"text":"In transit"/);
    assert.match(json, /"title":"Carrier","value":"UPS"/);
    assert.match(json, /"type":"Action.OpenUrl","title":"Track the parcel","url":"https:\/\/www\.ups\.com/);
  });

  it('should give Teams a 1.4 card at full width, and strip the @mention before recognising', async () => {
    const adapter = botOn('msteams', { conversation: { id: 'c1', conversationType: 'channel', isGroup: true, name: '' } });
    const mention = { type: 'mention', mentioned: { id: 'bot', name: 'Order Assistant' }, text: '<at>Order Assistant</at>' };
    const [confirm] = await converse(adapter, [
      { type: 'message', text: '<at>Order Assistant</at> where is my order 12345', entities: [mention] },
      { type: 'message', text: '<at>Order Assistant</at> yes', entities: [mention] },
    ]);
    const [status] = await converse(adapter, [{ type: 'message', text: '<at>Order Assistant</at> alex.morgan@example.com', entities: [mention] }]);
    assert.equal(confirm?.[0]?.text, 'You asked about order 12345. Is that correct?');
    assert.equal(confirm?.[0]?.suggestedActions?.actions.length, 2, 'Teams shows up to three suggested actions');
    const card = cardOf(status?.[0] ?? {});
    assert.equal(card?.version, '1.4');
    assert.deepEqual(card?.msteams, { width: 'Full' });
  });

  it('should turn buttons into numbered text on SMS and accept the number as the answer', async () => {
    const adapter = botOn('sms');
    const [confirm, , status, later] = await converse(adapter, ['where is my order 12345', '1', 'SW1A 1AA', '2']);
    assert.equal(confirm?.[0]?.text, 'You asked about order 12345. Is that correct?\n\n1. Yes\n2. No');
    assert.equal(confirm?.[0]?.suggestedActions, undefined);
    assert.match(String(status?.[0]?.text), /^Order 12345 is in transit/);
    assert.equal(status?.[0]?.attachments, undefined, 'no cards on a text channel');
    // After a reply without choices, a bare "2" is just text again (no stale list applies).
    assert.ok(!later?.some((a) => /^Order|Is that correct/.test(a.text ?? '')), JSON.stringify(later?.map((a) => a.text)));
  });

  it('should map "2" to No: the customer is asked for the right ID', async () => {
    const [, retry] = await converse(botOn('email'), ['where is my order 12345', '2.']);
    assert.equal(retry?.[0]?.text, 'Sorry about that. What is the correct order ID?');
  });

  it('should leave Slack alone: its adapter renders Block Kit', async () => {
    const [confirm, , status] = await converse(botOn('slack'), ['where is my order 12345', 'yes', 'alex.morgan@example.com']);
    assert.equal(confirm?.[0]?.suggestedActions?.actions.length, 2);
    assert.equal(status?.[0]?.attachments, undefined);
  });

  it('should escape order fields in the card and drop a tracking link that is not http(s)', async () => {
    const evil: Order = { id: 'ABC123', status: 'delayed', carrier: '[click me](https://evil.example) *bold*', trackingUrl: 'javascript:alert(1)', eta: null };
    const orders: OrderService = { getOrderStatus: async () => evil, verifyOrder: async () => true };
    const [, , status] = await converse(botOn('directline', {}, orders), ['where is my order ABC123', 'yes', 'sam.lee@example.org']);
    const card = cardOf(status?.[0] ?? {});
    assert.equal(status?.[0]?.textFormat, 'plain', 'the message text cannot turn into links either');
    const json = JSON.stringify({ body: card?.body, actions: card?.actions });
    assert.match(json, /\\\\\[click me\\\\\]\\\\\(https:\/\/evil\.example\\\\\) \\\\\*bold\\\\\*/);
    assert.doesNotMatch(json, /Action\.OpenUrl/);
    assert.doesNotMatch(json, /javascript:/);
  });

  it('should put more actions than Teams shows on a card with buttons', () => {
    const activity: Partial<Activity> = {
      type: 'message',
      text: 'Did you mean one of these?',
      suggestedActions: { to: [], actions: ['Check an order', 'Talk to a person', 'Help', 'No, thanks'].map((t) => ({ type: 'imBack', title: t, value: t })) },
    };
    assert.equal(renderAll([activity], capabilitiesOf({ channelId: 'msteams' })), 'cleared');
    assert.equal(activity.suggestedActions, undefined);
    const hero = activity.attachments?.[0];
    assert.equal(hero?.contentType, 'application/vnd.microsoft.card.hero');
    assert.deepEqual(
      (hero!.content as { buttons: { value: string }[] }).buttons.map((b) => b.value),
      ['Check an order', 'Talk to a person', 'Help', 'No, thanks'],
    );
  });

  it('should never take an order ID for a choice number, and escape Markdown', () => {
    const choices = [
      { title: 'Yes', value: 'Yes' },
      { title: 'No', value: 'No' },
    ];
    assert.equal(pickByNumber('2', choices)?.value, 'No');
    assert.equal(pickByNumber(' 1) ', choices)?.value, 'Yes');
    assert.equal(pickByNumber('12345', choices), undefined);
    assert.equal(pickByNumber('3', choices), undefined);
    assert.equal(pickByNumber('1', undefined), undefined);
    assert.equal(escapeMarkdown('a_b*c [d](e) <f>'), 'a\\_b\\*c \\[d\\]\\(e\\) \\<f\\>');
    assert.equal(escapeMarkdown('- item\n1. first'), '\\- item\n1\\. first');
    assert.equal(capabilitiesOf({ channelId: 'carrier-pigeon' }).maxSuggestedActions, 0);
  });
});
