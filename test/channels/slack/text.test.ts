import { strict as assert } from 'node:assert';
import { MessageFactory } from 'botbuilder';
import { conversationIdOf, isDirectMessage, parseConversationId } from '../../../src/channels/slack/address';
import { escapeMrkdwn, slackTextToPlain } from '../../../src/channels/slack/mrkdwn';
import { renderChoiceTaken, renderMessage } from '../../../src/channels/slack/render';
import { orderStatusActivity } from '../../../dialogs/orderStatusReply';

describe('Slack text: mrkdwn escaping, inbound markup, rendering, addresses', () => {
  describe('escapeMrkdwn', () => {
    it('should escape the three characters Slack reserves and nothing else', () => {
      assert.equal(escapeMrkdwn('a & b < c > d *e* _f_'), 'a &amp; b &lt; c &gt; d *e* _f_');
      assert.equal(escapeMrkdwn('<!channel> <@U1> <https://x|y>'), '&lt;!channel&gt; &lt;@U1&gt; &lt;https://x|y&gt;');
    });
  });

  describe('slackTextToPlain', () => {
    const cases: Array<[string, string, string]> = [
      ['bot mention removed', '<@UBOT> where is my order 12345?', 'where is my order 12345?'],
      ['bot mention with label and colon', '<@UBOT|orderbot>: status of 98765', 'status of 98765'],
      ['mention in the middle', 'hey <@UBOT> order 12345', 'hey order 12345'],
      ['other users kept readable', 'ask <@U2|alice> about 12345', 'ask @alice about 12345'],
      ['other user without label', 'cc <@U2>', 'cc @U2'],
      ['channel', 'see <#C1|support>', 'see #support'],
      ['special mentions defused', '<!here> <!channel>', '@here @channel'],
      ['link with label', 'order <https://shop.example/o/12345|12345>', 'order 12345'],
      ['bare link', '<https://shop.example/o/1>', 'https://shop.example/o/1'],
      ['mailto', '<mailto:a@b.example|a@b.example>', 'a@b.example'],
      ['escapes undone', 'a &amp; b &lt;3 &gt;', 'a & b <3 >'],
      ['literal escape text stays literal', '&amp;lt;', '&lt;'],
    ];
    for (const [name, input, expected] of cases) {
      it(`should read Slack markup as the person saw it: ${name}`, () => {
        assert.equal(slackTextToPlain(input, 'UBOT'), expected);
      });
    }
  });

  describe('renderMessage', () => {
    it('should send a plain reply as escaped text without blocks', () => {
      assert.deepEqual(renderMessage(MessageFactory.text('Order <1> & co')), { text: 'Order &lt;1&gt; &amp; co' });
    });

    it('should render suggested actions as Block Kit buttons whose value is what a tap says', () => {
      const rendered = renderMessage(MessageFactory.suggestedActions(['Yes', 'No'], 'Is that correct?'));

      assert.equal(rendered.text, 'Is that correct?');
      assert.deepEqual(rendered.blocks, [
        { type: 'section', text: { type: 'mrkdwn', text: 'Is that correct?' } },
        {
          type: 'actions',
          block_id: 'sb_suggested',
          elements: [
            { type: 'button', action_id: 'sb_reply_0', text: { type: 'plain_text', text: 'Yes' }, value: 'Yes' },
            { type: 'button', action_id: 'sb_reply_1', text: { type: 'plain_text', text: 'No' }, value: 'No' },
          ],
        },
      ]);
    });

    it('should keep Block Kit limits: 75-character labels and at most 25 buttons', () => {
      const labels = Array.from({ length: 30 }, (_, i) => `${i} ${'x'.repeat(100)}`);

      const rendered = renderMessage(MessageFactory.suggestedActions(labels, 'Pick one'));

      const buttons = (rendered.blocks![1] as { elements: Array<{ text: { text: string }; value: string }> }).elements;
      assert.equal(buttons.length, 25);
      assert.ok(buttons.every((b) => Array.from(b.text.text).length <= 75));
      assert.equal(buttons[0]?.value, labels[0]);
    });

    it('should render an order status as a compact Block Kit message with the text as fallback', () => {
      const activity = orderStatusActivity({
        id: 'A<1>',
        status: 'in_transit',
        eta: '2026-11-27',
        carrier: 'UPS & Co',
        trackingUrl: 'https://track.example/1?a=1&b=2',
      });

      const rendered = renderMessage(activity);

      assert.equal(rendered.text, escapeMrkdwn(activity.text ?? ''));
      const [section, actions] = rendered.blocks as Array<{
        type: string;
        text?: { text: string };
        fields?: Array<{ text: string }>;
        elements?: Array<{ url: string }>;
      }>;
      assert.equal(section?.text?.text, ':package: *Order A&lt;1&gt;*');
      assert.deepEqual(
        section?.fields?.map((f) => f.text),
        ['*Status*\nin transit', '*Expected delivery*\nFri, 27 Nov 2026', '*Carrier*\nUPS &amp; Co'],
      );
      assert.equal(actions?.type, 'actions');
      assert.equal(actions?.elements?.[0]?.url, 'https://track.example/1?a=1&b=2');
    });

    it('should leave out a tracking button whose URL is not http(s)', () => {
      const rendered = renderMessage(orderStatusActivity({ id: '1', status: 'delivered', trackingUrl: 'javascript:alert(1)' }));

      assert.equal(rendered.blocks?.length, 1);
    });

    it('should replace clicked buttons with the choice taken, keeping other blocks', () => {
      const { blocks } = renderMessage(MessageFactory.suggestedActions(['Yes', 'No'], 'Is that correct?'));

      const after = renderChoiceTaken(blocks ?? [], 'Yes <b>', 'U1');

      assert.equal(after.length, 2);
      assert.equal(after[0]?.type, 'section');
      assert.deepEqual(after[1], { type: 'context', elements: [{ type: 'mrkdwn', text: '<@U1> chose *Yes &lt;b&gt;*' }] });
    });
  });

  describe('conversation ids', () => {
    it('should round-trip DM and thread addresses through the conversation id', () => {
      for (const address of [
        { team: 'T1', channel: 'D1' },
        { team: 'T1', channel: 'C1', threadTs: '1700000000.000100' },
      ]) {
        assert.deepEqual(parseConversationId(conversationIdOf(address)), address);
      }
      assert.equal(conversationIdOf({ team: 'T1', channel: 'C1', threadTs: '1.2' }), 'T1:C1:1.2');
    });

    it('should refuse ids it did not build', () => {
      for (const id of [undefined, '', 'a', 'a:b:c:d', 'a::c', ':b']) {
        assert.equal(parseConversationId(id), undefined, String(id));
      }
    });

    it('should tell DMs from channels by channel_type, else by the D prefix', () => {
      assert.equal(isDirectMessage('D1', 'im'), true);
      assert.equal(isDirectMessage('C1', 'channel'), false);
      assert.equal(isDirectMessage('G1', 'mpim'), false);
      assert.equal(isDirectMessage('D1'), true);
      assert.equal(isDirectMessage('C1'), false);
    });
  });
});
