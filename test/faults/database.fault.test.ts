import { strict as assert } from 'node:assert';
import { createApp, type BotApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { StorageReplies } from '../../src/storage/createStorageLayer';
import { BotClient } from '../support/botClient';
import { mongoTestEnvironment, uniqueDatabaseName } from '../support/mongo';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy';
import { silentLogger } from '../support/testBot';
import { waitFor } from '../support/waitFor';

async function waitForReady(url: string, want: number): Promise<void> {
  await waitFor(async () => (await fetch(`${url}/readyz`)).status === want, { timeoutMs: 20_000, intervalMs: 100, what: `/readyz answers ${want}` });
}

describe('fault injection: MongoDB goes away mid-conversation and comes back', function () {
  this.timeout(120_000);
  let proxy: TcpProxy | undefined;
  let app: BotApp | undefined;
  let url: string;

  before(async function () {
    const env = await mongoTestEnvironment();
    if (!env.available) {
      console.warn(`  ⚠ Skipping: no MongoDB (${env.reason})`);
      this.skip();
    }
    const target = new URL(env.uri.replace(/^mongodb:\/\//, 'http://'));
    if (env.source !== 'mongo-java-server') this.skip(); // a remote cluster cannot be cut here
    proxy = await startTcpProxy(target.hostname, Number(target.port));
    app = await createApp(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        NODE_ENV: 'test',
        MONGODB_URI: `mongodb://127.0.0.1:${proxy.port}/?directConnection=true`,
        MONGODB_DB: uniqueDatabaseName('fault'),
        MONGODB_CONNECT_TIMEOUT_MS: '1000',
        CONVERSATION_LEASE_TTL_MS: '3000',
      }),
      { logger: silentLogger },
    );
    url = (await app.listen()).url;
  });
  after(async () => {
    await app?.close();
    await proxy?.close();
  });

  it('should tell the customer the truth during the outage and carry on from the same step afterwards', async () => {
    const client = new BotClient(url);
    assert.equal((await client.say('I want to check on my order'))[0]?.text, 'What is your order ID?');

    await proxy!.cut();
    const during = await client.say('#98765');
    assert.deepEqual(
      during.map((a) => a.text),
      [StorageReplies.unavailable],
      'exactly one polite reply, nothing else',
    );
    await waitForReady(url, 503);

    await proxy!.restore();
    await waitForReady(url, 200);
    // State was kept by the database: the form is still waiting for the ID, so the customer
    // simply sends it again and the conversation continues where it was.
    const again = await client.say('#98765');
    assert.deepEqual(
      again.map((a) => a.text),
      ['You asked about order 98765. Is that correct?'],
    );
    assert.match((await client.say('yes'))[0]?.text ?? '', /e-mail address or the postcode/);
    const status = await client.say('SW1A 1AA');
    assert.match(status[0]?.text ?? '', /^Order 98765 is delivered/);
  });

  it('should not apply a message that arrived during the outage twice', async () => {
    const client = new BotClient(url);
    await client.say('where is my order 12345');
    await proxy!.cut();
    await client.say('yes');
    await proxy!.restore();
    await waitForReady(url, 200);
    // The dropped "yes" left the confirmation pending; one more "yes" asks for the check once,
    // and the answer gives one status.
    assert.deepEqual(
      (await client.say('yes')).map((r) => r.text),
      ['To keep your order private, please tell me the e-mail address or the postcode on the order.'],
    );
    const replies = await client.say('alex.morgan@example.com');
    assert.equal(replies.filter((r) => /^Order 12345 is/.test(r.text ?? '')).length, 1);
  });
});
