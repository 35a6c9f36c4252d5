import { strict as assert } from 'node:assert';
import type { Activity, RecognizerResult, StoreItem } from 'botbuilder';
import type { DialogContext } from 'botbuilder-dialogs';
import type { TurnRecognizer } from '../../dialogs/ports';
import { Messages } from '../../dialogs/messages';
import { loadConfig } from '../../src/config/config';
import { StateMessages } from '../../src/state/messages';
import { createStorageLayer, type StorageLayer } from '../../src/storage/createStorageLayer';
import { DEFAULT_COLLECTIONS } from '../../src/storage/mongo/indexes';
import { BotClient } from '../support/botClient';
import { useMongoDatabase } from '../support/mongo';
import { DEFAULT_SCRIPT, ScriptedRecognizer } from '../support/ScriptedRecognizer';
import { STATE_VERSION } from '../../src/state/schema';
import { startTestApp, TEST_APP_ENV, type RunningTestApp } from '../support/testApp';

/**
 * Versioned state and poison-state recovery through the real application over HTTP (memory
 * storage, which shares the serializer and middleware with MongoDB): the stored state is edited
 * between turns the way a deploy or a bug would leave it.
 */

/** A recognizer that throws for messages matching `failOn`, as a bug or a timeout would. */
class FailingRecognizer implements TurnRecognizer {
  failOn: RegExp | undefined;
  error: () => Error = () => new TypeError("Cannot read properties of undefined (reading 'score')");
  private readonly inner = new ScriptedRecognizer(DEFAULT_SCRIPT);
  async recognize(dc: DialogContext, activity: Partial<Activity>): Promise<RecognizerResult> {
    if (this.failOn?.test(activity.text ?? '')) throw this.error();
    return this.inner.recognize(dc, activity);
  }
}

const texts = (replies: Partial<Activity>[]): string[] => replies.map((r) => r.text ?? '');
const apologies = (replies: Partial<Activity>[]): number => texts(replies).filter((t) => t === Messages.turnError).length;

