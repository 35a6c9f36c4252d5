import { strict as assert } from 'node:assert';
import { createLogger } from '../../src/telemetry/logger';
import { requestIdFrom, withLogContext } from '../../src/telemetry/logContext';

/** A pino destination that keeps every line, parsed. */
function capture(): { lines: Record<string, unknown>[]; write(line: string): void } {
  const lines: Record<string, unknown>[] = [];
  return { lines, write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
}

describe('structured logger', () => {
  it('should redact tokens, secrets, cookies and authorization headers', () => {
    const out = capture();
    const logger = createLogger({ level: 'info', destination: out });

    logger.info(
      {
        req: { headers: { authorization: 'Bearer abc', cookie: 'session=1', 'x-api-key': 'k' } },
        orders: { apiKey: 'secret-key' },
        slack: { botToken: 'xoxb-1', signingSecret: 's' },
        MicrosoftAppPassword: 'pw',
      },
      'request',
    );

    const text = JSON.stringify(out.lines[0]);
    for (const secret of ['Bearer abc', 'session=1', '"k"', 'secret-key', 'xoxb-1', '"s"', '"pw"']) {
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    }
    assert.match(text, /\[redacted\]/);
  });

  it('should mask customer text and names by default, keeping only their length', () => {
    const out = capture();
    const logger = createLogger({ level: 'debug', destination: out });

    logger.debug({ customerText: 'my address is 1 Main St', activity: { text: 'hello', from: { name: 'Ann', id: 'u1' } } }, 'message');

    const line = out.lines[0] as { customerText: string; activity: { text: string; from: { name: string; id: string } } };
    assert.equal(line.customerText, '[personal data: 23 chars]');
    assert.equal(line.activity.text, '[personal data: 5 chars]');
    assert.equal(line.activity.from.name, '[personal data: 3 chars]');
    assert.equal(line.activity.from.id, 'u1');
  });

  it('should let personal data through when switched on, but never secrets', () => {
    const out = capture();
    const logger = createLogger({ level: 'debug', destination: out, logPersonalData: true });

    logger.debug({ customerText: 'hello', token: 't0ken' }, 'message');

    assert.equal(out.lines[0]?.customerText, 'hello');
    assert.equal(out.lines[0]?.token, '[redacted]');
  });

  it('should put the request and turn ids on every line written inside their scope', async () => {
    const out = capture();
    const logger = createLogger({ level: 'info', destination: out });

    await withLogContext({ requestId: 'req-1' }, async () => {
      logger.info('in request');
      await withLogContext({ turnId: 'turn-1', conversationId: 'c1' }, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        logger.info('in turn, after an await');
      });
    });
    logger.info('outside');

    assert.equal(out.lines[0]?.requestId, 'req-1');
    assert.equal(out.lines[0]?.turnId, undefined);
    assert.deepEqual([out.lines[1]?.requestId, out.lines[1]?.turnId, out.lines[1]?.conversationId], ['req-1', 'turn-1', 'c1']);
    assert.equal(out.lines[2]?.requestId, undefined);
  });

  it('should honour the level', () => {
    const out = capture();
    const logger = createLogger({ level: 'warn', destination: out });

    logger.info('dropped');
    logger.warn('kept');

    assert.deepEqual(
      out.lines.map((l) => l.msg),
      ['kept'],
    );
  });

  it('should accept a well-formed caller request id and replace anything else', () => {
    assert.equal(requestIdFrom('abc-123'), 'abc-123');
    assert.notEqual(requestIdFrom('bad id\n{"level":60}'), 'bad id\n{"level":60}');
    assert.match(requestIdFrom(undefined), /^[0-9a-f-]{36}$/);
  });
});
