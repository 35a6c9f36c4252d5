import { strict as assert } from 'node:assert';
import { startSlackApiStub, type SlackApiCall, type SlackApiStub } from '../../support/slackApiStub';
import { BOT_USER, channelMessage, click, dm, envelope, mention, newTs, postedTexts, startSlackApp, type SlackTestApp } from './support/slackTraffic';

type Block = {
  type: string;
  block_id?: string;
  text?: { text: string };
  fields?: Array<{ text: string }>;
  elements?: Array<{ text: { text: string } | string; url?: string; value?: string }>;
};

const buttonsOf = (call: SlackApiCall): string[] =>
  ((call.params.blocks ?? []) as Block[])
    .filter((b) => b.type === 'actions' && b.block_id === 'sb_suggested')
    .flatMap((b) => (b.elements ?? []).map((e) => (typeof e.text === 'string' ? e.text : e.text.text)));

describe('Slack conversations through the real bot (HTTP mode, Web API stand-in)', () => {
  let stub: SlackApiStub;
  let bot: SlackTestApp;

  before(async () => {
    stub = await startSlackApiStub();
    // Order details answered in the thread, as before GROUP_ORDER_DETAILS (test/groups covers the private default).
    bot = await startSlackApp(stub, { GROUP_ORDER_DETAILS: 'public' });
  });
  after(async () => {
    await bot.close();
    await stub.stop();
  });
  afterEach(() => stub.reset());

  /** Sends one delivery, waits for its turn, and returns the messages the bot posted for it. */
  async function turn(body: Record<string, unknown>, kind: 'event' | 'interaction' = 'event'): Promise<SlackApiCall[]> {
    const before = stub.succeeded('chat.postMessage').length;
    const { status } = kind === 'event' ? await bot.sender.event(body) : await bot.sender.interaction(body);
    assert.equal(status, 200);
    await bot.idle();
    return stub.succeeded('chat.postMessage').slice(before);
  }

  describe('direct messages', () => {
    it('should run the whole order conversation in a DM: question, Yes button, Block Kit status', async () => {
      const confirm = await turn(dm('U1', 'D1', 'where is my order 12345?'));
      assert.equal(confirm.length, 1);
      const prompt = confirm[0]!;
      assert.equal(prompt.params.channel, 'D1');
      assert.equal(prompt.params.thread_ts, undefined, 'a top-level DM is answered top-level');
      assert.equal(prompt.params.text, 'You asked about order 12345. Is that correct?');
      assert.deepEqual(buttonsOf(prompt), ['Yes', 'No']);
      assert.equal(prompt.token, 'xoxb-test-token');

      const [check] = await turn(click(prompt, 'Yes', 'U1'), 'interaction');
      assert.match(String(check?.params.text), /e-mail address or the postcode/, 'the order check comes before any detail');
      const status = await turn(dm('U1', 'D1', 'alex.morgan@example.com'));
      assert.ok(status.length >= 1);
      const answer = status[0]!;
      assert.match(String(answer.params.text), /^Order 12345 is in transit \(carrier: UPS\)/);
      const blocks = answer.params.blocks as Block[];
      assert.equal(blocks[0]?.type, 'section');
      assert.match(blocks[0]?.text?.text ?? '', /\*Order 12345\*/);
      assert.deepEqual(
        blocks[0]?.fields?.map((f) => f.text.split('\n')[0]),
        ['*Status*', '*Expected delivery*', '*Carrier*'],
      );
      assert.match(String(blocks[1]?.elements?.[0]?.url), /^https:\/\/www\.ups\.com\/track/);
    });

    it('should mark the clicked message as answered and ignore a second click on it', async () => {
      const [prompt] = await turn(dm('U2', 'D2', 'where is my order 98765'));
      await turn(click(prompt!, 'Yes', 'U2'), 'interaction');
      const updates = stub.succeeded('chat.update');
      assert.equal(updates.length, 1);
      assert.equal(updates[0]?.params.ts, (prompt!.response as { ts: string }).ts);
      const updatedBlocks = updates[0]?.params.blocks as Block[];
      assert.equal(
        updatedBlocks.some((b) => b.block_id === 'sb_suggested'),
        false,
        'the buttons are gone',
      );
      assert.match(JSON.stringify(updatedBlocks), /<@U2> chose \*Yes\*/);

      const again = await turn(click(prompt!, 'No', 'U2'), 'interaction');

      assert.deepEqual(again, []);
    });

    it('should treat typing the answer the same as clicking it', async () => {
      await turn(dm('U3', 'D3', 'where is my order 98765'));

      const [check] = await turn(dm('U3', 'D3', 'yes'));
      assert.match(String(check?.params.text), /e-mail address or the postcode/);
      const [answer] = await turn(dm('U3', 'D3', 'SW1A 1AA'));

      assert.match(String(answer?.params.text), /^Order 98765 is delivered/);
    });

    it('should answer in the DM thread the person wrote in', async () => {
      const root = newTs();

      const [reply] = await turn(dm('U4', 'D4', 'hi', { thread_ts: root }));

      assert.equal(reply?.params.thread_ts, root);
    });

    it('should acknowledge a file share with a text reply, not an error', async () => {
      const files = [{ id: 'F1', name: 'receipt.png', mimetype: 'image/png', url_private: 'https://files.slack.com/receipt.png' }];

      const replies = await turn(dm('U5', 'D5', '', { subtype: 'file_share', files }));

      assert.equal(replies.length, 1);
      assert.match(String(replies[0]?.params.text), /only read text/);
    });

    it('should read the question that comes with a file', async () => {
      const files = [{ id: 'F2', name: 'order.pdf', mimetype: 'application/pdf' }];

      const [reply] = await turn(dm('U6', 'D6', 'where is my order 12345', { subtype: 'file_share', files }));

      assert.equal(reply?.params.text, 'You asked about order 12345. Is that correct?');
    });
  });

  describe('channels and threads', () => {
    it('should answer an @mention in a thread under the question, and continue there without a new mention', async () => {
      const question = mention('U10', 'C10', 'where is my order 98765?');
      const questionTs = (question.event as { ts: string }).ts;

      const [prompt] = await turn(question);
      assert.equal(prompt?.params.channel, 'C10');
      assert.equal(prompt?.params.thread_ts, questionTs);
      assert.equal(prompt?.params.text, 'You asked about order 98765. Is that correct?');

      await turn(channelMessage('U10', 'C10', 'yes', { thread_ts: questionTs }));
      const [answer] = await turn(channelMessage('U10', 'C10', 'SW1A 1AA', { thread_ts: questionTs }));
      assert.equal(answer?.params.thread_ts, questionTs);
      assert.match(String(answer?.params.text), /^Order 98765 is delivered/);
    });

    it('should answer an @mention inside an existing thread in that thread', async () => {
      const root = newTs();

      const [reply] = await turn(mention('U11', 'C11', 'hi', { thread_ts: root }));

      assert.equal(reply?.params.thread_ts, root);
    });

    it('should keep two questions in one channel apart (a conversation per thread)', async () => {
      const first = mention('U12', 'C12', 'where is my order 12345');
      const second = mention('U13', 'C12', 'where is my order 98765');
      await turn(first);
      await turn(second);

      await turn(channelMessage('U12', 'C12', 'yes', { thread_ts: (first.event as { ts: string }).ts }));
      const [answerFirst] = await turn(channelMessage('U12', 'C12', 'alex.morgan@example.com', { thread_ts: (first.event as { ts: string }).ts }));

      assert.match(String(answerFirst?.params.text), /^Order 12345/);
    });

    it('should continue the dialog when a button in a channel thread is clicked', async () => {
      const [prompt] = await turn(mention('U14', 'C14', 'where is my order 12345'));

      const [check] = await turn(click(prompt!, 'Yes', 'U14'), 'interaction');
      assert.equal(check?.params.thread_ts, prompt?.params.thread_ts);
      const [answer] = await turn(channelMessage('U14', 'C14', 'alex.morgan@example.com', { thread_ts: String(prompt?.params.thread_ts) }));

      assert.equal(answer?.params.thread_ts, prompt?.params.thread_ts);
      assert.match(String(answer?.params.text), /^Order 12345 is in transit/);
    });

    it('should ignore channel messages without a mention, and thread messages from people who did not ask the bot', async () => {
      const question = mention('U15', 'C15', 'where is my order 12345');
      await turn(question);
      const threadTs = (question.event as { ts: string }).ts;

      assert.deepEqual(await turn(channelMessage('U16', 'C15', 'where is my order 98765')), []);
      assert.deepEqual(await turn(channelMessage('U16', 'C15', 'yes', { thread_ts: threadTs })), []);
      assert.deepEqual(await turn(channelMessage('U15', 'C15', 'yes', { thread_ts: newTs() })), []);
    });

    it('should answer a channel message that mentions the bot once, although Slack sends it as message and app_mention', async () => {
      const ts = newTs();
      const text = `<@${BOT_USER}> hi`;

      await bot.sender.event(envelope({ type: 'message', channel_type: 'channel', channel: 'C17', user: 'U17', text, ts }));
      const replies = await turn(envelope({ type: 'app_mention', channel: 'C17', user: 'U17', text, ts }));

      assert.equal(replies.length, 1);
    });
  });

  describe('what the bot does not answer', () => {
    it("should ignore its own messages and other bots' messages", async () => {
      const own = dm(BOT_USER, 'D20', 'where is my order 12345', { bot_id: 'B0BOT' });
      const otherBot = dm('U0OTHERBOT', 'D20', 'where is my order 12345', { bot_id: 'B0OTHER' });
      const botMessage = envelope({ type: 'message', subtype: 'bot_message', channel_type: 'im', channel: 'D20', bot_id: 'B0OTHER', text: 'hi', ts: newTs() });
      const ownMention = mention(BOT_USER, 'C20', 'hi');

      for (const body of [own, otherBot, botMessage, ownMention]) assert.deepEqual(await turn(body), []);
    });

    it('should not answer an edited or deleted message, and keep the dialog where it was', async () => {
      const original = dm('U21', 'D21', 'where is my order 12345');
      await turn(original);
      const ts = (original.event as { ts: string }).ts;

      const edit = envelope({
        type: 'message',
        subtype: 'message_changed',
        channel_type: 'im',
        channel: 'D21',
        ts: newTs(),
        hidden: true,
        message: { type: 'message', user: 'U21', text: 'where is my order 98765', ts, edited: { user: 'U21', ts: newTs() } },
        previous_message: { type: 'message', user: 'U21', text: 'where is my order 12345', ts },
      });
      const unfurl = envelope({
        type: 'message',
        subtype: 'message_changed',
        channel_type: 'im',
        channel: 'D21',
        ts: newTs(),
        hidden: true,
        message: { type: 'message', user: 'U21', text: 'same', ts, attachments: [{ title: 'preview' }] },
        previous_message: { type: 'message', user: 'U21', text: 'same', ts },
      });
      const deletion = envelope({
        type: 'message',
        subtype: 'message_deleted',
        channel_type: 'im',
        channel: 'D21',
        ts: newTs(),
        hidden: true,
        deleted_ts: ts,
        previous_message: { type: 'message', user: 'U21', text: 'where is my order 12345', ts },
      });
      for (const body of [edit, unfurl, deletion]) assert.deepEqual(await turn(body), []);

      await turn(dm('U21', 'D21', 'yes'));
      const [answer] = await turn(dm('U21', 'D21', 'alex.morgan@example.com'));
      assert.match(String(answer?.params.text), /^Order 12345/, 'the edit did not change the order being confirmed');
    });

    it('should ignore edits of its own messages (e.g. after a button click)', async () => {
      const ts = newTs();
      const ownEdit = envelope({
        type: 'message',
        subtype: 'message_changed',
        channel_type: 'im',
        channel: 'D22',
        ts: newTs(),
        hidden: true,
        message: { type: 'message', user: BOT_USER, bot_id: 'B0BOT', text: 'new', ts },
        previous_message: { type: 'message', user: BOT_USER, bot_id: 'B0BOT', text: 'old', ts },
      });

      assert.deepEqual(await turn(ownEdit), []);
    });
  });

  describe('text safety', () => {
    it('should escape user-controlled text it echoes, so it cannot ping a channel or disguise a link', async () => {
      await turn(dm('U30', 'D30', 'I want to check on my order'));

      // What Slack sends when someone types: &lt;!channel&gt; & <https://evil.example|x>
      const [reply] = await turn(dm('U30', 'D30', '&lt;!channel&gt; &amp; &lt;https://evil.example|x&gt;'));

      const text = String(reply?.params.text);
      assert.match(text, /&lt;!channel&gt; &amp; &lt;https:\/\/evil\.example\|x/);
      assert.doesNotMatch(text, /<!channel>|<https:/);
    });

    it('should read mentions and links the way the person saw them', async () => {
      await turn(dm('U31', 'D31', 'I want to check on my order'));

      const [reply] = await turn(dm('U31', 'D31', '<mailto:x@y.example|x@y.example>'));

      assert.match(String(reply?.params.text), /^"x@y\.example" doesn't look like an order ID/);
    });
  });

  describe('exactly-once replies', () => {
    it('should post exactly 50 replies for 50 events each delivered 4 times (retries and duplicates)', async () => {
      const events = Array.from({ length: 50 }, (_, i) => dm(`U-dup-${i}`, `D-dup-${i}`, 'where is my order 12345'));

      await Promise.all(events.flatMap((event) => [0, 1, 2, 3].map((attempt) => bot.sender.event(event, attempt === 0 ? {} : { retryNum: attempt }))));
      await bot.idle();

      assert.equal(stub.succeeded('chat.postMessage').length, 50);
      assert.equal(new Set(stub.succeeded('chat.postMessage').map((c) => c.params.channel)).size, 50);
      assert.deepEqual(new Set(postedTexts(stub)), new Set(['You asked about order 12345. Is that correct?']));
    });

    it('should process a retry whose first delivery never arrived', async () => {
      const response = await bot.sender.event(dm('U41', 'D41', 'hi'), { retryNum: 2 });
      await bot.idle();

      assert.equal(response.status, 200);
      assert.equal(stub.succeeded('chat.postMessage').length, 1);
    });
  });
});