describe('versioned state: the state guard in the running app', function () {
  this.timeout(30_000);
  let layer: StorageLayer;
  let running: RunningTestApp;
  let recognizer: FailingRecognizer;

  // These tests are about stored state, not the order check: the form answers right after "yes".
  async function start(overrides: Record<string, string> = {}): Promise<void> {
    const env = { ORDER_VERIFICATION: 'none', ...overrides };
    const config = loadConfig({ ...TEST_APP_ENV, ...env });
    layer = await createStorageLayer(config.storage);
    recognizer = new FailingRecognizer();
    running = await startTestApp(env, { storageLayer: layer, recognizer });
  }
  afterEach(async () => running?.app.close());

  const conversationKey = (client: BotClient): string => `emulator/conversations/${client.conversationId}/`;
  async function stored(client: BotClient): Promise<StoreItem & Record<string, unknown>> {
    const items = await layer.storage.read([conversationKey(client)]);
    return items[conversationKey(client)] as StoreItem & Record<string, unknown>;
  }
  async function rewrite(client: BotClient, edit: (state: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
    const { eTag: _eTag, ...state } = await stored(client);
    await layer.storage.write({ [conversationKey(client)]: { ...edit(state), eTag: '*' } });
  }
  async function metric(name: string): Promise<string> {
    const text = (await running.app.observability.prometheus?.render()) ?? '';
    return text
      .split('\n')
      .filter((l) => l.startsWith(name))
      .join('\n');
  }

  it('should start afresh with one true notice when the stack names a prompt the code no longer has', async () => {
    await start();
    const client = new BotClient(running.url);
    assert.deepEqual(texts(await client.say('where is my order 12345')), [Messages.confirmOrderId('12345')]);
    await rewrite(client, (state) => ({
      ...JSON.parse(JSON.stringify(state).replaceAll('"orderStatusDialog.confirmPrompt"', '"orderStatusDialog.removedPrompt"')),
      handoff: { ticketId: 'T-kept' },
    }));

    const first = await client.say('yes');
    assert.equal(apologies(first), 0, JSON.stringify(texts(first)));
    assert.equal(texts(first)[0], StateMessages.startedAfresh);
    assert.deepEqual(texts(await client.say('where is my order 12345')), [Messages.confirmOrderId('12345')], 'the form works again');
    const after = await stored(client);
    assert.deepEqual(after.handoff, { ticketId: 'T-kept' }, 'the handoff ticket is kept');
    assert.equal(after.stateVersion, STATE_VERSION);
    assert.match(await metric('supportbot_state_recoveries_total'), /action="reset",reason="unreadable"} 1/);
  });

  it('should carry on when the stored dialog-tree fingerprints are stale (botbuilder would throw versionChanged)', async () => {
    await start();
    const client = new BotClient(running.url);
    await client.say('where is my order 12345');
    await rewrite(client, (state) => JSON.parse(JSON.stringify(state).replace(/"version":"[^"]*"/g, '"version":"stale"')) as Record<string, unknown>);
    const replies = texts(await client.say('yes'));
    assert.match(replies[0] ?? '', /^Order 12345 is/, JSON.stringify(replies));
  });

  it('should start afresh when the stored shape or version cannot be read', async () => {
    await start();
    for (const broken of [{ dialogState: 'not a stack' }, { stateVersion: 'two' }, { dialogState: { dialogStack: [{ id: 'mainDialog', state: null }] } }]) {
      const client = new BotClient(running.url);
      await client.say('where is my order 12345');
      await rewrite(client, (state) => ({ ...state, ...broken }));
      const replies = await client.say('where is my order 12345');
      assert.deepEqual(texts(replies), [StateMessages.startedAfresh, Messages.confirmOrderId('12345')], JSON.stringify(broken));
    }
  });

  it('should leave state written by a newer version untouched and answer politely', async () => {
    await start();
    const client = new BotClient(running.url);
    await client.say('where is my order 12345');
    await rewrite(client, (state) => ({ ...state, stateVersion: 99, futureField: { kept: true } }));
    const before = await stored(client);

    for (const text of ['yes', 'hi']) {
      assert.deepEqual(texts(await client.say(text)), [StateMessages.newerVersion]);
    }
    const after = await stored(client);
    assert.equal(after.eTag, before.eTag, 'nothing was written');
    assert.deepEqual(after, before);
    assert.match(await metric('supportbot_state_recoveries_total'), /action="left_newer",reason="v99"} 2/);
  });

  it('should start newer state afresh with STATE_NEWER_VERSION=restart (a rollback)', async () => {
    await start({ STATE_NEWER_VERSION: 'restart' });
    const client = new BotClient(running.url);
    await client.say('where is my order 12345');
    await rewrite(client, (state) => ({ ...state, stateVersion: 99 }));
    assert.deepEqual(texts(await client.say('hi')), [StateMessages.startedAfresh, Messages.greet]);
    assert.equal((await stored(client)).stateVersion, STATE_VERSION);
  });

  it('should reset the dialogs after the same failure twice in a row, with one apology, and carry on', async () => {
    await start();
    const client = new BotClient(running.url);
    assert.deepEqual(texts(await client.say('where is my order 12345')), [Messages.confirmOrderId('12345')]);
    await rewrite(client, (state) => ({ ...state, handoff: { ticketId: 'T-kept' } }));
    recognizer.failOn = /./;

    const first = await client.say('yes');
    assert.deepEqual(texts(first), [Messages.turnError]);
    const second = await client.say('yes please');
    assert.deepEqual(texts(second), [StateMessages.repeatedFailure]);
    recognizer.failOn = undefined;

    assert.deepEqual(texts(await client.say('hi')), [Messages.greet], 'the conversation carries on');
    const after = await stored(client);
    assert.equal(after.turnFailure, undefined);
    assert.deepEqual(after.handoff, { ticketId: 'T-kept' });
    const userKey = `emulator/users/user-${client.conversationId}/`;
    const profile = ((await layer.storage.read([userKey]))[userKey] as { profile?: { messages: number } } | undefined)?.profile;
    assert.ok((profile?.messages ?? 0) >= 2, `the profile is kept: ${JSON.stringify(profile)}`);
    assert.match(await metric('supportbot_state_recoveries_total'), /action="reset",reason="repeated_failure"} 1/);
  });

  it('should reset nothing after a single failure, or after failures for different reasons', async () => {
    await start();
    const client = new BotClient(running.url);
    await client.say('where is my order 12345');
    recognizer.failOn = /^yes/;
    assert.deepEqual(texts(await client.say('yes')), [Messages.turnError]);
    recognizer.error = () => new RangeError('another bug');
    assert.deepEqual(texts(await client.say('yes')), [Messages.turnError], 'a different reason starts a new count');
    recognizer.failOn = undefined;
    const replies = texts(await client.say('yes'));
    assert.match(replies[0] ?? '', /^Order 12345 is/, `the form was kept: ${JSON.stringify(replies)}`);
  });

  it('should never count transient failures (timeouts, database outages)', async () => {
    await start();
    const client = new BotClient(running.url);
    await client.say('where is my order 12345');
    recognizer.failOn = /^yes/;
    recognizer.error = () => Object.assign(new Error('orders backend timed out'), { name: 'TimeoutError' });
    for (let i = 0; i < 3; i++) assert.deepEqual(texts(await client.say('yes')), [Messages.turnError]);
    assert.equal((await stored(client)).turnFailure, undefined);
    recognizer.failOn = undefined;
    assert.match(texts(await client.say('yes'))[0] ?? '', /^Order 12345 is/);
  });
});

describe('versioned state: a corrupt stored document in MongoDB', function () {
  this.timeout(60_000);
  const mongo = useMongoDatabase('corruptstate');
  let running: RunningTestApp | undefined;
  afterEach(async () => running?.app.close());

  it('should start the conversation afresh instead of failing every turn', async () => {
    running = await startTestApp(
      { MONGODB_URI: mongo.uri, MONGODB_DB: mongo.db.databaseName, ORDER_VERIFICATION: 'none' },
      { recognizer: new ScriptedRecognizer(DEFAULT_SCRIPT) },
    );
    const client = new BotClient(running.url);
    await client.say('where is my order 12345');
    const states = mongo.db.collection<{ _id: string; state: string }>(DEFAULT_COLLECTIONS.state);
    const _id = `emulator/conversations/${client.conversationId}/`;
    const corrupted = await states.updateOne({ _id }, { $set: { state: '{"dialogState": {"dialogStack": [' } });
    assert.equal(corrupted.modifiedCount, 1);

    const replies = texts(await client.say('hi'));
    assert.deepEqual(replies, [StateMessages.startedAfresh, Messages.greet]);
    assert.deepEqual(texts(await client.say('where is my order 12345')), [Messages.confirmOrderId('12345')]);
    const repaired = await states.findOne({ _id });
    assert.equal((JSON.parse(repaired?.state ?? '{}') as { stateVersion?: number }).stateVersion, STATE_VERSION, 'the corrupt document was overwritten');
  });
});
