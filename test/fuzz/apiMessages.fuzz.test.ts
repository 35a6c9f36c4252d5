import { strict as assert } from 'node:assert';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { createApp, type BotApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { silentLogger } from '../support/testBot';

/** Activity-shaped values with every field allowed to be wrong, missing or hostile. */
function activityArbitrary(): fc.Arbitrary<Record<string, unknown>> {
  const text = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 80 }),
    fc.constantFrom('where is my order 12345', 'yes', 'no', 'help', 'cancel', '#ABC123', '💥'.repeat(50), '\u0000\u202e', '{{$where: 1}}', '../../etc/passwd'),
    fc.anything(),
  );
  return fc.record(
    {
      type: fc.oneof(
        fc.constantFrom('message', 'conversationUpdate', 'event', 'invoke', 'typing', 'messageReaction', 'endOfConversation'),
        fc.string(),
        fc.anything(),
      ),
      text,
      conversation: fc.oneof(fc.record({ id: fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.constant('$conv.with.dots')) }), fc.anything()),
      from: fc.oneof(fc.record({ id: fc.string({ maxLength: 20 }), name: fc.string({ maxLength: 20 }) }), fc.anything()),
      recipient: fc.oneof(fc.record({ id: fc.string({ maxLength: 20 }) }), fc.anything()),
      channelId: fc.oneof(fc.constantFrom('emulator', 'webchat', 'msteams', 'slack', 'directline'), fc.string({ maxLength: 12 })),
      deliveryMode: fc.constantFrom('expectReplies', 'expectReplies', 'normal', undefined),
      serviceUrl: fc.constantFrom('http://127.0.0.1:1', undefined),
      attachments: fc.oneof(fc.array(fc.record({ contentType: fc.string(), content: fc.anything() }), { maxLength: 3 }), fc.anything()),
      membersAdded: fc.oneof(fc.array(fc.record({ id: fc.string({ maxLength: 10 }) }), { maxLength: 3 }), fc.anything()),
      value: fc.anything(),
      entities: fc.anything(),
      channelData: fc.anything(),
      locale: fc.oneof(fc.constantFrom('en-US', 'xx', ''), fc.anything()),
    },
    { requiredKeys: [] },
  );
}

describe('fuzz: /api/messages with random and malformed activities', function () {
  this.timeout(120_000);
  let app: BotApp;
  let url: string;

  before(async () => {
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test', RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_CONVERSATION_PER_MINUTE: '0' });
    app = await createApp(config, { logger: silentLogger });
    url = `${(await app.listen()).url}/api/messages`;
  });
  after(async () => {
    await app.close();
  });

  async function post(body: string): Promise<number> {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await response.arrayBuffer();
    return response.status;
  }

  it('should never answer 5xx to activity-shaped input', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(activityArbitrary(), async (activity) => {
        let body: string;
        try {
          body = JSON.stringify(activity);
        } catch {
          return; // BigInt and the like cannot be sent as JSON at all
        }
        const status = await post(body ?? 'null');
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        assert.ok(status < 500, `status ${status} for ${body.slice(0, 300)}`);
      }),
      { numRuns: 400, seed: 20261125 },
    );
    assert.ok((statuses.get(200) ?? 0) > 0, `no request got through: ${JSON.stringify([...statuses])}`);
    assert.ok((statuses.get(400) ?? 0) > 0, `no request was rejected: ${JSON.stringify([...statuses])}`);
  });

  it('should never answer 5xx to arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 500 }),
          fc.json(),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
        ),
        async (body) => {
          const status = await post(body);
          assert.ok(status < 500, `status ${status} for ${JSON.stringify(body).slice(0, 200)}`);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });

  it('should not grow the heap without bound over many conversations', async () => {
    const run = async (from: number, count: number): Promise<void> => {
      for (let i = from; i < from + count; i++) {
        const activity = {
          type: 'message',
          text: 'where is my order 12345',
          channelId: 'emulator',
          deliveryMode: 'expectReplies',
          conversation: { id: `fuzz-${i}` },
          from: { id: `u-${i}` },
        };
        assert.equal(await post(JSON.stringify(activity)), 200);
      }
    };
    // Without a full collection heapUsed counts garbage too, and the bound would mean nothing.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    await run(0, 300); // warm up caches and JIT
    gc();
    const before = process.memoryUsage().heapUsed;
    await run(300, 1500);
    gc();
    const grownMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
    // In-memory state keeps each conversation (~2 KB each); 1,500 conversations must stay far below this bound.
    assert.ok(grownMb < 64, `heap grew ${grownMb.toFixed(1)} MB over 1,500 conversations`);
  });
});
