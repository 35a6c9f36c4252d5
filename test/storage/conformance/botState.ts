import assert from 'node:assert/strict';
import { ActivityTypes, AutoSaveStateMiddleware, ConversationState, MessageFactory, type Storage, type StoreItem, TestAdapter } from 'botbuilder';
import { DialogSet, DialogTurnStatus, TextPrompt, WaterfallDialog } from 'botbuilder-dialogs';
import { StorageErrorCode } from '../../../src/storage/errors';

/** Options every storage under test must accept. */
export interface ConformanceStorageOptions {
  maxDocumentBytes?: number;
}

/** Makes a fresh, empty storage for one test. */
export type StorageFactory = (options?: ConformanceStorageOptions) => Storage | Promise<Storage>;

async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<Error> {
  let caught: unknown;
  await promise.catch((error: unknown) => {
    caught = error;
  });
  assert.ok(caught instanceof Error, `expected a rejection with code ${code}`);
  assert.equal((caught as { code?: unknown }).code, code, (caught as Error).message);
  return caught as Error;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * One specification for every botbuilder Storage in this project (in the spirit of
 * botbuilder's storageBaseTests, with strict eTags). Call it inside a describe whose hooks
 * make `factory` usable.
 */
export function runStorageConformanceTests(name: string, factory: StorageFactory): void {
  describe(`${name} (storage conformance)`, () => {
    let storage: Storage;

    beforeEach(async () => {
      storage = await factory();
    });

    it('should return an empty object when reading unknown keys', async () => {
      assert.deepEqual(await storage.read(['unknown', 'also-unknown']), {});
      assert.deepEqual(await storage.read([]), {});
    });

    it('should reject keys that are not an array with STORAGE_INVALID_ARGUMENT', async () => {
      // @ts-expect-error: callers in JavaScript can pass null
      await rejectsWithCode(storage.read(null), StorageErrorCode.InvalidArgument);
      // @ts-expect-error: callers in JavaScript can pass null
      await rejectsWithCode(storage.delete(null), StorageErrorCode.InvalidArgument);
      // @ts-expect-error: callers in JavaScript can pass null
      await rejectsWithCode(storage.write(null), StorageErrorCode.InvalidArgument);
    });

    it('should accept a write of no items', async () => {
      await storage.write({});
      await storage.write([]);
    });

    it('should create items, each with an eTag', async () => {
      await storage.write({ a: { id: 1 }, b: { id: 2, nested: { list: [1, 'two', null, true] } } });
      const read = await storage.read(['a', 'b']);
      assert.equal(read.a.id, 1);
      assert.deepEqual(read.b.nested, { list: [1, 'two', null, true] });
      assert.equal(typeof read.a.eTag, 'string');
      assert.notEqual(read.a.eTag, '');
      assert.notEqual(read.a.eTag, read.b.eTag);
    });

    it('should round-trip keys of any shape', async () => {
      const keys = [
        'msteams/conversations/19:abc@thread.tacv2;messageid=1/',
        'webchat/users/dl_$user.with.dots',
        '!@#$%^&*()~/\\><,.?\';"`~',
        '$startsWithDollar',
        'a.b.c',
        'ünïcødé/ключ/键/🙂',
        ' ',
        'x'.repeat(2000),
      ];
      const changes = Object.fromEntries(keys.map((key, i) => [key, { i }]));
      await storage.write(changes);
      const read = await storage.read(keys);
      assert.deepEqual(Object.keys(read).sort(), [...keys].sort());
      for (const [i, key] of keys.entries()) assert.equal(read[key].i, i, key);
      await storage.delete(keys);
      assert.deepEqual(await storage.read(keys), {});
    });

    it('should round-trip state whose field names hold $ and .', async () => {
      const state = { $type: 'x', 'a.b': { $set: 1, 'c.d': ['$', '.'] }, '': 'empty', nothing: null };
      await storage.write({ k: state });
      const { eTag, ...read } = (await storage.read(['k'])).k as StoreItem;
      assert.deepEqual(read, state);
      assert.ok(eTag);
    });

    it('should give the item a new eTag on every write', async () => {
      await storage.write({ k: { n: 1 } });
      const first = (await storage.read(['k'])).k.eTag;
      await storage.write({ k: { n: 1 } });
      const second = (await storage.read(['k'])).k.eTag;
      await storage.write({ k: { n: 1, eTag: second } });
      const third = (await storage.read(['k'])).k.eTag;
      assert.equal(new Set([first, second, third]).size, 3);
    });

    it('should overwrite when the eTag is * or missing', async () => {
      await storage.write({ k: { n: 1 } });
      await storage.write({ k: { n: 2, eTag: '*' } });
      assert.equal((await storage.read(['k'])).k.n, 2);
      await storage.write({ k: { n: 3 } });
      assert.equal((await storage.read(['k'])).k.n, 3);
      await storage.write({ k: { n: 4, eTag: '' } });
      assert.equal((await storage.read(['k'])).k.n, 4);
    });

    it('should write when the eTag is the current one', async () => {
      await storage.write({ k: { n: 1 } });
      const read = (await storage.read(['k'])).k;
      read.n = 2;
      await storage.write({ k: read });
      assert.equal((await storage.read(['k'])).k.n, 2);
    });

    it('should reject a stale eTag with STORAGE_ETAG_CONFLICT and keep the stored item', async () => {
      await storage.write({ k: { n: 1 } });
      const stale = (await storage.read(['k'])).k;
      await storage.write({ k: { n: 2, eTag: stale.eTag } });
      const error = await rejectsWithCode(storage.write({ k: { n: 3, eTag: stale.eTag } }), StorageErrorCode.EtagConflict);
      assert.deepEqual((error as unknown as { keys: string[] }).keys, ['k']);
      assert.equal((await storage.read(['k'])).k.n, 2);
    });

    it('should reject a specific eTag for an item that no longer exists', async () => {
      await storage.write({ k: { n: 1 } });
      const read = (await storage.read(['k'])).k;
      await storage.delete(['k']);
      await rejectsWithCode(storage.write({ k: read }), StorageErrorCode.EtagConflict);
      assert.deepEqual(await storage.read(['k']), {});
    });

    it('should write the other items of a batch and name only the conflicting key', async () => {
      await storage.write({ fresh: { n: 1 }, stale: { n: 1 } });
      const { fresh, stale } = await storage.read(['fresh', 'stale']);
      await storage.write({ stale: { n: 2 } });
      fresh.n = 10;
      stale.n = 10;
      const error = await rejectsWithCode(storage.write({ fresh, stale, created: { n: 10 } }), StorageErrorCode.EtagConflict);
      assert.deepEqual((error as unknown as { keys: string[] }).keys, ['stale']);
      const after = await storage.read(['fresh', 'stale', 'created']);
      assert.equal(after.fresh.n, 10);
      assert.equal(after.stale.n, 2);
      assert.equal(after.created.n, 10);
    });

    it('should let exactly one of two concurrent writers with the same eTag win', async () => {
      await storage.write({ k: { n: 0 } });
      const base = (await storage.read(['k'])).k;
      const results = await Promise.allSettled([storage.write({ k: { ...base, n: 1 } }), storage.write({ k: { ...base, n: 2 } })]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(won.length, 1);
      assert.equal(lost.length, 1);
      assert.equal((lost[0]!.reason as { code?: string }).code, StorageErrorCode.EtagConflict);
      const winner = results.indexOf(won[0]!) + 1;
      assert.equal((await storage.read(['k'])).k.n, winner);
    });

    it("should not mutate the caller's objects", async () => {
      const item = deepFreeze({ n: 1, nested: { list: [1, 2] }, eTag: '*' });
      const snapshot = structuredClone(item);
      await storage.write({ k: item });
      assert.deepEqual(item, snapshot);
      const read = deepFreeze((await storage.read(['k'])).k);
      const failing = { n: 5, eTag: 'not-the-current-etag' };
      await rejectsWithCode(storage.write({ k: failing }), StorageErrorCode.EtagConflict);
      assert.deepEqual(failing, { n: 5, eTag: 'not-the-current-etag' });
      await storage.write({ k: read });
      assert.equal(read.n, 1);
    });

    it('should hand out copies that do not change what is stored', async () => {
      await storage.write({ k: { list: [1] } });
      const read = (await storage.read(['k'])).k;
      read.list.push(2);
      assert.deepEqual((await storage.read(['k'])).k.list, [1]);
    });

    it('should reject an item over the document limit with STORAGE_DOCUMENT_TOO_LARGE', async () => {
      const small = await factory({ maxDocumentBytes: 8 * 1024 });
      await small.write({ k: { text: 'ok' } });
      const error = await rejectsWithCode(small.write({ k: { text: 'x'.repeat(10 * 1024) } }), StorageErrorCode.DocumentTooLarge);
      assert.match(error.message, /"k".*over the 8192-byte document limit/);
      assert.equal((await small.read(['k'])).k.text, 'ok');
    });

    it('should reject an item over 16 MiB by default', async function () {
      this.timeout(30_000);
      const big = { text: 'x'.repeat(16 * 1024 * 1024) };
      await rejectsWithCode(storage.write({ big }), StorageErrorCode.DocumentTooLarge);
      assert.deepEqual(await storage.read(['big']), {});
    });

    it('should reject an item that cannot be serialised', async () => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await rejectsWithCode(storage.write({ cyclic }), StorageErrorCode.InvalidArgument);
    });

    it('should delete items and ignore unknown keys', async () => {
      await storage.write({ a: { n: 1 }, b: { n: 2 }, c: { n: 3 } });
      await storage.delete(['a', 'b', 'unknown']);
      assert.deepEqual(Object.keys(await storage.read(['a', 'b', 'c'])), ['c']);
      await storage.delete([]);
    });

    it('should carry a waterfall dialog across turns through ConversationState', async () => {
      const conversationState = new ConversationState(storage);
      const dialogs = new DialogSet(conversationState.createProperty('dialogState'));
      dialogs.add(new TextPrompt('name'));
      dialogs.add(
        new WaterfallDialog('form', [
          async (step) => step.prompt('name', 'Name?'),
          async (step) => {
            await step.context.sendActivity(`Hello ${String(step.result)}`);
            return step.endDialog();
          },
        ]),
      );
      const adapter = new TestAdapter(async (context) => {
        if (context.activity.type !== ActivityTypes.Message) return;
        const dc = await dialogs.createContext(context);
        const result = await dc.continueDialog();
        if (result.status === DialogTurnStatus.empty) await dc.beginDialog('form');
      }).use(new AutoSaveStateMiddleware(conversationState));

      await adapter.send('hi').assertReply('Name?').send('Ada').assertReply('Hello Ada').startTest();
      await adapter.send(MessageFactory.text('again')).assertReply('Name?').startTest();
    });
  });
}
