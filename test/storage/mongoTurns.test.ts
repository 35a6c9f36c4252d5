import assert from 'node:assert/strict';
import { ActivityTypes, ConversationState, TestAdapter, UserState } from 'botbuilder';
import { type CommandStartedEvent, MongoClient } from 'mongodb';
import { MongoBatcher } from '../../src/storage/mongo/MongoBatcher';
import { MongoConversationLock } from '../../src/storage/mongo/MongoConversationLock';
import { MongoStorage } from '../../src/storage/mongo/MongoStorage';
import type { BotStateRecord } from '../../src/storage/mongo/mongoDocuments';
import { TurnSerializer } from '../../src/storage/TurnSerializer';
import { useMongoDatabase } from '../support/mongo';

/** One simulated bot instance: its own client, storage, lock and serializer on a shared db. */
interface Instance {
  client: MongoClient;
  storage: MongoStorage;
  serializer: TurnSerializer;
}

describe('Turns on MongoDB', () => {
  const mongo = useMongoDatabase('turns', { monitorCommands: true });

  function wire(collectionName: string, client = mongo.client): Instance {
    const batcher = new MongoBatcher(client.db(mongo.db.databaseName).collection<BotStateRecord>(collectionName));
    return {
      client,
      storage: new MongoStorage(batcher),
      serializer: new TurnSerializer({ lock: new MongoConversationLock(batcher) }),
    };
  }

  it('should serve a steady-state turn in three round trips: lease, one read, one write with release', async () => {
    const batcher = new MongoBatcher(mongo.db.collection<BotStateRecord>('roundtrips'));
    const storage = new MongoStorage(batcher);
    const conversationState = new ConversationState(storage);
    const userState = new UserState(storage);
    const turns = conversationState.createProperty<number>('turns');
    const seen = userState.createProperty<number>('seen');
    const serializer = new TurnSerializer({
      lock: new MongoConversationLock(batcher),
      states: [conversationState, userState],
    });
    const adapter = new TestAdapter(async (context) => {
      if (context.activity.type !== ActivityTypes.Message) return;
      await turns.set(context, (await turns.get(context, 0)) + 1);
      await seen.set(context, (await seen.get(context, 0)) + 1);
      await context.sendActivity('ok');
    }).use(serializer);

    await adapter.send('warm up').assertReply('ok').startTest();
    const commands: CommandStartedEvent[] = [];
    const listener = (event: CommandStartedEvent): void => void commands.push(event);
    mongo.client.on('commandStarted', listener);
    try {
      await adapter.send('steady').assertReply('ok').startTest();
    } finally {
      mongo.client.off('commandStarted', listener);
    }

    assert.deepEqual(
      commands.map((c) => c.commandName),
      ['update', 'find', 'update'],
    );
    const finalWrite = commands[2]!.command as { updates: { q: Record<string, unknown> }[] };
    assert.equal(finalWrite.updates.length, 3, 'conversation state, user state and lease release in one command');
    assert.deepEqual(finalWrite.updates[2]!.q._id, { lease: 'test/conversations/Convo1' });
    // botbuilder's state keys end with a namespace, empty by default, hence the slash.
    const stored = await storage.read(['test/conversations/Convo1/', 'test/users/user1/']);
    assert.equal(stored['test/conversations/Convo1/'].turns, 2);
    assert.equal(stored['test/users/user1/'].seen, 2);
  });

  async function countConcurrently(instances: Instance[], conversations: number, messages: number, serialise: boolean): Promise<number[]> {
    const bump = async (instance: Instance, key: string): Promise<void> => {
      const work = async (): Promise<void> => {
        const item = (await instance.storage.read([key]))[key] ?? { count: 0 };
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
        // eTag `*` is what botbuilder's BotState writes: last writer wins, like a real turn.
        await instance.storage.write({ [key]: { count: item.count + 1, eTag: '*' } });
      };
      await (serialise ? instance.serializer.run(key, work) : work());
    };
    const keys = Array.from({ length: conversations }, (_, c) => `proof/conversations/${c}`);
    await Promise.all(keys.flatMap((key) => Array.from({ length: messages }, (_, m) => bump(instances[m % instances.length]!, key))));
    const stored = await instances[0]!.storage.read(keys);
    return keys.map((key) => stored[key]?.count ?? 0);
  }

  it('should lose updates when two instances run turns of a conversation at once (the problem)', async () => {
    const other = new MongoClient(mongo.uri);
    try {
      const instances = [wire('unserialised'), wire('unserialised', other)];
      const counts = await countConcurrently(instances, 5, 20, false);
      assert.ok(
        counts.some((count) => count < 20),
        `expected lost updates, got ${counts.join(',')}`,
      );
    } finally {
      await other.close();
    }
  });

  it('should count exactly when two instances share the lease lock (20 conversations x 20 messages)', async function () {
    this.timeout(120_000);
    const other = new MongoClient(mongo.uri);
    try {
      const instances = [wire('serialised'), wire('serialised', other)];
      const counts = await countConcurrently(instances, 20, 20, true);
      assert.deepEqual(
        counts,
        counts.map(() => 20),
      );
    } finally {
      await other.close();
    }
  });

  it('should read both states of a turn in one find', async () => {
    const storage = new MongoStorage(mongo.db.collection<BotStateRecord>('coalesce'));
    await storage.write({ a: { n: 1 }, b: { n: 2 } });
    const commands: string[] = [];
    const listener = (event: CommandStartedEvent): void => void commands.push(event.commandName);
    mongo.client.on('commandStarted', listener);
    try {
      const [a, b] = await Promise.all([storage.read(['a']), storage.read(['b', 'missing'])]);
      assert.equal(a.a.n, 1);
      assert.equal(b.b.n, 2);
      assert.equal(b.missing, undefined);
    } finally {
      mongo.client.off('commandStarted', listener);
    }
    assert.deepEqual(commands, ['find']);
  });

  it('should carry conversation state across instances that take turns', async () => {
    const other = new MongoClient(mongo.uri);
    try {
      const adapters = [mongo.client, other].map((client) => {
        const batcher = new MongoBatcher(client.db(mongo.db.databaseName).collection<BotStateRecord>('handover'));
        const conversationState = new ConversationState(new MongoStorage(batcher));
        const log = conversationState.createProperty<string[]>('log');
        const serializer = new TurnSerializer({ lock: new MongoConversationLock(batcher), states: [conversationState] });
        return new TestAdapter(async (context) => {
          if (context.activity.type !== ActivityTypes.Message) return;
          const lines = await log.get(context, []);
          await log.set(context, [...lines, context.activity.text ?? '']);
          await context.sendActivity(lines.concat(context.activity.text ?? '').join(' '));
        }).use(serializer);
      });
      await adapters[0]!.send('one').assertReply('one').startTest();
      await adapters[1]!.send('two').assertReply('one two').startTest();
      await adapters[0]!.send('three').assertReply('one two three').startTest();
    } finally {
      await other.close();
    }
  });
});
