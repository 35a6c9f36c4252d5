import { strict as assert } from 'node:assert';
import { type SlackApiCall, type SlackApiStub, startSlackApiStub } from '../support/slackApiStub';
import { useMongoDatabase } from '../support/mongo';
import { click, mention, channelMessage } from '../channels/slack/support/slackTraffic';
import { DESK, HandoffApp, postedTicketIds, teachDeskCalls } from '../handoff/support/handoffApp';

const CARLA = 'UCARLA';
const DAN = 'UDAN';
let channelCounter = 0;

type Block = { type: string; elements?: Array<{ action_id?: string; text?: { text: string } }> };
const actionIdsOf = (call: SlackApiCall | undefined): string[] =>
  ((call?.params.blocks ?? []) as Block[]).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []).map((e) => e.action_id ?? '') : []));

for (const backend of ['memory', 'mongodb'] as const) {
  describe(`groups: human handoff from a Slack channel thread shared by two people (${backend} state)`, function () {
    this.timeout(30_000);
    const mongo = backend === 'mongodb' ? useMongoDatabase('groupshandoff') : undefined;
    let stub: SlackApiStub;
    let bot: HandoffApp;

    before(async () => {
      stub = await startSlackApiStub();
      teachDeskCalls(stub);
      const mongoEnv: Record<string, string> = mongo ? { MONGODB_URI: mongo.uri, MONGODB_DB: mongo.db.databaseName } : {};
      bot = await HandoffApp.start(stub, { RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_CONVERSATION_PER_MINUTE: '0', ...mongoEnv });
    });
    after(async () => {
      await bot?.close();
      await stub?.stop();
    });

    it("should relay only the requester's messages, answer the other person itself, and send the agent's replies to the requester", async () => {
      const channel = `C${++channelCounter}SHOP`;
      const asked = mention(CARLA, channel, 'talk to a person');
      const threadTs = (asked.event as { ts: string }).ts;
      const inThread = (): string[] =>
        stub
          .succeeded('chat.postMessage')
          .filter((c) => c.params.channel === channel && c.params.thread_ts === threadTs)
          .map((c) => String(c.params.text));
      await bot.sender.event(asked);
      await bot.idle();
      assert.match(inThread().at(-1) ?? '', /You're number \d+ in the queue/);
      const ticketId = postedTicketIds(stub).at(-1) as string;
      await bot.clickTicket(ticketId, 'Claim', 'UALICE');
      const ticket = await bot.desk.store.get(ticketId);
      assert.equal(ticket?.customer.id.endsWith(CARLA), true);

      // Dan, in the same thread, has his own form: the bot answers him, the agent never sees it.
      await bot.sender.event(mention(DAN, channel, 'where is my order 12345?', { thread_ts: threadTs }));
      await bot.idle();
      assert.match(inThread().at(-1) ?? '', /^You asked about order 12345\. Is that correct\?/);
      await bot.sender.event(channelMessage(CARLA, channel, 'the parcel arrived broken', { thread_ts: threadTs }));
      await bot.idle();
      // (The desk's own thread: Slack ts are unique per channel only.)
      const deskLines = stub
        .succeeded('chat.postMessage')
        .filter((c) => c.params.channel === DESK && c.params.thread_ts === ticket?.thread?.ts)
        .map((c) => String(c.params.text));
      assert.ok(deskLines.some((t) => t.endsWith('the parcel arrived broken')));
      assert.equal(
        deskLines.some((t) => /12345/.test(t)),
        false,
        "Dan's message was not relayed",
      );

      // Dan spoke last in the conversation; the agent's reply still goes to Carla's thread, as Carla's turn.
      await bot.sender.event(mention(DAN, channel, 'no', { thread_ts: threadTs }));
      await bot.idle();
      await bot.replyInThread(ticket!, 'UALICE', 'I am sending a replacement.');
      assert.equal(inThread().at(-1), 'I am sending a replacement.');
      await bot.clickTicket(ticketId, 'Resolve', 'UALICE');
      const rating = stub
        .succeeded('chat.postMessage')
        .filter((c) => c.params.channel === channel && actionIdsOf(c).length > 0)
        .at(-1);
      assert.ok(
        actionIdsOf(rating).every((id) => id.endsWith(`.${CARLA}`)),
        `the rating buttons are Carla's: ${JSON.stringify(actionIdsOf(rating))}`,
      );

      // Dan cannot rate Carla's chat.
      const before = stub.calls.length;
      await bot.sender.interaction(click(rating!, String(((rating!.params.blocks as Block[]).at(-1)?.elements?.[0]?.text ?? { text: '' }).text), DAN));
      await bot.idle();
      const after = stub.calls.slice(before);
      assert.equal(after.filter((c) => c.method === 'chat.postEphemeral' && c.params.user === DAN).length, 1);
      assert.equal((await bot.desk.store.get(ticketId))?.rating, undefined, 'no rating recorded');
    });
  });
}
