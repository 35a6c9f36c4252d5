import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { startSlackApiStub, type SlackApiStub } from '../support/slackApiStub';
import { BOT_USER, envelope, newTs, startSlackApp, TEAM, type SlackTestApp } from '../channels/slack/support/slackTraffic';

/** Slack-shaped events where any field may be missing, of the wrong type, or hostile. */
function slackEventArbitrary(): fc.Arbitrary<Record<string, unknown>> {
  const text = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.constantFrom(`<@${BOT_USER}> where is my order 12345`, '<!channel> hi', '&lt;script&gt;', '*bold* _it_ `code`', '<https://evil.example|click>', ''),
    fc.anything(),
  );
  return fc.record(
    {
      type: fc.oneof(
        fc.constantFrom('message', 'app_mention', 'reaction_added', 'member_joined_channel', 'app_home_opened'),
        fc.string({ maxLength: 12 }),
        fc.anything(),
      ),
      subtype: fc.oneof(
        fc.constantFrom(undefined, 'bot_message', 'message_changed', 'message_deleted', 'file_share', 'thread_broadcast', 'channel_join'),
        fc.string({ maxLength: 12 }),
      ),
      channel_type: fc.constantFrom('im', 'channel', 'group', 'mpim', undefined, 'weird'),
      channel: fc.oneof(fc.constantFrom('D0FUZZ1', 'C0FUZZ1', 'G0FUZZ1'), fc.string({ maxLength: 12 }), fc.anything()),
      user: fc.oneof(fc.constantFrom('U0FUZZ1', 'U0FUZZ2', BOT_USER), fc.string({ maxLength: 12 }), fc.anything()),
      bot_id: fc.constantFrom(undefined, 'B0OTHER'),
      text,
      ts: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 20 }), fc.anything()).map((v) => v ?? newTs()),
      thread_ts: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 20 })),
      team: fc.oneof(fc.constant(TEAM), fc.anything()),
      files: fc.oneof(fc.constant(undefined), fc.array(fc.record({ id: fc.string(), name: fc.string() }), { maxLength: 2 }), fc.anything()),
      message: fc.anything(),
      previous_message: fc.anything(),
      blocks: fc.anything(),
    },
    { requiredKeys: [] },
  );
}

function interactionArbitrary(): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(
    {
      type: fc.oneof(fc.constantFrom('block_actions', 'view_submission', 'shortcut', 'message_action'), fc.string({ maxLength: 12 })),
      user: fc.oneof(fc.record({ id: fc.string({ maxLength: 12 }), team_id: fc.constant(TEAM) }), fc.anything()),
      team: fc.oneof(fc.record({ id: fc.constant(TEAM) }), fc.anything()),
      channel: fc.oneof(fc.record({ id: fc.constantFrom('D0FUZZ1', 'C0FUZZ1') }), fc.anything()),
      container: fc.oneof(
        fc.record({ type: fc.constant('message'), message_ts: fc.string({ maxLength: 20 }), channel_id: fc.constantFrom('D0FUZZ1', 'C0FUZZ1') }),
        fc.anything(),
      ),
      message: fc.anything(),
      actions: fc.oneof(
        fc.array(
          fc.record({
            action_id: fc.string({ maxLength: 30 }),
            value: fc.oneof(fc.string({ maxLength: 40 }), fc.anything()),
            type: fc.constantFrom('button', 'static_select'),
            block_id: fc.string({ maxLength: 10 }),
          }),
          { maxLength: 3 },
        ),
        fc.anything(),
      ),
    },
    { requiredKeys: [] },
  );
}

describe('fuzz: Slack events and interactions on /api/slack/events', function () {
  this.timeout(180_000);
  let stub: SlackApiStub;
  let slack: SlackTestApp;

  before(async () => {
    stub = await startSlackApiStub();
    slack = await startSlackApp(stub, { RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_CONVERSATION_PER_MINUTE: '0' });
  });
  after(async () => {
    await slack?.close();
    await stub?.stop();
  });

  it('should never answer 5xx or crash on signed but malformed events', async () => {
    await fc.assert(
      fc.asyncProperty(slackEventArbitrary(), fc.boolean(), async (event, retry) => {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(JSON.stringify(envelope(event)));
        } catch {
          return;
        }
        const result = await slack.sender.event(body, retry ? { retryNum: 1 } : {});
        assert.ok(result.status < 500, `status ${result.status} for ${JSON.stringify(event).slice(0, 300)}`);
      }),
      { numRuns: 600, seed: 7 },
    );
    await slack.idle();
    assert.equal((await fetch(`${slack.url}/healthz`)).status, 200);
  });

  it('should never answer 5xx on signed but malformed interactions and raw bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          interactionArbitrary().map((p) => ({ kind: 'interaction' as const, p })),
          fc.string({ maxLength: 300 }).map((s) => ({ kind: 'raw' as const, s })),
        ),
        async (input) => {
          let status: number;
          if (input.kind === 'interaction') {
            let payload: Record<string, unknown>;
            try {
              payload = JSON.parse(JSON.stringify(input.p));
            } catch {
              return;
            }
            status = (await slack.sender.interaction(payload)).status;
          } else {
            status = (await slack.sender.raw(input.s, 'application/json')).status;
          }
          assert.ok(status < 500, `status ${status} for ${JSON.stringify(input).slice(0, 300)}`);
        },
      ),
      { numRuns: 200, seed: 11 },
    );
    await slack.idle();
    assert.equal((await fetch(`${slack.url}/healthz`)).status, 200);
  });

  it('should answer 401, never run a turn, for unsigned or wrongly signed requests whatever the body', async () => {
    const before = stub.calls.length;
    await fc.assert(
      fc.asyncProperty(slackEventArbitrary(), fc.constantFrom(null, 'v0=deadbeef', 'v1=abc', ''), async (event, signature) => {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(JSON.stringify(envelope(event)));
        } catch {
          return;
        }
        assert.equal((await slack.sender.event(body, { signature })).status, 401);
      }),
      { numRuns: 100, seed: 13 },
    );
    await slack.idle();
    assert.equal(
      stub.calls.filter((c) => c.method === 'chat.postMessage').length - stub.calls.slice(0, before).filter((c) => c.method === 'chat.postMessage').length,
      0,
    );
  });
});
