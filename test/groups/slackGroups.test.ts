import { strict as assert } from 'node:assert';
import { GroupMessages } from '../../src/groups/messages';
import { type SlackApiCall, type SlackApiStub, startSlackApiStub } from '../support/slackApiStub';
import { useMongoDatabase } from '../support/mongo';
import { channelMessage, click, dm, mention, type SlackTestApp, startSlackApp } from '../channels/slack/support/slackTraffic';

const NO_RATE_LIMITS = { RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_CONVERSATION_PER_MINUTE: '0', RATE_LIMIT_ADDRESS_PER_MINUTE: '0' };
const ALICE = 'UALICE';
const BOB = 'UBOB';
let channelCounter = 0;

type Block = { type: string; block_id?: string; elements?: Array<{ action_id?: string; text?: { text: string } }> };
const actionIdsOf = (call: SlackApiCall | undefined): string[] =>
  ((call?.params.blocks ?? []) as Block[]).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []).map((e) => e.action_id ?? '') : []));

for (const backend of ['memory', 'mongodb'] as const) {
  describe(`groups: Slack channel threads with several people (${backend} state)`, function () {
    this.timeout(30_000);
    const mongo = backend === 'mongodb' ? useMongoDatabase('slackgroups') : undefined;
    let stub: SlackApiStub;
    let bot: SlackTestApp;

    async function start(env: Record<string, string> = {}): Promise<void> {
      const mongoEnv: Record<string, string> = mongo ? { MONGODB_URI: mongo.uri, MONGODB_DB: mongo.db.databaseName } : {};
      bot = await startSlackApp(stub, { ...NO_RATE_LIMITS, ...mongoEnv, ...env });
    }

    /** Sends deliveries (at once), waits for every turn, returns what the bot posted meanwhile. */
    async function deliver(...bodies: Array<{ body: Record<string, unknown>; kind?: 'event' | 'interaction' }>): Promise<SlackApiCall[]> {
      const before = stub.calls.length;
      const results = await Promise.all(bodies.map(({ body, kind }) => (kind === 'interaction' ? bot.sender.interaction(body) : bot.sender.event(body))));
      for (const { status } of results) assert.equal(status, 200);
      await bot.idle();
      return stub.calls.slice(before).filter((c) => c.ok);
    }
    const event = (body: Record<string, unknown>) => ({ body });
    const interaction = (body: Record<string, unknown>) => ({ body, kind: 'interaction' as const });
    const posts = (calls: SlackApiCall[], method = 'chat.postMessage'): SlackApiCall[] => calls.filter((c) => c.method === method);
    const postedTo = (calls: SlackApiCall[], user: string): string[] =>
      posts(calls)
        .filter((c) => c.params.thread_ts !== undefined && String(c.params.text).length > 0)
        .map((c) => String(c.params.text))
        .concat(
          posts(calls, 'chat.postEphemeral')
            .filter((c) => c.params.user === user)
            .map((c) => `(private) ${String(c.params.text)}`),
        );

    before(async () => {
      stub = await startSlackApiStub();
    });
    afterEach(async () => {
      await bot?.close();
      stub.reset();
    });
    after(async () => {
      await stub.stop();
    });

    it("should not let Bob's threaded mention answer Alice's form, nor his click her buttons", async () => {
      await start();
      const channel = `C${++channelCounter}GROUP`;
      const asked = mention(ALICE, channel, 'where is my order 12345?');
      const threadTs = (asked.event as { ts: string }).ts;
      const [prompt] = posts(await deliver(event(asked)));
      assert.equal(prompt?.params.thread_ts, threadTs);
      assert.match(String(prompt?.params.text), /^You asked about order 12345\. Is that correct\?/);
      assert.deepEqual(actionIdsOf(prompt), [`sb_reply_0.${ALICE}`, `sb_reply_1.${ALICE}`], 'the buttons name whom they are for');

      const bobSaid = await deliver(event(mention(BOB, channel, 'yes', { thread_ts: threadTs })));
      assert.equal(
        posts(bobSaid).some((c) => /postcode|12345/.test(String(c.params.text))),
        false,
        "Bob's yes does not confirm Alice's order",
      );

      const bobClicked = await deliver(interaction(click(prompt!, 'Yes', BOB)));
      assert.equal(posts(bobClicked).length, 0, 'nothing posted in the thread');
      assert.equal(posts(bobClicked, 'chat.update').length, 0, "Alice's buttons stay");
      const [notice] = posts(bobClicked, 'chat.postEphemeral');
      assert.equal(notice?.params.user, BOB);
      assert.equal(notice?.params.thread_ts, threadTs);
      assert.match(String(notice?.params.text), new RegExp(`^Those buttons are for <@${ALICE}>`));

      // The click by Bob claimed nothing: Alice's own click still counts.
      const aliceClicked = await deliver(interaction(click(prompt!, 'Yes', ALICE)));
      assert.match(String(posts(aliceClicked)[0]?.params.text), /e-mail address or the postcode.*Everyone here can read your answer/);
      assert.equal(posts(aliceClicked, 'chat.update').length, 1);
    });

    it('should answer order details only to the asker (ephemeral) by default, with a public line', async () => {
      await start();
      const channel = `C${++channelCounter}GROUP`;
      const asked = mention(ALICE, channel, 'where is my order 12345?');
      const threadTs = (asked.event as { ts: string }).ts;
      await deliver(event(asked));
      await deliver(event(channelMessage(ALICE, channel, 'yes', { thread_ts: threadTs })));
      const answered = await deliver(event(channelMessage(ALICE, channel, 'alex.morgan@example.com', { thread_ts: threadTs })));
      const [details] = posts(answered, 'chat.postEphemeral');
      assert.equal(details?.params.user, ALICE);
      assert.equal(details?.params.thread_ts, threadTs);
      assert.match(String(details?.params.text), /^Order 12345 is in transit/);
      const publicTexts = posts(answered).map((c) => String(c.params.text));
      assert.equal(publicTexts[0], GroupMessages.detailsSentPrivately);
      assert.equal(
        publicTexts.some((t) => /in transit|UPS/.test(t)),
        false,
        'no detail in the channel',
      );
    });

    it('should keep two forms apart in one thread when both people write at the same moment', async () => {
      await start({ GROUP_ORDER_DETAILS: 'public' });
      const channel = `C${++channelCounter}GROUP`;
      const asked = mention(ALICE, channel, 'where is my order 12345?');
      const threadTs = (asked.event as { ts: string }).ts;
      await deliver(event(asked));
      await deliver(event(mention(BOB, channel, 'where is my order ABC123?', { thread_ts: threadTs })));
      const round1 = await deliver(
        event(channelMessage(ALICE, channel, 'yes', { thread_ts: threadTs })),
        event(channelMessage(BOB, channel, 'yes', { thread_ts: threadTs })),
      );
      assert.equal(posts(round1).filter((c) => /postcode/.test(String(c.params.text))).length, 2, 'each gets their own check');
      const round2 = await deliver(
        event(channelMessage(BOB, channel, '10115', { thread_ts: threadTs })),
        event(channelMessage(ALICE, channel, 'SW1A 1AA', { thread_ts: threadTs })),
      );
      const answers = posts(round2)
        .map((c) => String(c.params.text))
        .filter((t) => t.startsWith('Order '))
        .sort();
      assert.equal(answers.length, 2, JSON.stringify(postedTo(round2, ALICE)));
      assert.match(answers[0] ?? '', /^Order 12345 is/);
      assert.match(answers[1] ?? '', /^Order ABC123 is/);
    });

    it('should carry the form into a DM on "continue privately"', async () => {
      await start();
      const channel = `C${++channelCounter}GROUP`;
      const asked = mention(ALICE, channel, 'where is my order 12345?');
      const threadTs = (asked.event as { ts: string }).ts;
      await deliver(event(asked));
      const moved = await deliver(event(channelMessage(ALICE, channel, 'continue privately', { thread_ts: threadTs })));
      assert.equal(posts(moved, 'conversations.open')[0]?.params.users, ALICE);
      const inThread = posts(moved).filter((c) => c.params.channel === channel);
      assert.match(String(inThread[0]?.params.text), new RegExp(GroupMessages.movedPrivately));
      const inDm = posts(moved).filter((c) => c.params.channel === `D${ALICE}`);
      assert.deepEqual(
        inDm.map((c) => String(c.params.text)),
        [GroupMessages.continuedPrivately, 'You asked about order 12345. Is that correct?'],
      );
      assert.deepEqual(actionIdsOf(inDm[1]), ['sb_reply_0', 'sb_reply_1'], 'DM buttons are for whoever is in the DM');
      const check = await deliver(event(dm(ALICE, `D${ALICE}`, 'yes')));
      assert.match(String(posts(check)[0]?.params.text), /^To keep your order private/);
    });

    it('should give each person of a multi-person DM their own form', async () => {
      await start({ GROUP_ORDER_DETAILS: 'public' });
      const mpim = `G${++channelCounter}MPIM`;
      const asked = mention(ALICE, mpim, 'where is my order 12345?');
      const threadTs = (asked.event as { ts: string }).ts;
      await deliver(event(asked));
      const bob = await deliver(event(mention(BOB, mpim, 'yes', { thread_ts: threadTs })));
      assert.equal(
        posts(bob).some((c) => /postcode/.test(String(c.params.text))),
        false,
      );
      const alice = await deliver(event(channelMessage(ALICE, mpim, 'yes', { thread_ts: threadTs, channel_type: 'mpim' })));
      assert.match(String(posts(alice)[0]?.params.text), /postcode/);
    });
  });
}
