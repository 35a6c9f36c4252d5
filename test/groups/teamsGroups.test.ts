import { strict as assert } from 'node:assert';
import type { Activity, Attachment, CardAction } from 'botbuilder';
import { Messages } from '../../dialogs/messages';
import type { BotApp } from '../../src/app';
import { GroupMessages } from '../../src/groups/messages';
import { participantStorageKey } from '../../src/groups/scope';
import { MemoryStorage } from '../../src/storage/MemoryStorage';
import { type ConnectorStub, startConnectorStub } from '../handoff/support/connectorStub';
import { useMongoDatabase } from '../support/mongo';
import { startTestApp } from '../support/testApp';

const NO_RATE_LIMITS = { RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_CONVERSATION_PER_MINUTE: '0', RATE_LIMIT_ADDRESS_PER_MINUTE: '0' };
const BOT = { id: '28:orderbot', name: 'OrderBot' };
const TENANT = 'tenant-1';
const ALICE = { id: '29:alice', name: 'Alice' };
const BOB = { id: '29:bob', name: 'Bob' };
const CAROL = { id: '29:carol', name: 'Carol' };
type Person = typeof ALICE;
type Conversation = NonNullable<Activity['conversation']>;

let counter = 0;
const channelThread = (): Conversation =>
  ({
    id: `19:general@thread.tacv2;messageid=17000000${String(++counter).padStart(5, '0')}`,
    isGroup: true,
    conversationType: 'channel',
    tenantId: TENANT,
  }) as Conversation;
const groupChat = (): Conversation =>
  ({ id: `19:meeting_${++counter}@thread.v2`, isGroup: true, conversationType: 'groupChat', tenantId: TENANT }) as Conversation;

/** A Teams client posting to /api/messages as Teams would (expectReplies: the replies come back in the response). */
class TeamsTraffic {
  constructor(
    private readonly baseUrl: string,
    private readonly serviceUrl: string,
  ) {}

  /** "@OrderBot <text>" from `person` in `conversation`: what Teams delivers in channels and group chats. */
  async mention(person: Person, conversation: Conversation, text: string): Promise<Partial<Activity>[]> {
    return this.post({
      from: person,
      conversation,
      text: `<at>${BOT.name}</at> ${text}`,
      entities: [{ type: 'mention', mentioned: BOT, text: `<at>${BOT.name}</at>` }],
    });
  }

  /** A click on a card button (messageBack): Teams sends its text and value, no mention. */
  async click(person: Person, conversation: Conversation, button: CardAction): Promise<Partial<Activity>[]> {
    return this.post({ from: person, conversation, text: String(button.text), value: button.value });
  }

  /** A message in a one-to-one (personal) chat. */
  async personal(person: Person, conversationId: string, text: string): Promise<Partial<Activity>[]> {
    return this.post({ from: person, conversation: { id: conversationId, conversationType: 'personal', tenantId: TENANT } as Conversation, text });
  }

