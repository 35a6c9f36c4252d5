import { strict as assert } from 'node:assert';
import path from 'node:path';
import type { Activity } from 'botbuilder';
import { MongoClient } from 'mongodb';
import { Messages } from '../../dialogs/messages';
import { StateMessages } from '../../src/state/messages';
import { STATE_VERSION } from '../../src/state/schema';
import { DEFAULT_COLLECTIONS } from '../../src/storage/mongo/indexes';
import { BotClient } from '../support/botClient';
import { spawnBotProcess, type BotProcess } from '../support/botProcess';
import { mongoTestEnvironment, uniqueDatabaseName } from '../support/mongo';
import { createVariantBuild, type VariantBuild } from '../support/variantBuild';

/**
 * Rolling updates with real processes on one MongoDB: the current build ("old") and copies of
 * it with the confirmation prompt renamed and STATE_VERSION bumped ("new"), one with the
 * migration a careful developer writes and one without it (a forgotten migration).
 */
const RENAME = { from: 'orderStatusDialog.confirmPrompt', to: 'orderStatusDialog.confirmOrderIdPrompt' };
const ROLLOUT_CONVERSATIONS = 200;
const CONCURRENCY = 8;

const texts = (replies: Partial<Activity>[]): string[] => replies.map((r) => r.text ?? '');
const isApology = (text: string): boolean => text === Messages.turnError;

/** Runs `work` for every item, `CONCURRENCY` at a time. */
async function eachLimited<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

