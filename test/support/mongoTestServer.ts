import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';

/**
 * Builds and runs tools/mongo-test-server (mongo-java-server on Java 17) for the test suites.
 *
 * The jar is rebuilt only when it is missing or older than the Maven sources, so repeated
 * test runs start in about a second.
 */

const projectDir = path.resolve(__dirname, '../../tools/mongo-test-server');
/** Path of the runnable jar produced by `mvn package`. */
export const mongoTestServerJar = path.join(projectDir, 'target', 'mongo-test-server.jar');

const LISTENING_LINE = /^MONGO_TEST_SERVER_LISTENING host=(\S+) port=(\d+)$/;
const BUILD_TIMEOUT_MS = 10 * 60_000;
const START_TIMEOUT_MS = 60_000;

/** A running test server; `stop()` is idempotent. */
export interface RunningMongoTestServer {
  uri: string;
  port: number;
  stop(): Promise<void>;
}

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'target') continue;
    const full = path.join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestSourceMtime(full) : fs.statSync(full).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

/** True when the jar exists and no Maven source is newer than it. */
export function isJarFresh(): boolean {
  if (!fs.existsSync(mongoTestServerJar)) return false;
  return fs.statSync(mongoTestServerJar).mtimeMs >= newestSourceMtime(projectDir);
}

function commandWorks(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 });
  return result.status === 0;
}

/**
 * Makes sure the jar exists, building it with Maven when needed.
 * Throws an Error whose message says what is missing (Java, Maven, or a failed build).
 */
export function ensureMongoTestServerJar(): string {
  if (!commandWorks('java', ['-version'])) {
    throw new Error('Java 17 is not installed (no working `java` on PATH).');
  }
  if (isJarFresh()) return mongoTestServerJar;
  if (!commandWorks('mvn', ['-v'])) {
    throw new Error('Maven is not installed (no working `mvn` on PATH) and the jar is not built yet.');
  }
  const build = spawnSync('mvn', ['-q', '-B', 'package'], {
    cwd: projectDir,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  });
  if (build.status !== 0 || !fs.existsSync(mongoTestServerJar)) {
    const output = `${build.stdout ?? ''}${build.stderr ?? ''}`.trim().slice(-2000);
    throw new Error(`Building tools/mongo-test-server failed (mvn -q -B package):\n${output}`);
  }
  return mongoTestServerJar;
}

/**
 * Starts the server on a loopback port (0: a free one) and resolves once it prints its port.
 * A fixed port lets outage tests stop a server and start a new one at the same address.
 */
export async function startMongoTestServer(port = 0): Promise<RunningMongoTestServer> {
  const jar = ensureMongoTestServerJar();
  // stdin stays a pipe on purpose: the server exits when it closes, even if we are SIGKILLed.
  const child = spawn('java', ['-jar', jar, String(port), '127.0.0.1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const uri = await waitForListeningLine(child);
  let stopping: Promise<void> | undefined;
  return {
    uri,
    port: Number(new URL(uri).port),
    stop() {
      stopping ??= stopChild(child);
      return stopping;
    },
  };
}

function waitForListeningLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mongo-test-server did not report its port within ${START_TIMEOUT_MS} ms. ${stderr}`));
    }, START_TIMEOUT_MS);
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = LISTENING_LINE.exec(line.trim());
      if (!match) return;
      clearTimeout(timer);
      resolve(`mongodb://${match[1]}:${match[2]}/`);
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`mongo-test-server exited early (code ${code}, signal ${signal}). ${stderr}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(killTimer);
      resolve();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}