  private async post(fields: Partial<Activity>): Promise<Partial<Activity>[]> {
    const body = {
      type: 'message',
      id: `teams-${++counter}`,
      channelId: 'msteams',
      serviceUrl: this.serviceUrl,
      deliveryMode: 'expectReplies',
      recipient: BOT,
      channelData: { tenant: { id: TENANT } },
      timestamp: new Date().toISOString(),
      ...fields,
    };
    const response = await fetch(`${this.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 200, await response.clone().text());
    const json = (await response.json()) as { activities?: Partial<Activity>[] };
    return (json.activities ?? []).filter((a) => a.type === 'message');
  }
}

const texts = (replies: Partial<Activity>[]): string[] => replies.map((r) => r.text ?? '');
const buttonsOf = (reply: Partial<Activity> | undefined): CardAction[] =>
  (reply?.attachments ?? []).flatMap((a: Attachment) =>
    a.contentType === 'application/vnd.microsoft.card.hero' ? ((a.content as { buttons?: CardAction[] }).buttons ?? []) : [],
  );
const button = (reply: Partial<Activity> | undefined, title: string): CardAction => {
  const found = buttonsOf(reply).find((b) => b.title === title);
  assert.ok(found, `no "${title}" button in ${JSON.stringify(reply)}`);
  return found;
};

for (const backend of ['memory', 'mongodb'] as const) {
  describe(`groups: Teams channels and group chats, one form per person (${backend} state)`, function () {
    this.timeout(30_000);
    const mongo = backend === 'mongodb' ? useMongoDatabase('teamsgroups') : undefined;
    let connector: ConnectorStub;
    let app: BotApp;
    let teams: TeamsTraffic;
    let storage: MemoryStorage | undefined;

    async function start(env: Record<string, string> = {}): Promise<void> {
      storage = backend === 'memory' ? new MemoryStorage() : undefined;
      const mongoEnv: Record<string, string> = mongo ? { MONGODB_URI: mongo.uri, MONGODB_DB: mongo.db.databaseName } : {};
      const started = await startTestApp({ ...NO_RATE_LIMITS, ...mongoEnv, ...env }, storage ? { storage } : {});
      app = started.app;
      teams = new TeamsTraffic(started.url, connector.url);
    }

    before(async () => {
      connector = await startConnectorStub();
    });
    afterEach(async () => {
      await app?.close();
      connector.refuseCreate(0);
    });
    after(async () => {
      await connector.stop();
    });

    it("should not let Bob's mention confirm Alice's order in a channel thread, and keep both forms apart", async () => {
      await start({ GROUP_ORDER_DETAILS: 'public' });
      const thread = channelThread();
      const [confirm] = await teams.mention(ALICE, thread, 'where is my order 12345?');
      assert.match(confirm?.text ?? '', /^You asked about order 12345\. Is that correct\?/);
      assert.match(confirm?.text ?? '', /mention me with your answer/, 'the question says how to answer where only mentions arrive');
      assert.match(confirm?.text ?? '', /continue privately/);

      const bob = await teams.mention(BOB, thread, 'yes');
      assert.equal(
        texts(bob).some((t) => /postcode|12345/.test(t)),
        false,
        `Bob's "yes" must not answer Alice's question: ${JSON.stringify(texts(bob))}`,
      );

      const check = await teams.mention(ALICE, thread, 'yes');
      assert.match(texts(check)[0] ?? '', /e-mail address or the postcode/);
      const status = await teams.mention(ALICE, thread, 'alex.morgan@example.com');
      assert.match(texts(status)[0] ?? '', /^Order 12345 is in transit/);
    });

    it('should give the buttons to the person they were offered to, and refuse a click by someone else without changing anything', async () => {
      await start();
      const thread = channelThread();
      const [confirm] = await teams.mention(ALICE, thread, 'where is my order 12345?');
      assert.equal(confirm?.suggestedActions, undefined, 'Teams shows no suggested actions in channels');
      const yes = button(confirm, 'Yes');
      assert.deepEqual(yes.value, { offeredTo: ALICE.id, offeredToName: ALICE.name });

      const refused = await teams.click(BOB, thread, yes);
      assert.equal(refused.length, 1);
      assert.match(refused[0]?.text ?? '', /^<at>Bob<\/at> Those buttons are for Alice/);
      assert.deepEqual(
        refused[0]?.entities?.map((e) => (e as { mentioned?: { id?: string } }).mentioned?.id),
        [BOB.id],
        'addressed to the person who clicked',
      );

      // Alice's form did not move: her own click still confirms her order.
      const check = await teams.click(ALICE, thread, yes);
      assert.match(texts(check)[0] ?? '', /e-mail address or the postcode/);
      assert.match(texts(check)[0] ?? '', /Everyone here can read your answer/);
    });

    it('should send order details privately by default and say so in the channel', async () => {
      await start();
      const thread = channelThread();
      await teams.mention(ALICE, thread, 'where is my order 12345?');
      await teams.mention(ALICE, thread, 'yes');
      const before = connector.created.length;
      const replies = await teams.mention(ALICE, thread, 'alex.morgan@example.com');
      assert.match(texts(replies)[0] ?? '', new RegExp(`^<at>Alice</at> ${GroupMessages.detailsSentPrivately}`));
      assert.equal(
        texts(replies).some((t) => /in transit|UPS|ups\.com/.test(t)),
        false,
        'no order detail in the channel',
      );
      const chat = connector.created[before];
      assert.ok(chat, 'a personal chat was created');
      assert.deepEqual(
        (chat.parameters.members as Array<{ id: string }>).map((m) => m.id),
        [ALICE.id],
      );
      const [posted] = await connector.waitFor((p) => p.conversationId === chat.id, 1);
      assert.match(posted?.activity.text ?? '', /^Order 12345 is in transit/);
    });

    it('should say so, and show no details, when the personal chat cannot be opened', async () => {
      await start();
      const thread = channelThread();
      await teams.mention(ALICE, thread, 'where is my order 12345?');
      await teams.mention(ALICE, thread, 'yes');
      connector.refuseCreate(403);
      const replies = await teams.mention(ALICE, thread, 'alex.morgan@example.com');
      assert.match(texts(replies)[0] ?? '', /couldn't send you the details privately/);
      assert.equal(
        texts(replies).some((t) => /in transit|ups\.com/.test(t)),
        false,
      );
    });

    it('should carry the form into a personal chat on "continue privately"', async () => {
      await start();
      const thread = channelThread();
      await teams.mention(ALICE, thread, 'where is my order 12345?');
      const moved = await teams.mention(ALICE, thread, 'continue privately');
      assert.match(texts(moved)[0] ?? '', new RegExp(GroupMessages.movedPrivately));
      const chat = connector.created.at(-1);
      assert.ok(chat);
      const posts = await connector.waitFor((p) => p.conversationId === chat.id, 2);
      assert.deepEqual(
        posts.map((p) => p.activity.text),
        [GroupMessages.continuedPrivately, Messages.confirmOrderId('12345')],
      );
      // In the personal chat the form goes on where it was.
      const check = await teams.personal(ALICE, chat.id, 'yes');
      assert.match(texts(check)[0] ?? '', /^To keep your order private/);
      assert.doesNotMatch(texts(check)[0] ?? '', /mention me/, 'no channel hints in a personal chat');
      // And it left the channel: Alice's "yes" there is not an answer to a question any more.
      const after = await teams.mention(ALICE, thread, 'yes');
      assert.equal(
        texts(after).some((t) => /postcode/.test(t)),
        false,
      );
    });

    it('should say so and keep the form in the channel when no personal chat can be opened', async () => {
      await start();
      const thread = channelThread();
      await teams.mention(ALICE, thread, 'where is my order 12345?');
      connector.refuseCreate(403);
      const refused = await teams.mention(ALICE, thread, 'continue privately');
      assert.match(texts(refused)[0] ?? '', /couldn't open a private chat with you/);
      connector.refuseCreate(0);
      const check = await teams.mention(ALICE, thread, 'yes');
      assert.match(texts(check)[0] ?? '', /e-mail address or the postcode/);
    });

    it('should run three people through their own forms in a group chat, interleaved', async () => {
      await start({ GROUP_ORDER_DETAILS: 'public' });
      const chat = groupChat();
      assert.match(texts(await teams.mention(ALICE, chat, 'where is my order 12345?'))[0] ?? '', /order 12345/);
      assert.match(texts(await teams.mention(BOB, chat, 'where is my order ABC123?'))[0] ?? '', /order ABC123/);
      const carol = await teams.mention(CAROL, chat, 'I want to check on my order');
      assert.match(texts(carol)[0] ?? '', /^What is your order ID\? Please mention me with the order ID/);
      assert.match(texts(await teams.mention(BOB, chat, 'yes'))[0] ?? '', /postcode/);
      assert.match(texts(await teams.mention(CAROL, chat, '98765'))[0] ?? '', /order 98765/);
      assert.match(texts(await teams.mention(ALICE, chat, 'yes'))[0] ?? '', /postcode/);
      assert.match(texts(await teams.mention(BOB, chat, '10115'))[0] ?? '', /^Order ABC123 is/);
      assert.match(texts(await teams.mention(ALICE, chat, 'SW1A 1AA'))[0] ?? '', /^Order 12345 is/);
      assert.match(texts(await teams.mention(CAROL, chat, 'yes'))[0] ?? '', /postcode/);

      if (storage) {
        const keys = [ALICE, BOB, CAROL].map((p) => participantStorageKey('msteams', chat.id, p.id));
        const items = await storage.read([...keys, `msteams/conversations/${chat.id}/`]);
        assert.deepEqual(Object.keys(items).sort(), keys.sort(), 'one item per person, none shared');
      }
    });

    it('should keep forms apart when two people write at the same moment, round after round', async () => {
      await start({ GROUP_ORDER_DETAILS: 'public' });
      const thread = channelThread();
      const [a1, b1] = await Promise.all([teams.mention(ALICE, thread, 'where is my order 12345?'), teams.mention(BOB, thread, 'where is my order ABC123?')]);
      assert.match(texts(a1)[0] ?? '', /order 12345/);
      assert.match(texts(b1)[0] ?? '', /order ABC123/);
      const [a2, b2] = await Promise.all([teams.mention(ALICE, thread, 'yes'), teams.mention(BOB, thread, 'yes')]);
      assert.match(texts(a2)[0] ?? '', /postcode/);
      assert.match(texts(b2)[0] ?? '', /postcode/);
      const [a3, b3] = await Promise.all([teams.mention(ALICE, thread, 'alex.morgan@example.com'), teams.mention(BOB, thread, 'sam.lee@example.org')]);
      assert.match(texts(a3)[0] ?? '', /^Order 12345 is/);
      assert.match(texts(b3)[0] ?? '', /^Order ABC123 is/);
    });

    it('should keep one-to-one chats on the conversation key, as before', async () => {
      await start();
      const id = `a:personal-direct-${++counter}`;
      assert.match(texts(await teams.personal(ALICE, id, 'where is my order 12345?'))[0] ?? '', /^You asked about order 12345\. Is that correct\?$/);
      if (storage) {
        assert.deepEqual(Object.keys(await storage.read([`msteams/conversations/${id}/`])), [`msteams/conversations/${id}/`]);
      }
    });
  });
}
