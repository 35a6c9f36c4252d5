import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { fromBlockActions, fromEventCallback, type BotIdentity } from '../../../src/channels/slack/inbound';
import { REQUIRED_BOT_EVENTS, REQUIRED_BOT_SCOPES } from '../../../src/channels/slack/manifest';
import { ChannelPacer, YieldingStarter } from '../../../src/channels/slack/pacer';
import { checkSlackSignature, signatureOf } from '../../../src/channels/slack/signature';
import { MemoryKeyStore } from '../../../src/channels/slack/store/EventDeduplicator';
import { readSlackConfig } from '../../../src/config/slack';
import { fromRoot } from '../../../src/paths';

const identity: BotIdentity = { botUserId: 'UBOT', botId: 'BBOT', apiUrl: 'https://slack.com/api/' };

describe('Slack parts: config, manifest, signature, pacing, dedupe store, event mapping', () => {
  describe('readSlackConfig', () => {
    it('should leave Slack off when no SLACK_* setting is given', () => {
      assert.equal(readSlackConfig({}), undefined);
    });

    it('should choose HTTP mode with a signing secret and Socket Mode with an app token', () => {
      const http = readSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' });
      const socket = readSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' });

      assert.deepEqual(http, {
        mode: 'http',
        botToken: 'xoxb-1',
        signingSecret: 's',
        apiUrl: 'https://slack.com/api/',
        postIntervalMs: 1000,
        apiRetries: 10,
        deliveryLeaseMs: 60_000,
      });
      assert.equal(socket?.mode, 'socket');
      assert.equal(socket?.appToken, 'xapp-1');
    });

    it('should end SLACK_API_URL with a slash, as the Web API client joins method names onto it', () => {
      assert.equal(
        readSlackConfig({ SLACK_BOT_TOKEN: 'x', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: 'http://127.0.0.1:9/api' })?.apiUrl,
        'http://127.0.0.1:9/api/',
      );
    });

    it('should refuse incomplete or malformed settings, naming the setting to fix', () => {
      const cases: Array<[Record<string, string>, RegExp]> = [
        [{ SLACK_SIGNING_SECRET: 's' }, /^SLACK_BOT_TOKEN: /],
        [{ SLACK_BOT_TOKEN: 'xoxb-1' }, /^SLACK_SIGNING_SECRET: .*SLACK_APP_TOKEN/],
        [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xoxb-2' }, /^SLACK_APP_TOKEN: .*xapp-/],
        [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: 'ftp://x' }, /^SLACK_API_URL: /],
        [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_POST_INTERVAL_MS: 'soon' }, /^SLACK_POST_INTERVAL_MS: /],
      ];
      for (const [env, message] of cases) {
        assert.throws(
          () => readSlackConfig(env),
          (error: Error & { code?: string }) => error.code === 'CONFIG_INVALID' && message.test(error.message),
          JSON.stringify(env),
        );
      }
    });
  });

  describe('slack-app-manifest.yml', () => {
    it('should grant every scope and subscribe to every event the bridge needs, with interactivity on', () => {
      const manifest = parse(readFileSync(fromRoot('slack-app-manifest.yml'), 'utf8')) as {
        oauth_config: { scopes: { bot: string[] } };
        settings: { event_subscriptions: { bot_events: string[]; request_url: string }; interactivity: { is_enabled: boolean; request_url: string } };
      };

      assert.deepEqual([...manifest.oauth_config.scopes.bot].sort(), [...REQUIRED_BOT_SCOPES].sort());
      assert.deepEqual([...manifest.settings.event_subscriptions.bot_events].sort(), [...REQUIRED_BOT_EVENTS].sort());
      assert.equal(manifest.settings.interactivity.is_enabled, true);
      assert.match(manifest.settings.event_subscriptions.request_url, /\/api\/slack\/events$/);
      assert.match(manifest.settings.interactivity.request_url, /\/api\/slack\/events$/);
    });
  });

  describe('checkSlackSignature', () => {
    const body = Buffer.from('{"type":"event_callback"}');
    const now = 1_700_000_000_000;
    const at = (seconds: number): string => String(Math.floor(now / 1000) + seconds);

    it('should accept a correct signature inside the five-minute window on either side', () => {
      for (const offset of [0, -299, 299]) {
        const timestamp = at(offset);
        assert.equal(
          checkSlackSignature({ signingSecret: 's', rawBody: body, timestamp, signature: signatureOf('s', timestamp, body), nowMs: now }),
          undefined,
        );
      }
    });

    it('should refuse missing headers, a bad timestamp, a replay outside the window and a wrong signature', () => {
      const good = signatureOf('s', at(0), body);
      assert.match(String(checkSlackSignature({ signingSecret: 's', rawBody: body, timestamp: undefined, signature: good, nowMs: now })), /missing/);
      assert.match(String(checkSlackSignature({ signingSecret: 's', rawBody: body, timestamp: 'yesterday', signature: good, nowMs: now })), /not a Unix time/);
      assert.match(
        String(checkSlackSignature({ signingSecret: 's', rawBody: body, timestamp: at(-301), signature: signatureOf('s', at(-301), body), nowMs: now })),
        /5 minutes/,
      );
      assert.match(
        String(checkSlackSignature({ signingSecret: 's', rawBody: body, timestamp: at(0), signature: signatureOf('t', at(0), body), nowMs: now })),
        /mismatch/,
      );
      assert.match(String(checkSlackSignature({ signingSecret: 's', rawBody: body, timestamp: at(0), signature: `${good}0`, nowMs: now })), /mismatch/);
    });
  });

  describe('ChannelPacer', () => {
    it('should start tasks of one channel at least the interval apart and in order, other channels at once', async () => {
      let clock = 0;
      const sleeps: number[] = [];
      const pacer = new ChannelPacer({
        intervalMs: 1000,
        now: () => clock,
        sleep: async (ms) => {
          sleeps.push(ms);
          clock += ms;
        },
      });
      const started: Array<[string, number]> = [];
      const task = (name: string) => async () => {
        started.push([name, clock]);
        return name;
      };

      const results = await Promise.all([pacer.run('C1', task('a')), pacer.run('C1', task('b')), pacer.run('C2', task('x')), pacer.run('C1', task('c'))]);

      assert.deepEqual(results, ['a', 'b', 'x', 'c']);
      const c1 = started.filter(([name]) => name !== 'x').map(([, at]) => at);
      assert.deepEqual(
        started.filter(([name]) => name !== 'x').map(([name]) => name),
        ['a', 'b', 'c'],
      );
      for (let i = 1; i < c1.length; i++) assert.ok(c1[i]! - c1[i - 1]! >= 1000);
      assert.equal(sleeps.length, 2, 'only the C1 followers waited');
    });
  });

  describe('YieldingStarter', () => {
    it('should let work that arrives while a turn starts run before the next turn starts', async () => {
      const starter = new YieldingStarter();
      const order: string[] = [];

      await Promise.all([
        starter.run(async () => {
          order.push('turn A');
          setImmediate(() => order.push('ack that arrived meanwhile'));
        }),
        starter.run(async () => {
          order.push('turn B');
        }),
      ]);

      assert.deepEqual(order, ['turn A', 'ack that arrived meanwhile', 'turn B']);
    });

    it('should pass results and failures through', async () => {
      const starter = new YieldingStarter();

      assert.equal(await starter.run(async () => 42), 42);
      await assert.rejects(
        starter.run(async () => Promise.reject(new Error('nope'))),
        /nope/,
      );
    });
  });

  describe('MemoryKeyStore', () => {
    it('should let exactly one of many concurrent claims win, until the claim expires', async () => {
      let clock = 0;
      const store = new MemoryKeyStore(() => clock);

      const results = await Promise.all(Array.from({ length: 10 }, () => store.claim('event:T:Ev1', 1000)));
      assert.equal(results.filter(Boolean).length, 1);
      clock = 999;
      assert.equal(await store.claim('event:T:Ev1', 1000), false);
      clock = 1000;
      assert.equal(await store.claim('event:T:Ev1', 1000), true);
    });

    it('should remember threads until they expire, and sweep expired keys', async () => {
      let clock = 0;
      const store = new MemoryKeyStore(() => clock, 2);
      await store.remember('thread:a', 100);
      assert.equal(await store.isActive('thread:a'), true);
      assert.equal(await store.isActive('thread:b'), false);
      clock = 100;
      assert.equal(await store.isActive('thread:a'), false);

      await store.remember('thread:c', 100);
      assert.equal(store.size, 1, 'the expired key was swept on the second write');
    });
  });

  describe('event mapping', () => {
    const envelope = (event: Record<string, unknown>) => ({ type: 'event_callback', team_id: 'T1', event_id: 'Ev1', event });

    it('should map a DM to a message activity for the same bot, with Slack ids and channel data', () => {
      const inbound = fromEventCallback(
        envelope({ type: 'message', channel_type: 'im', channel: 'D1', user: 'U1', text: 'hi &amp; bye', ts: '1700000000.000100' }),
        identity,
      );

      assert.equal(inbound.kind, 'turn');
      if (inbound.kind !== 'turn') return;
      const { activity } = inbound;
      assert.equal(activity.type, 'message');
      assert.equal(activity.channelId, 'slack');
      assert.equal(activity.text, 'hi & bye');
      assert.equal(activity.conversation?.id, 'T1:D1');
      assert.equal(activity.conversation?.conversationType, 'personal');
      assert.equal(activity.from?.id, 'T1:U1');
      assert.equal(activity.recipient?.id, 'T1:UBOT');
      assert.equal(activity.id, '1700000000.000100');
      assert.equal(activity.serviceUrl, 'https://slack.com/api/');
      assert.equal(inbound.dedupeKey, 'event:T1:Ev1');
      assert.equal((activity.channelData as { slack: { channel: string } }).slack.channel, 'D1');
    });

    it('should give a channel mention its own thread conversation and remember the thread for the asker', () => {
      const inbound = fromEventCallback(envelope({ type: 'app_mention', channel: 'C1', user: 'U1', text: '<@UBOT> order 12345', ts: '5.1' }), identity);

      assert.equal(inbound.kind, 'turn');
      if (inbound.kind !== 'turn') return;
      assert.equal(inbound.activity.conversation?.id, 'T1:C1:5.1');
      assert.equal(inbound.activity.text, 'order 12345');
      assert.equal(inbound.remembersThread, 'thread:T1:C1:5.1:U1');
    });

    it("should use the user's own workspace for people from another workspace (Slack Connect)", () => {
      const inbound = fromEventCallback(
        envelope({ type: 'message', channel_type: 'im', channel: 'D1', user: 'U9', user_team: 'T9', text: 'hi', ts: '1.1' }),
        identity,
      );

      assert.equal(inbound.kind === 'turn' && inbound.activity.from?.id, 'T9:U9');
    });

    it('should ignore what is not a person talking to the bot, saying why', () => {
      const ignored: Array<[Record<string, unknown>, RegExp]> = [
        [{ type: 'message', channel_type: 'im', channel: 'D1', user: 'UBOT', text: 'x', ts: '1' }, /bot/],
        [{ type: 'message', channel_type: 'im', channel: 'D1', bot_id: 'B2', text: 'x', ts: '1' }, /bot/],
        [{ type: 'message', subtype: 'channel_join', channel: 'C1', user: 'U1', ts: '1' }, /subtype channel_join/],
        [{ type: 'message', channel_type: 'channel', channel: 'C1', user: 'U1', text: 'x', ts: '1' }, /without a mention/],
        [{ type: 'message', channel_type: 'channel', channel: 'C1', user: 'U1', text: '<@UBOT> x', ts: '1' }, /app_mention/],
        [{ type: 'reaction_added', user: 'U1' }, /event type reaction_added/],
      ];
      for (const [event, reason] of ignored) {
        const inbound = fromEventCallback(envelope(event), identity);
        assert.equal(inbound.kind, 'ignore', JSON.stringify(event));
        assert.match(inbound.kind === 'ignore' ? inbound.reason : '', reason);
      }
    });

    it('should map edits and deletions to messageUpdate and messageDelete activities', () => {
      const edit = fromEventCallback(
        envelope({
          type: 'message',
          subtype: 'message_changed',
          channel_type: 'im',
          channel: 'D1',
          message: { user: 'U1', text: 'new', ts: '3.3' },
          previous_message: { user: 'U1', text: 'old', ts: '3.3' },
        }),
        identity,
      );
      const deletion = fromEventCallback(
        envelope({
          type: 'message',
          subtype: 'message_deleted',
          channel_type: 'im',
          channel: 'D1',
          deleted_ts: '3.3',
          previous_message: { user: 'U1', text: 'old', ts: '3.3' },
        }),
        identity,
      );

      assert.equal(edit.kind === 'turn' && edit.activity.type, 'messageUpdate');
      assert.equal(edit.kind === 'turn' && edit.activity.text, 'new');
      assert.equal(edit.kind === 'turn' && edit.activity.id, '3.3');
      assert.equal(deletion.kind === 'turn' && deletion.activity.type, 'messageDelete');
      assert.equal(deletion.kind === 'turn' && deletion.activity.id, '3.3');
    });

    it('should map a click on a suggested action to the button value as text, claimed once per message', () => {
      const body = {
        type: 'block_actions',
        user: { id: 'U1', team_id: 'T1' },
        team: { id: 'T1' },
        channel: { id: 'C1', name: 'support' },
        container: { type: 'message', message_ts: '7.7', channel_id: 'C1', thread_ts: '5.1' },
        message: { ts: '7.7', thread_ts: '5.1', text: 'Is that correct?', blocks: [] },
        actions: [{ action_id: 'sb_reply_0', type: 'button', value: 'Yes', text: { type: 'plain_text', text: 'Yes' }, action_ts: '8.8' }],
      };

      const inbound = fromBlockActions(body, identity);

      assert.equal(inbound.kind, 'turn');
      if (inbound.kind !== 'turn') return;
      assert.equal(inbound.activity.text, 'Yes');
      assert.equal(inbound.activity.conversation?.id, 'T1:C1:5.1');
      assert.equal(inbound.dedupeKey, 'action:T1:C1:7.7');
      assert.deepEqual(inbound.clicked && { channel: inbound.clicked.channel, ts: inbound.clicked.ts, label: inbound.clicked.label }, {
        channel: 'C1',
        ts: '7.7',
        label: 'Yes',
      });
      assert.equal(fromBlockActions({ ...body, actions: [{ action_id: 'sb_open_link', type: 'button', url: 'https://x' }] }, identity).kind, 'ignore');
    });
  });
});
