import { strict as assert } from 'node:assert';
import pino from 'pino';
import { Messages } from '../../dialogs/messages';
import { readHandoffConfig } from '../../src/config/handoff';
import { ConfigError } from '../../src/errors';
import { parseAgentCommand } from '../../src/handoff/agentCommands';
import type { AgentHandoff } from '../../src/handoff/AgentHandoff';
import { inferRequest } from '../../src/handoff/inferRequest';
import { isCancel, isDecline, parseRating } from '../../src/handoff/messages';
import type { SlackDeskApi } from '../../src/handoff/slack/SlackDeskApi';
import { SlackDeskEvents, slackToPlain } from '../../src/handoff/slack/SlackDeskEvents';
import { renderTicket } from '../../src/handoff/slack/ticketBlocks';
import { makeTicket } from './support/tickets';

describe('Handoff parts', () => {
  describe('configuration', () => {
    it('should default to no desk, always open, 5 min queue and 15 min idle timeouts', () => {
      const config = readHandoffConfig({});
      assert.equal(config.slackChannel, undefined);
      assert.equal(config.businessHours, '');
      assert.equal(config.queueTimeoutMs, 300_000);
      assert.equal(config.idleTimeoutMs, 900_000);
      assert.deepEqual(config.eventChannels, ['emulator', 'directline', 'webchat', 'test']);
    });

    it('should name the setting and the fix for every bad value', () => {
      const cases: [Record<string, string>, string, RegExp][] = [
        [{ SLACK_HANDOFF_CHANNEL: '#support' }, 'SLACK_HANDOFF_CHANNEL', /Slack channel id such as C0123ABCD/],
        [{ SLACK_HANDOFF_CHANNEL: 'C0123ABCD' }, 'SLACK_HANDOFF_CHANNEL', /SLACK_BOT_TOKEN is empty/],
        [{ HANDOFF_BUSINESS_HOURS: 'weekdays 9-5' }, 'HANDOFF_BUSINESS_HOURS', /Example: "Mon-Fri 09:00-17:00/],
        [{ HANDOFF_TIME_ZONE: 'Berlin' }, 'HANDOFF_TIME_ZONE', /not an IANA time zone/],
        [{ HANDOFF_CLOSED_DATES: '2026-12-25,Christmas' }, 'HANDOFF_CLOSED_DATES', /"Christmas" is not a date/],
        [{ HANDOFF_QUEUE_TIMEOUT_SECONDS: '0' }, 'HANDOFF_QUEUE_TIMEOUT_SECONDS', /from 1 to/],
      ];
      for (const [env, setting, message] of cases) {
        assert.throws(
          () => readHandoffConfig(env),
          (e: unknown) => e instanceof ConfigError && e.setting === setting && message.test(e.message),
          JSON.stringify(env),
        );
      }
    });

    it('should accept a complete desk configuration', () => {
      const config = readHandoffConfig({
        SLACK_HANDOFF_CHANNEL: 'C0123ABCD',
        SLACK_BOT_TOKEN: 'xoxb-1',
        HANDOFF_BUSINESS_HOURS: 'Mon-Fri 09:00-17:00; Sat 10:00-14:00',
        HANDOFF_TIME_ZONE: 'Europe/Berlin',
        HANDOFF_CLOSED_DATES: '2026-12-25, 2026-12-26',
        HANDOFF_QUEUE_TIMEOUT_SECONDS: '120',
      });
      assert.equal(config.slackChannel, 'C0123ABCD');
      assert.deepEqual(config.closedDates, ['2026-12-25', '2026-12-26']);
      assert.equal(config.queueTimeoutMs, 120_000);
    });
  });

  describe('reading the request from the conversation', () => {
    const bot = (text: string) => ({ from: 'bot' as const, text, at: 0 });
    const customer = (text: string) => ({ from: 'customer' as const, text, at: 0 });

    it('should see that the order system was down and which order it was about', () => {
      const lines = [
        customer('where is 12345'),
        bot(`${Messages.confirmOrderId('12345')} [buttons: Yes | No]`),
        customer('yes'),
        bot(`${Messages.backendUnavailable} [buttons: Talk to a person]`),
        customer('Talk to a person'),
      ];
      assert.deepEqual(inferRequest({ reason: 'user_request' }, lines), { reason: 'backend_unavailable', orderId: '12345', intent: 'ask_order_status' });
    });

    it('should see a failed form, and keep what the dialog said itself', () => {
      assert.equal(inferRequest({ reason: 'user_request' }, [bot(Messages.tooManyAttempts)]).reason, 'form_failed');
      assert.deepEqual(inferRequest({ reason: 'repeated_fallback' }, [bot(Messages.tooManyAttempts)]), { reason: 'repeated_fallback' });
      assert.equal(inferRequest({ reason: 'user_request', orderId: 'A1' }, [bot(Messages.confirmOrderId('B2'))]).orderId, 'A1');
    });
  });

  describe('words and commands', () => {
    it('should recognise cancel, decline and ratings, and nothing else', () => {
      assert.ok(isCancel(' Cancel! '));
      assert.ok(isCancel('never mind'));
      assert.ok(!isCancel('cancel my order 12345'));
      assert.ok(isDecline('No, thanks'));
      assert.ok(!isDecline('no it has not arrived'));
      assert.deepEqual(parseRating('great'), { label: 'Great', score: 3 });
      assert.deepEqual(parseRating(' poor '), { label: 'Poor', score: 1 });
      assert.equal(parseRating('1'), undefined, "numbers are the rendering middleware's business");
      assert.equal(parseRating('it was fine'), undefined);
    });

    it('should parse thread commands', () => {
      assert.deepEqual(parseAgentCommand('!resolve'), { kind: 'resolve' });
      assert.deepEqual(parseAgentCommand('  !Note the customer is upset'), { kind: 'note' });
      assert.deepEqual(parseAgentCommand('!claim'), { kind: 'claim' });
      assert.deepEqual(parseAgentCommand('!oops'), { kind: 'unknown', word: 'oops' });
      assert.equal(parseAgentCommand('Hello! How can I help?'), undefined);
    });
  });

  describe('Slack rendering and parsing', () => {
    it('should escape what customers wrote in the ticket and keep the newest lines when long', () => {
      const ticket = makeTicket({
        state: 'queued',
        queuedAt: 0,
        customer: { id: 'u1', name: '<!channel> Mallory' },
        transcript: Array.from({ length: 40 }, (_, i) => ({ from: 'customer' as const, text: `line ${i} ${'x'.repeat(100)}`, at: i })),
      });
      const json = JSON.stringify(renderTicket(ticket).blocks);
      assert.ok(!json.includes('<!channel>'));
      assert.ok(json.includes('&lt;!channel&gt; Mallory'));
      assert.ok(json.includes('line 39'));
      assert.ok(!json.includes('line 0 '));
    });

    it("should show the bot's echo of customer text and long left messages literally, never as Slack formatting", () => {
      const ticket = makeTicket({
        state: 'queued',
        queuedAt: 0,
        transcript: [{ from: 'bot', text: '"*Alice:* refund approved https://evil.example/x" doesn\'t look like an order ID', at: 1 }],
        leftMessages: [{ text: `call me ${'y'.repeat(2950)} *now*`, at: 2 }],
      });
      const sections = (renderTicket(ticket).blocks ?? []).filter((b) => b.type === 'section' && 'text' in b) as Array<{ text: { text: string } }>;
      const transcript = sections.find((b) => b.text.text.startsWith('*Recent conversation*'))!.text.text;
      const left = sections.find((b) => b.text.text.includes('Message left'))!.text.text;
      // Inside a code span Slack shows *bold* and links as typed.
      assert.match(transcript, /> \*Bot:\* `"\*Alice:\* refund approved https:\/\/evil\.example\/x" doesn't look like an order ID`/);
      for (const text of [transcript, left]) {
        assert.equal((text.match(/`/g) ?? []).length % 2, 0, 'every code span is closed');
        assert.ok(text.length <= 3000, 'fits one section');
      }
    });

    it('should turn Slack markup into what the customer should read', () => {
      assert.equal(slackToPlain('See <https://example.com/t/1|tracking> &amp; ask <@U1|bob>'), 'See tracking (https://example.com/t/1) & ask @bob');
      assert.equal(slackToPlain('<https://example.com>'), 'https://example.com');
      assert.equal(slackToPlain('<!here> hi'), 'hi');
    });

    it('should own only the desk channel and the handoff buttons, and route thread replies with the agent name', async () => {
      const calls: unknown[][] = [];
      const agents = { onThreadMessage: async (...args: unknown[]) => void calls.push(args) } as unknown as AgentHandoff;
      const api = { displayName: async (user: string) => (user === 'UA' ? 'Alice' : undefined) } as unknown as SlackDeskApi;
      const events = new SlackDeskEvents({ agents, api, channel: 'CDESK', logger: pino({ level: 'silent' }) });
      const event = (e: Record<string, unknown>) => ({ type: 'event_callback', event: { type: 'message', channel: 'CDESK', ...e } });
      assert.ok(events.owns(event({})));
      assert.ok(!events.owns({ type: 'event_callback', event: { type: 'message', channel: 'D1' } }));
      assert.ok(events.owns({ type: 'block_actions', actions: [{ action_id: 'handoff_claim' }] }));
      assert.ok(!events.owns({ type: 'block_actions', actions: [{ action_id: 'sb_reply_0' }] }));

      await events.handle(event({ user: 'UA', ts: '2.0', thread_ts: '1.0', text: 'hi &lt;3' }));
      await events.handle(event({ user: 'UA', ts: '3.0', text: 'top-level chatter' }));
      await events.handle(event({ bot_id: 'B1', ts: '4.0', thread_ts: '1.0', text: 'our own post' }));
      await events.handle(event({ user: 'UA', ts: '5.0', thread_ts: '1.0', subtype: 'message_changed' }));
      assert.deepEqual(calls, [[{ channel: 'CDESK', ts: '1.0' }, { id: 'UA', name: 'Alice' }, 'hi <3', 'slack:CDESK:2.0']]);
    });
  });
});
