import assert from 'node:assert/strict';
import { MemoryStorage as BotbuilderMemoryStorage } from 'botbuilder';
import { readStorage } from '../../../src/config/storage';
import { createStores, type Stores } from '../../../src/storage/createStores';
import { useMongoDatabase } from '../../support/mongo';
import type { StoreKind } from './harness';
import { STORE_PAIRS } from './pairs';

/** The class of each store the factory built, by the name the pairs use. */
function builtClasses(stores: Stores): Record<string, string> {
  const directLine = stores.directLine({ maxActivitiesPerConversation: 10, historyTtlSeconds: 60 });
  const classes: Record<string, string> = {
    'layer.storage': stores.layer.storage.constructor.name,
    references: stores.references.constructor.name,
    'slack.keys': stores.slack.keys.constructor.name,
    'slack.inbox': stores.slack.inbox.constructor.name,
    directLine: directLine.constructor.name,
    handoffTickets: stores.handoffTickets.constructor.name,
    rateLimits: stores.rateLimits.constructor.name,
    verificationAttempts: stores.verificationAttempts.constructor.name,
  };
  void directLine.close();
  return classes;
}

/** Every field of `Stores` that is a store (not kind, readiness or close) has a pair. */
function assertEveryStoreHasAPair(stores: Stores, kind: StoreKind): void {
  const fields = [
    ...Object.keys(stores).filter((field) => !['kind', 'isReady', 'close', 'layer', 'slack'].includes(field)),
    ...Object.keys(stores.slack)
      .filter((part) => part !== 'kind')
      .map((part) => `slack.${part}`),
  ];
  const paired = new Set(STORE_PAIRS.map((pair) => pair.store));
  for (const field of fields) assert.ok(paired.has(field as never), `the factory's store "${field}" has no conformance pair`);
  for (const [store, built] of Object.entries(builtClasses(stores))) {
    const pair = STORE_PAIRS.find((p) => p.store === store);
    assert.equal(pair?.names[kind], built, `${kind} ${store}: the factory builds ${built}, the suite tests ${pair?.names[kind]}`);
  }
}

describe('Store conformance: every store pair of createStores, in memory and on MongoDB', () => {
  describe('memory', () => {
    for (const pair of STORE_PAIRS) {
      pair.register('memory', () => {
        throw new Error('memory stores have no database');
      });
    }

    it('should have a pair for every store the factory builds in memory, testing the class it builds', async () => {
      const stores = await createStores(readStorage({}));
      assertEveryStoreHasAPair(stores, 'memory');
      await stores.close();
    });
  });

  describe('MongoDB (real wire server)', () => {
    const mongo = useMongoDatabase('conformance');
    for (const pair of STORE_PAIRS) pair.register('mongodb', () => mongo.db);

    it('should have a pair for every store the factory builds on MongoDB, testing the class it builds', async () => {
      const stores = await createStores(readStorage({ MONGODB_URI: mongo.uri, MONGODB_DB: mongo.db.databaseName }));
      try {
        assert.equal(stores.kind, 'mongodb');
        assertEveryStoreHasAPair(stores, 'mongodb');
      } finally {
        await stores.close();
      }
    });
  });

  it('should show why botbuilder MemoryStorage is not our twin: it accepts an eTag for a missing item', async () => {
    const storage = new BotbuilderMemoryStorage();
    await storage.write({ k: { n: 1, eTag: 'never-issued' } });
    const read = await storage.read(['k']);
    if (read.k?.n !== 1) throw new Error('botbuilder MemoryStorage changed; re-check whether our twin is still needed');
  });
});
