import { strict as assert } from 'node:assert';
import type { Activity, CardAction } from 'botbuilder';
import { type ConnectorStub, startConnectorStub } from '../handoff/support/connectorStub';
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
    let connector: ConnectorStub;

    before(async () => {
      connector = await startConnectorStub();
      stub = await startSlackApiStub();
      teachDeskCalls(stub);
      const mongoEnv: Record<string, string> = mongo ? { MONGODB_URI: mongo.uri, MONGODB_DB: mongo.db.databaseName } : {};
      bot = await HandoffApp.start(stub, { RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_CONVERSATION_PER_MINUTE: '0', ...mongoEnv });
    });
    after(async () => {
      await bot?.close();
      await stub?.stop();
      await connector?.stop();
    });

    /** A Teams channel message (an @mention, or a card click with its value) posted with expectReplies. */
    async function teams(person: { id: string; name: string }, conversationId: string, text: string, value?: unknown): Promise<string[]> {
      const response = await fetch(`${bot.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          id: `teams-${Math.random().toString(36).slice(2)}`,
          channelId: 'msteams',
          serviceUrl: connector.url,
          deliveryMode: 'expectReplies',
          from: person,
          recipient: { id: '28:orderbot', name: 'OrderBot' },
          conversation: { id: conversationId, isGroup: true, conversationType: 'channel', tenantId: 'tenant-1' },
          channelData: { tenant: { id: 'tenant-1' } },
          text: value === undefined ? `<at>OrderBot</at> ${text}` : text,
          ...(value === undefined
            ? { entities: [{ type: 'mention', mentioned: { id: '28:orderbot', name: 'OrderBot' }, text: '<at>OrderBot</at>' }] }
            : { value }),
        }),
      });
      assert.equal(response.status, 200);
      const json = (await response.json()) as { activities?: Partial<Activity>[] };
      return (json.activities ?? []).filter((a) => a.type === 'message').map((a) => a.text ?? '');
    }

    it('should keep a Teams channel handoff to the requester: relay, agent replies and rating buttons are theirs', async () => {
      const carla = { id: '29:carla', name: 'Carla' };
      const dan = { id: '29:dan', name: 'Dan' };
      const thread = `19:support@thread.tacv2;messageid=${++channelCounter}000`;
      assert.match((await teams(carla, thread, 'talk to a person'))[0] ?? '', /in the queue/);
      const ticketId = postedTicketIds(stub).at(-1) as string;
      await bot.clickTicket(ticketId, 'Claim', 'UALICE');
      const ticket = await bot.desk.store.get(ticketId);
      assert.equal(ticket?.customer.id, carla.id);

      assert.match((await teams(dan, thread, 'where is my order 12345?'))[0] ?? '', /^You asked about order 12345/, 'the bot answers Dan');
      assert.deepEqual(await teams(carla, thread, 'the parcel arrived broken'), [], "Carla's message goes to the agent");
      const deskLines = stub
        .succeeded('chat.postMessage')
        .filter((c) => c.params.channel === DESK && c.params.thread_ts === ticket?.thread?.ts)
        .map((c) => String(c.params.text));
      assert.ok(deskLines.some((t) => t.endsWith('the parcel arrived broken')));
      assert.equal(
        deskLines.some((t) => /12345/.test(t)),
        false,
      );

      await bot.replyInThread(ticket!, 'UALICE', 'A replacement is on its way.');
      await bot.clickTicket(ticketId, 'Resolve', 'UALICE');
      const posts = await connector.waitFor((p) => p.conversationId === thread && /closed this chat/.test(p.activity.text ?? ''), 1);
      assert.ok(connector.messagesTo(thread).some((a) => a.text === 'A replacement is on its way.'));
      const ratingButtons = (posts[0]?.activity.attachments ?? []).flatMap((a) => (a.content as { buttons?: CardAction[] }).buttons ?? []);
      assert.ok(ratingButtons.length > 0, 'Teams shows the rating as card buttons in a channel');
      for (const b of ratingButtons) assert.deepEqual(b.value, { offeredTo: carla.id, offeredToName: carla.name });

      const refused = await teams(dan, thread, String(ratingButtons[0]?.text), ratingButtons[0]?.value);
      assert.match(refused[0] ?? '', /^<at>Dan<\/at> Those buttons are for Carla/);
      assert.equal((await bot.desk.store.get(ticketId))?.rating, undefined);
      assert.match((await teams(carla, thread, String(ratingButtons[0]?.text), ratingButtons[0]?.value))[0] ?? '', /Thanks for your feedback/);
      assert.ok((await bot.desk.store.get(ticketId))?.rating);
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
