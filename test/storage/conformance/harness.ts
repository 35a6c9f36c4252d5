import type { Db } from 'mongodb';
import type { Stores } from '../../../src/storage/createStores';

/** The two kinds every store comes in (src/storage/createStores.ts chooses one). */
export type StoreKind = 'memory' | 'mongodb';

/**
 * One store contract with its two implementations. `cases` is the contract's suite (it
 * describes and registers its tests); the harness runs it once per implementation against a
 * `make` that builds a fresh, empty store: in memory, or in its own collections of a real
 * MongoDB wire server.
 */
export interface StorePair<S, O> {
  /** The part of `Stores` this contract is: a field, a part of the state layer, or a Slack store. */
  store: Exclude<keyof Stores, 'layer' | 'slack'> | `layer.${'storage' | 'lock' | 'transcripts'}` | `slack.${'keys' | 'inbox'}`;
  memory: { name: string; make(options: O): S | Promise<S> };
  /** `fresh` is unique per store made: a collection name (or prefix) nobody else uses. */
  mongo: { name: string; make(db: Db, options: O, fresh: string): S | Promise<S> };
  /** Releases a store after each test (timers, sweepers). */
  close?(store: S): Promise<void>;
  cases(name: string, make: (options: O) => Promise<S>): void;
}

/** A pair with its types closed over, so pairs of different stores fit in one list. */
export interface ConformancePair {
  readonly store: StorePair<unknown, unknown>['store'];
  readonly names: Readonly<Record<StoreKind, string>>;
  /** Registers the pair's suite for one kind; `db` is read only inside tests and hooks. */
  register(kind: StoreKind, db: () => Db): void;
}

let freshCounter = 0;

export function definePair<S, O>(pair: StorePair<S, O>): ConformancePair {
  return {
    store: pair.store,
    names: { memory: pair.memory.name, mongodb: pair.mongo.name },
    register(kind, db) {
      const made: S[] = [];
      const make = async (options: O): Promise<S> => {
        freshCounter += 1;
        const fresh = `${pair.store.replace('.', '_')}_${freshCounter}`;
        const store = kind === 'memory' ? await pair.memory.make(options) : await pair.mongo.make(db(), options, fresh);
        made.push(store);
        return store;
      };
      describe(`${pair.store}: ${kind}`, () => {
        afterEach(async () => {
          for (const store of made.splice(0)) await pair.close?.(store);
        });
        pair.cases(kind === 'memory' ? pair.memory.name : pair.mongo.name, make);
      });
    },
  };
}
