import { strict as assert } from 'node:assert';
import { MongoClient } from 'mongodb';
import { createApp, type BotApp } from '../../../src/app';
import { loadConfig } from '../../../src/config/config';
import { useMongoDatabase } from '../../support/mongo';
import { silentLogger } from '../../support/testBot';
import { call, DirectLineTestClient, type ConversationAnswer } from './DirectLineTestClient';

const SECRET = 'multi-instance-secret'.padEnd(44, 'y');

describe('Direct Line across two instances sharing MongoDB', function () {
  this.timeout(60_000);
  const mongo = useMongoDatabase('dlmulti');
  let first: BotApp;
  let second: BotApp;
  let firstUrl: string;
  let secondUrl: string;

  before(async () => {
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      DIRECTLINE_SECRET: SECRET,
      DIRECTLINE_POLL_MS: '50',
      MONGODB_URI: mongo.uri,
      MONGODB_DB: mongo.db.databaseName,
    };
    first = await createApp(loadConfig(env), { logger: silentLogger });
    second = await createApp(loadConfig(env), { logger: silentLogger });
    firstUrl = (await first.listen()).url;
    secondUrl = (await second.listen()).url;
  });
  after(async () => {
    await first?.close();
    await second?.close();
  });

  it('should deliver replies to a WebSocket on instance B for activities posted to instance A', async () => {
    const viaA = await DirectLineTestClient.start(firstUrl);
    // The same conversation, streamed from the other instance.
    const resumed = await call<ConversationAnswer>('GET', `${secondUrl}/v3/directline/conversations/${viaA.conversationId}`, viaA.token);
    assert.equal(resumed.status, 200);
    const onB = new DirectLineTestClient(`${secondUrl}/v3/directline`, viaA.conversationId, viaA.token, resumed.json.streamUrl, viaA.userId);
    await onB.connect();
    await onB.waitFor((a) => /order assistant/.test(a.text ?? ''));

    const postedId = await viaA.say('where is my order 12345');
    const confirm = await onB.waitFor((a) => a.replyToId === postedId && a.type === 'message');
    assert.equal(confirm.text, 'You asked about order 12345. Is that correct?');

    // The next turn goes to B and continues the dialog A started (shared state), reply streamed on B.
    const yes = await onB.post({ type: 'message', text: 'yes', from: { id: viaA.userId } });
    assert.equal(yes.status, 200);
    await onB.waitFor((a) => a.replyToId === yes.json.id && /e-mail address or the postcode/.test(a.text ?? ''));
    // The answer goes back through A: the check's state is shared too.
    const answerId = await viaA.say('SW1A 1AA');
    const status = await onB.waitFor((a) => a.replyToId === answerId && /^Order 12345/.test(a.text ?? ''));
    assert.ok(status.attachments?.some((x) => x.contentType === 'application/vnd.microsoft.card.adaptive'));

    const ids = onB.received.map((a) => a.id);
    assert.equal(new Set(ids).size, ids.length, 'no activity is delivered twice');
    const watermarks = ids.map((id) => Number((id ?? '').split('|')[1]));
    assert.deepEqual(
      watermarks,
      [...watermarks].sort((x, y) => x - y),
      'activities arrive in order',
    );
    onB.close();
    viaA.close();
  });

  it('should store conversation references in MongoDB for proactive messages', async () => {
    const client = await DirectLineTestClient.start(firstUrl);
    await client.say('hi');
    const reader = new MongoClient(mongo.uri);
    try {
      const doc = await reader
        .db(mongo.db.databaseName)
        .collection('conversation_references')
        .findOne({ _id: client.conversationId as never });
      assert.ok(doc, 'reference saved');
      assert.equal((JSON.parse(doc.json as string) as { channelId: string }).channelId, 'directline');
    } finally {
      await reader.close();
    }
  });
});