describe('rolling updates: two builds serve one conversation store', function () {
  this.timeout(300_000);
  const variants: VariantBuild[] = [];
  const processes: BotProcess[] = [];
  let env: Record<string, string>;
  let mongo: MongoClient;
  let dbName: string;

  before(async function () {
    const environment = await mongoTestEnvironment();
    if (!environment.available) {
      console.warn(`  ⚠ Skipping: no MongoDB (${environment.reason})`);
      this.skip();
    }
    dbName = uniqueDatabaseName('rolling');
    env = {
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      MONGODB_URI: environment.uri,
      MONGODB_DB: dbName,
      RATE_LIMIT_USER_PER_MINUTE: '0',
      RATE_LIMIT_CONVERSATION_PER_MINUTE: '0',
      ORDER_VERIFICATION: 'none',
    };
    mongo = new MongoClient(environment.uri);
    await mongo.connect();
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await mongo
      ?.db(dbName)
      .dropDatabase()
      .catch(() => undefined);
    await mongo?.close();
    for (const v of variants) v.remove();
  });

  async function startOld(): Promise<BotProcess> {
    const bot = await spawnBotProcess(path.join('src', 'index.ts'), env);
    processes.push(bot);
    return bot;
  }
  async function startNew(withMigration: boolean): Promise<BotProcess> {
    const variant = createVariantBuild({ renameDialogId: RENAME, withMigration });
    variants.push(variant);
    assert.equal(variant.stateVersion, STATE_VERSION + 1);
    const bot = await spawnBotProcess(variant.script, env, 60_000, variant.dir);
    processes.push(bot);
    return bot;
  }
  async function storedState(conversationId: string): Promise<{ eTag: string; state: Record<string, unknown> }> {
    const doc = await mongo
      .db(dbName)
      .collection<{ _id: string; eTag: string; state: string }>(DEFAULT_COLLECTIONS.state)
      .findOne({ _id: `emulator/conversations/${conversationId}/` });
    assert.ok(doc, 'the conversation is stored');
    return { eTag: doc.eTag, state: JSON.parse(doc.state) as Record<string, unknown> };
  }

  it('should carry a conversation alternating between the old and the new build without an apology', async () => {
    const [oldBot, newBot] = await Promise.all([startOld(), startNew(true)]);
    const conversationId = `alternate-${Date.now()}`;
    const onOld = new BotClient(oldBot.url, conversationId);
    const onNew = new BotClient(newBot.url, conversationId);
    const transcript: string[] = [];
    const say = async (client: BotClient, text: string): Promise<string[]> => {
      const replies = texts(await client.say(text));
      transcript.push(`> ${text} (${client === onOld ? 'old' : 'new'})`, ...replies);
      return replies;
    };

    assert.deepEqual(await say(onOld, 'where is my order 12345'), [Messages.confirmOrderId('12345')]);
    assert.equal((await storedState(conversationId)).state.stateVersion, STATE_VERSION);
    // The new build migrates the old state (renamed prompt) and carries on with the form.
    assert.deepEqual(await say(onNew, 'no'), [Messages.askCorrectOrderId], newBot.output());
    const written = await storedState(conversationId);
    assert.equal(written.state.stateVersion, STATE_VERSION + 1);
    // The old build meets newer state: it answers politely and writes nothing.
    assert.deepEqual(await say(onOld, '98765'), [StateMessages.newerVersion]);
    assert.deepEqual(await storedState(conversationId), written, 'the old build left the newer state untouched');
    assert.deepEqual(await say(onNew, '98765'), [Messages.confirmOrderId('98765')]);
    assert.deepEqual(await say(onOld, 'yes'), [StateMessages.newerVersion]);
    const final = await say(onNew, 'yes');
    assert.match(final[0] ?? '', /^Order 98765 is delivered/, transcript.join('\n'));
    assert.equal(transcript.filter(isApology).length, 0, transcript.join('\n'));
    await Promise.all([oldBot.kill(), newBot.kill()]);
  });

  /**
   * 200 conversations wait at the order-ID confirmation on the old build; the new build starts
   * beside it. Each conversation's next message reaches the new build, the one after that the
   * old build (non-sticky routing); then the old build goes and the customers carry on.
   */
  async function rollout(withMigration: boolean): Promise<Record<string, number>> {
    const oldBot = await startOld();
    const ids = Array.from({ length: ROLLOUT_CONVERSATIONS }, (_, i) => `rollout-${withMigration}-${Date.now()}-${i}`);
    await eachLimited(ids, async (id) => {
      assert.deepEqual(texts(await new BotClient(oldBot.url, id).say('where is my order 12345')), [Messages.confirmOrderId('12345')]);
    });
    const newBot = await startNew(withMigration);
    const outcome = { conversations: ROLLOUT_CONVERSATIONS, apologies: 0, notices: 0, leftAlone: 0, recovered: 0 };
    const record = (replies: string[]): string[] => {
      outcome.apologies += replies.filter(isApology).length;
      outcome.notices += replies.filter((t) => t === StateMessages.startedAfresh).length;
      outcome.leftAlone += replies.filter((t) => t === StateMessages.newerVersion).length;
      return replies;
    };
    await eachLimited(ids, async (id) => {
      const first = record(texts(await new BotClient(newBot.url, id).say('no')));
      // With the migration the form goes on ("no" to the confirmation); without, it starts afresh.
      assert.equal(first[0], withMigration ? Messages.askCorrectOrderId : StateMessages.startedAfresh, `${id}: ${JSON.stringify(first)}`);
      assert.deepEqual(record(texts(await new BotClient(oldBot.url, id).say('12345'))), [StateMessages.newerVersion], id);
    });
    await oldBot.kill();
    await eachLimited(ids, async (id) => {
      const client = new BotClient(newBot.url, id);
      assert.deepEqual(record(texts(await client.say(withMigration ? '12345' : 'where is my order 12345'))), [Messages.confirmOrderId('12345')], id);
      const status = record(texts(await client.say('yes')));
      if (/^Order 12345 is/.test(status[0] ?? '')) outcome.recovered += 1;
    });
    await newBot.kill();
    console.log(`      rollout figures (${withMigration ? 'with' : 'without'} the migration): ${JSON.stringify(outcome)}`);
    return outcome;
  }

  it(`should carry all ${ROLLOUT_CONVERSATIONS} conversations left mid-form through a rollout with the migration`, async () => {
    const outcome = await rollout(true);
    assert.deepEqual(outcome, {
      conversations: ROLLOUT_CONVERSATIONS,
      apologies: 0,
      notices: 0,
      leftAlone: ROLLOUT_CONVERSATIONS,
      recovered: ROLLOUT_CONVERSATIONS,
    });
  });

  it(`should recover all ${ROLLOUT_CONVERSATIONS} conversations left mid-form by a rollout that forgot the migration`, async () => {
    const outcome = await rollout(false);
    assert.deepEqual(outcome, {
      conversations: ROLLOUT_CONVERSATIONS,
      apologies: 0,
      notices: ROLLOUT_CONVERSATIONS,
      leftAlone: ROLLOUT_CONVERSATIONS,
      recovered: ROLLOUT_CONVERSATIONS,
    });
  });
});
