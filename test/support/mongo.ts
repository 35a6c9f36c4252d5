import { type Db, MongoClient, type MongoClientOptions } from 'mongodb';
import { type RunningMongoTestServer, startMongoTestServer } from './mongoTestServer';

/**
 * Mocha helpers that give a suite a real MongoDB wire server.
 *
 * - `MONGODB_URI` set: that server is used (a real MongoDB, Atlas, Cosmos DB); every suite gets
 *   its own database named `sbtest_*`, dropped afterwards.
 * - otherwise: tools/mongo-test-server (mongo-java-server) is built if needed and started once
 *   per mocha process on a free port, and stopped when the run ends.
 * - neither possible: the suites are skipped with a visible warning, unless `CI=true` or
 *   `REQUIRE_MONGO_TESTS=1`, where that is a failure so CI can never go green without them.
 */

/** Where the test server comes from, for logs. */
export type MongoTestSource = 'MONGODB_URI' | 'mongo-java-server';

interface AvailableEnvironment {
  available: true;
  uri: string;
  source: MongoTestSource;
}
interface UnavailableEnvironment {
  available: false;
  reason: string;
}
type Environment = AvailableEnvironment | UnavailableEnvironment;

let environment: Promise<Environment> | undefined;
let server: RunningMongoTestServer | undefined;
let warned = false;
let databaseCounter = 0;

function mongoTestsRequired(): boolean {
  return process.env.CI === 'true' || process.env.REQUIRE_MONGO_TESTS === '1';
}

async function resolveEnvironment(): Promise<Environment> {
  const fromEnv = process.env.MONGODB_URI?.trim();
  if (fromEnv) return { available: true, uri: fromEnv, source: 'MONGODB_URI' };
  try {
    server = await startMongoTestServer();
    return { available: true, uri: server.uri, source: 'mongo-java-server' };
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Starts (once per process) or finds the test server. Never throws; see `available`. */
export function mongoTestEnvironment(): Promise<Environment> {
  environment ??= resolveEnvironment();
  return environment;
}

/** Stops the Java server if this process started it. Safe to call more than once. */
export async function stopMongoTestServer(): Promise<void> {
  await server?.stop();
}

/** A unique database name for one suite of one run (max 64 chars in MongoDB). */
export function uniqueDatabaseName(label = 'db'): string {
  databaseCounter += 1;
  const safeLabel = label.replace(/[^A-Za-z0-9]/g, '').slice(0, 20);
  return `sbtest_${safeLabel}_${process.pid}_${Date.now().toString(36)}_${databaseCounter}`;
}

/** What a suite gets: a connected client and its own database. */
export interface MongoTestHandle {
  readonly uri: string;
  readonly source: MongoTestSource;
  readonly client: MongoClient;
  readonly db: Db;
}

/**
 * Registers before/after hooks in the calling `describe` that connect to a fresh database.
 * Access the handle only inside tests and hooks (after `before` ran).
 */
export function useMongoDatabase(label: string, options: MongoClientOptions = {}): MongoTestHandle {
  let state: MongoTestHandle | undefined;

  before(async function () {
    this.timeout(11 * 60_000); // the first run may build the jar with Maven
    const env = await mongoTestEnvironment();
    if (!env.available) {
      const message = `MongoDB suite "${label}" cannot run: ${env.reason} Set MONGODB_URI or install Java 17 and Maven.`;
      if (mongoTestsRequired()) throw new Error(message);
      if (!warned) {
        warned = true;
        console.warn(`\n  ⚠ SKIPPING MongoDB tests. ${message}\n`);
      }
      this.skip();
    }
    const client = new MongoClient(env.uri, { serverSelectionTimeoutMS: 10_000, ...options });
    await client.connect();
    state = { uri: env.uri, source: env.source, client, db: client.db(uniqueDatabaseName(label)) };
  });

  after(async () => {
    if (!state) return;
    const { client, db } = state;
    state = undefined;
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  });

  const get = (): MongoTestHandle => {
    if (!state) throw new Error('useMongoDatabase: used outside a test, or the suite was skipped.');
    return state;
  };
  return {
    get uri() {
      return get().uri;
    },
    get source() {
      return get().source;
    },
    get client() {
      return get().client;
    },
    get db() {
      return get().db;
    },
  };
}

// A root-level hook: this module is loaded while mocha loads spec files, so `after` here runs once
// after every suite, whichever spec files were selected. Stdin EOF stops the server anyway if
// mocha exits first.
if (typeof after === 'function') {
  after(async function () {
    this.timeout(10_000);
    await stopMongoTestServer();
  });
}
