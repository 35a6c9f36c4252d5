import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConversations, parseConversationYaml, parseTranscript, type ConversationSpec } from '../../src/conversationTests/format';
import { compileExpected } from '../../src/conversationTests/match';
import { ConversationRecorder } from '../../src/conversationTests/record';
import { renderReply } from '../../src/conversationTests/render';
import { ConversationMismatch, ConversationRunner } from '../../src/conversationTests/runner';
import { silentLogger } from '../support/testBot';

const ROOT = path.resolve(__dirname, '..', '..');

describe('conversation tests: format, matching and runner', () => {
  describe('matching', () => {
    it('should match placeholders and nothing more', () => {
      const match = compileExpected('Order {{id}} is {{any}}.\nExpected delivery: {{date}}.\nTrack it here: {{url}}');
      assert.ok(match('Order 12345 is in transit (carrier: UPS).\nExpected delivery: Fri, 27 Nov 2026.\nTrack it here: https://x.example/t?1'));
      assert.ok(!match('Order 12345 is in transit.\nExpected delivery: tomorrow.\nTrack it here: https://x.example/t'));
      assert.ok(!match('Order 12345 is in transit.'));
    });

    it('should treat /.../ as a regular expression searched in the reply', () => {
      assert.ok(compileExpected("/can't reach/")("I'm sorry, I can't reach the order system"));
      assert.ok(!compileExpected('/^Order/')('No order'));
    });

    it('should compare literal text exactly, ignoring surrounding white space and line endings', () => {
      assert.ok(compileExpected('a (b) [c]\n')('a (b) [c]'));
      assert.ok(compileExpected('x\ny')('x\r\ny'));
      assert.ok(!compileExpected('a (b)')('a (b) and more'));
    });

    it('should reject an unknown placeholder, naming the ones that exist', () => {
      assert.throws(() => compileExpected('Order {{ordr}}'), /unknown placeholder \{\{ordr\}\}.*\{\{any\}\}/);
    });
  });

  describe('rendering', () => {
    it('should render text, an Adaptive Card and suggested actions readably', () => {
      const text = renderReply({
        text: 'Order 1 is shipped.',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: {
              body: [
                { type: 'TextBlock', text: 'Order 1' },
                { type: 'FactSet', facts: [{ title: 'Carrier', value: 'DHL' }] },
              ],
              actions: [{ type: 'Action.OpenUrl', title: 'Track' }],
            },
          },
        ],
        suggestedActions: {
          to: [],
          actions: [
            { type: 'imBack', title: 'Yes', value: 'Yes' },
            { type: 'imBack', title: 'No', value: 'No' },
          ],
        },
      });
      assert.equal(text, 'Order 1 is shipped.\n<card>\nOrder 1\nCarrier: DHL\n[Track]\n[Yes] [No]');
    });
  });

  describe('files', () => {
    it('should name the file and the turn when a turn has no expected replies', () => {
      assert.throws(() => parseConversationYaml('name: x\nturns:\n  - user: hi\n', 'x.yml'), /x\.yml: turn 1: "bot" is missing/);
    });

    it('should explain the quoting rule when YAML reads a reply as a map', () => {
      assert.throws(
        () => parseConversationYaml('turns:\n  - user: hi\n    bot:\n      - Hello: there\n', 'q.yml'),
        /q\.yml: turn 1: reply 1 must be text; quote it/,
      );
    });

    it('should turn an Emulator transcript into turns, skipping typing and the bot joining', () => {
      const spec = parseTranscript(readFileSync(path.join(ROOT, 'test/conversations/emulator-greeting.transcript'), 'utf8'), 't.transcript');
      assert.equal(spec.channel, 'emulator');
      assert.deepEqual(
        spec.turns.map((t) => t.user ?? `<${t.event}>`),
        ['<join>', 'where is my order 55555', 'No'],
      );
      assert.deepEqual(spec.turns[1]?.bot, ['You asked about order 55555. Is that correct?\n[Yes] [No]']);
    });

    it('should report a broken file on its own and still load the others', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'conv-'));
      writeFileSync(path.join(dir, 'good.yml'), 'name: good\nturns:\n  - user: hi\n    bot: [ "{{any}}" ]\n');
      writeFileSync(path.join(dir, 'bad.yml'), 'turns: [');
      writeFileSync(path.join(dir, '_defaults.yml'), 'env:\n  MAX_ORDER_ID_ATTEMPTS: 5\n');
      const loaded = loadConversations(dir);
      assert.deepEqual(
        loaded.map((l) => [path.basename(l.file), 'error' in l]),
        [
          ['bad.yml', true],
          ['good.yml', false],
        ],
      );
      const good = loaded[1] as { spec: ConversationSpec };
      assert.deepEqual(good.spec.env, { MAX_ORDER_ID_ATTEMPTS: '5' });
    });
  });

  describe('runner against the real bot', () => {
    const runner = new ConversationRunner({ logger: silentLogger, baseEnv: { ORDER_VERIFICATION: 'none', NODE_ENV: 'test', NLU_MODEL_FILE: 'none' } });
    after(() => runner.close());

    it('should fail at the first wrong turn and show expected and actual side by side', async () => {
      const spec = parseConversationYaml(
        [
          'name: wrong status',
          'turns:',
          '  - user: where is my order 12345',
          '    bot: ["{{any}}"]',
          '  - user: "yes"',
          '    bot:',
          '      - Order 12345 is delivered{{any}}',
          '      - "{{any}}"',
        ].join('\n'),
        'wrong.yml',
      );
      const error = await runner.run(spec).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof ConversationMismatch, String(error));
      assert.equal(error.turnIndex, 1);
      assert.match(error.message, /conversation "wrong status" \(wrong\.yml:5\), turn 2 of 2/);
      assert.match(error.message, /user: "yes"/);
      assert.match(error.message, /✗ Order 12345 is delivered\{\{any\}\} +\| Order 12345 is in transit \(carrier: UPS\)\./);
    });

    it('should fail when the bot says more than the file expects', async () => {
      const spec = parseConversationYaml('turns:\n  - user: help\n    bot: []\n', 'extra.yml');
      await assert.rejects(runner.run(spec), /\(no reply expected\) +\| I can check where your order is/);
    });

    it('should serve inline orders from a local orders API', async () => {
      const spec = parseConversationYaml(
        [
          'backend:',
          '  orders:',
          '    - { id: "TEST-1", status: shipped, eta: "2026-11-25", carrier: DHL, trackingUrl: null }',
          'turns:',
          '  - user: where is TEST-1',
          '    bot: ["{{any}}"]',
          '  - user: "yes"',
          '    bot:',
          '      - "Order TEST-1 is shipped (carrier: DHL).{{any}}"',
          '      - "{{any}}"',
        ].join('\n'),
        'stub.yml',
      );
      await runner.run(spec);
    });

    it('should replay what the recorder wrote, as YAML and as a transcript', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'rec-'));
      // Record by playing a session through a first runner pass that accepts anything.
      const recorder = new ConversationRecorder('emulator');
      const live = parseConversationYaml(
        'turns:\n  - user: where is my order 98765\n    bot: ["{{any}}"]\n  - user: "yes"\n    bot: ["{{any}}", "{{any}}"]\n',
        'live.yml',
      );
      const captured: { sent: Record<string, unknown>; replies: Record<string, unknown>[] }[] = [];
      await runner.run(live, (sent, replies) => captured.push({ sent, replies }));
      for (const { sent, replies } of captured) recorder.add(sent, replies);
      recorder.write(path.join(dir, 'flow.yml'));
      recorder.write(path.join(dir, 'flow.transcript'));
      const loaded = loadConversations(dir);
      assert.equal(loaded.length, 2);
      for (const item of loaded) {
        assert.ok('spec' in item, 'error' in item ? item.error.message : '');
        assert.equal(item.spec.turns.length, 2);
        await runner.run(item.spec);
      }
    });
  });

  it('should write a conversation file from a shell session with --record', async function () {
    this.timeout(60_000);
    const dir = mkdtempSync(path.join(tmpdir(), 'shell-rec-'));
    const file = path.join(dir, 'from-shell.yml');
    const child = execFile(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/shell.ts'), '--record', file], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent', NLU_MODEL_FILE: 'none', NODE_ENV: 'development', ORDER_VERIFICATION: 'none' },
    });
    child.stdin?.end('where is my order 12345\n1\n');
    await promisify((cb: (e: Error | null) => void) => child.on('exit', (code) => cb(code === 0 ? null : new Error(`shell exited ${code}`))))();
    const [loaded] = loadConversations(dir);
    assert.ok(loaded && 'spec' in loaded);
    assert.deepEqual(
      loaded.spec.turns.map((t) => t.user ?? `<${t.event}>`),
      ['<join>', 'where is my order 12345', 'Yes'],
    );
    assert.match(loaded.spec.turns[2]?.bot[0] ?? '', /^Order 12345 is in transit/);
    const runner = new ConversationRunner({ logger: silentLogger, baseEnv: { ORDER_VERIFICATION: 'none', NODE_ENV: 'test', NLU_MODEL_FILE: 'none' } });
    try {
      await runner.run(loaded.spec);
    } finally {
      await runner.close();
    }
  });
});
