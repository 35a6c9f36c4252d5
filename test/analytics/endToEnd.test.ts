import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { MemoryTranscriptStore, NullTelemetryClient, TestAdapter, TranscriptLoggerMiddleware, type Activity } from 'botbuilder';
import { ConversationAnalytics } from '../../src/analytics/analyze';
import type { AnalyticsReport } from '../../src/analytics/report';
import { readTranscripts } from '../../src/analytics/transcriptSource';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { ConversationEventRecorder } from '../../src/telemetry/conversationEventRecorder';
import { NoopBotMetrics } from '../../src/telemetry/metrics';
import { BotClient } from '../support/botClient';
import { useMongoDatabase } from '../support/mongo';
import { createTestBot, silentLogger } from '../support/testBot';
import { say } from '../support/transcript';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

/** Runs `npm run analytics` the way an operator would, and reads the JSON it wrote. */
async function runCli(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; report: AnalyticsReport; html: string }> {
  const out = mkdtempSync(path.join(tmpdir(), 'analytics-'));
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/analytics.ts', ...args, '--out', out], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
      timeout: 60_000,
    });
    return {
      stdout,
      report: JSON.parse(readFileSync(path.join(out, 'analytics.json'), 'utf8')) as AnalyticsReport,
      html: readFileSync(path.join(out, 'analytics.html'), 'utf8'),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Three customers on the real dialogs: one happy path, one fallback then give-up, one cancel. */
async function playCustomers(): Promise<MemoryTranscriptStore> {
  const store = new MemoryTranscriptStore();
  const events = new ConversationEventRecorder({ metrics: new NoopBotMetrics(), telemetry: new NullTelemetryClient(), logger: silentLogger });
  for (const script of [
    ['where is my order 12345', 'yes', 'alex.morgan@example.com', '👍 Yes'],
    ['can I pay with bitcoin', 'where is my order', 'x', 'y', 'z'],
    ['order 98765', 'cancel'],
    ['where is my order 55555', 'yes', 'wrong@example.com'],
  ]) {
    const { adapter } = createTestBot({ events });
    adapter.conversation = TestAdapter.createConversation(`customer-${script[0]}`);
    adapter.use(new TranscriptLoggerMiddleware(store));
    for (const text of script) await say(adapter, text);
  }
  return store;
}

describe('analytics end to end', function () {
  this.timeout(60_000);

  it('should read what the real dialogs stored through the TranscriptStore interface', async () => {
    const store = await playCustomers();
    const analytics = new ConversationAnalytics();

    for await (const transcript of readTranscripts(store, { channels: ['test'] })) analytics.add(transcript);
    const report = analytics.report();

    assert.equal(report.conversations, 4);
    assert.deepEqual(
      report.funnel.steps.map((s) => s.forms),
      [4, 3, 2, 1],
    );
    assert.deepEqual(report.funnel.dropOffs.map((d) => `${d.lastStep}/${d.reason}`).sort(), [
      'asked/too_many_attempts',
      'confirmed/not_verified',
      'id_given/cancelled',
    ]);
    assert.deepEqual(report.verification, {
      asked: 2,
      passed: { knowledge: 1 },
      failed: { knowledge: 1 },
      lockouts: 0,
      refusedLockedOut: 0,
      reused: 0,
      passRate: 0.5,
    });
    assert.deepEqual(report.fallbacks.topUtterances, [{ text: 'can i pay with bitcoin', count: 1 }]);
    assert.deepEqual([report.feedback.asked, report.feedback.helpful], [1, 1]);
  });

  it('should run as a command over Emulator-style transcript files and write JSON and HTML', async () => {
    const store = await playCustomers();
    const dir = mkdtempSync(path.join(tmpdir(), 'transcripts-'));
    try {
      const conversations = (await store.listTranscripts('test')).items;
      for (const [i, conversation] of conversations.entries()) {
        const { items } = await store.getTranscriptActivities('test', conversation.id);
        writeFileSync(path.join(dir, `conversation-${i}.transcript`), JSON.stringify(items as Activity[]));
      }

      const { stdout, report, html } = await runCli(['--transcripts', dir]);

      assert.match(stdout, /Order form funnel \(4 form runs\)/);
      assert.match(stdout, /Order verification: asked 2, passed \{"knowledge":1\}, failed \{"knowledge":1\}/);
      assert.match(html, /Order verification/);
      assert.match(stdout, /can i pay with bitcoin/);
      assert.equal(report.funnel.steps[3]?.forms, 1);
      assert.match(html, /<svg /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should refuse unknown options with the usage and exit code 2', async () => {
    await assert.rejects(runCli(['--frobnicate', 'yes']), (err: { code?: number; stderr?: string }) => {
      assert.equal(err.code, 2);
      assert.match(err.stderr ?? '', /usage: npm run analytics/);
      return true;
    });
  });

  describe("on MongoDB (the bot's own transcripts)", () => {
    const mongo = useMongoDatabase('analytics');

    it('should report on conversations the running bot stored', async () => {
      const env = { MONGODB_URI: mongo.uri, MONGODB_DB: mongo.db.databaseName };
      const app = await createApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test', ...env }), { logger: silentLogger });
      try {
        const { url } = await app.listen();
        const happy = new BotClient(url);
        for (const text of ['hi', 'where is my order 12345?', 'yes', 'SW1A 1AA', '👎 No']) await happy.say(text);
        const lost = new BotClient(url);
        for (const text of ['I want to check on my order', 'purple monkey dishwasher']) await lost.say(text);
      } finally {
        await app.close(); // transcript writes finish before the database closes
      }

      const { report } = await runCli(['--channel', 'emulator'], env);

      assert.equal(report.conversations, 2);
      assert.deepEqual(
        report.funnel.steps.map((s) => s.forms),
        [2, 1, 1, 1],
      );
      assert.deepEqual([report.feedback.answered, report.feedback.notHelpful], [1, 1]);
      assert.equal(report.funnel.invalidIds, 1);
      assert.deepEqual(report.verification.passed, { knowledge: 1 });
    });
  });
});
