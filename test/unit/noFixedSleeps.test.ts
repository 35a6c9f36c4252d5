import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * No fixed sleeps in tests: a test waits for the condition it needs (test/support/waitFor.ts:
 * `waitFor`, `becomes`, `gate`) or drives an injected clock. A timer in test code is allowed only
 * as a deadline (it fails or gives up the wait; the success path ends on an event) and is listed
 * here with its reason. `setImmediate` (one loop turn, no time passes) is not a sleep.
 */
const ALLOWED: Readonly<Record<string, { count: number; reason: string }>> = {
  'test/support/waitFor.ts': { count: 1, reason: 'the polling period of waitFor itself' },
  'test/channels/directline/DirectLineTestClient.ts': { count: 1, reason: 'deadline of waitFor; every received activity wakes it early' },
  'test/channels/directline/directLineEndpoint.test.ts': { count: 1, reason: 'deadline: the test fails if no stream is closed within 2 s' },
  'test/security/publicEdge.test.ts': { count: 1, reason: "deadline for the stream's close at token expiry (the server's clock, 2 s)" },
  'test/support/slackApiStub.ts': { count: 1, reason: 'deadline of waitFor on the Slack stand-in; each call wakes it' },
  'test/handoff/support/connectorStub.ts': { count: 1, reason: 'deadline of waitFor on the connector stand-in; each post wakes it' },
  'test/support/botProcess.ts': { count: 1, reason: 'deadline for a child process to report that it listens' },
  'test/support/mongoTestServer.ts': { count: 2, reason: "deadline for the Java server's start, and SIGKILL if it ignores SIGTERM" },
};

/** Timers and the usual sleep helpers; comments are stripped first. */
const TIMER =
  /\bset(?:Timeout|Interval)\s*\(|['"](?:node:)?timers\/promises['"]|\b(?:sleep|delay|pause|wait)\s*\(\s*\d|\b(?:const|let|function)\s+(?:sleep|delay|pause)\b/g;

const ROOT = path.join(__dirname, '../..');
const SELF = path.relative(ROOT, __filename).split(path.sep).join('/');

function testFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'fixtures' ? [] : testFiles(relative);
    return /\.(?:ts|mts|js|mjs)$/.test(entry.name) ? [relative] : [];
  });
}

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function timersIn(file: string): number {
  return withoutComments(readFileSync(path.join(ROOT, file), 'utf8')).match(TIMER)?.length ?? 0;
}

describe('tests without fixed sleeps', () => {
  it('should have no timer in test code outside the allow-list of deadlines', () => {
    const found = testFiles('test')
      .filter((file) => file !== SELF)
      .map((file) => ({ file, count: timersIn(file) }))
      .filter(({ count }) => count > 0);
    const unexpected = found.filter(({ file, count }) => count !== ALLOWED[file]?.count);
    assert.deepEqual(
      unexpected.map(({ file, count }) => `${file}: ${count} timer(s), ${ALLOWED[file]?.count ?? 0} allowed`),
      [],
      'Wait for a condition (test/support/waitFor.ts) or inject a clock instead of sleeping. A deadline that only fails a wait may be added to ALLOWED in test/unit/noFixedSleeps.test.ts with its reason.',
    );
    const stale = Object.keys(ALLOWED).filter((file) => !found.some((f) => f.file === file));
    assert.deepEqual(stale, [], 'allow-list entries for files without timers (remove them)');
  });

  it('should recognise the sleep forms it guards against', () => {
    const sleeps = [
      'await new Promise((r) => setTimeout(r, 50));',
      "import { setTimeout } from 'node:timers/promises';",
      'await sleep(100);',
      'const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));',
      'setInterval(poll, 10);',
    ];
    for (const line of sleeps) assert.ok((line.match(TIMER)?.length ?? 0) > 0, line);
    for (const line of ['await nextTurn();', 'await waitFor(() => done);', '// setTimeout(r, 5) in a comment', 'resetTimeoutMs: 200,']) {
      assert.equal(withoutComments(line).match(TIMER), null, line);
    }
  });
});
