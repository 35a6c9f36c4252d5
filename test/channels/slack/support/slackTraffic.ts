import { Writable } from 'node:stream';
import pino from 'pino';
import { createApp, type BotApp } from '../../../../src/app';
import { loadConfig } from '../../../../src/config/config';
import { signatureOf } from '../../../../src/channels/slack/signature';
import { TEST_APP_ENV } from '../../../support/testApp';
import { STUB_IDENTITY, type SlackApiCall, type SlackApiStub } from '../../../support/slackApiStub';

/** Signs test requests; the bot under test is configured with the same secret. */
export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const TEAM = STUB_IDENTITY.team_id;
export const BOT_USER = STUB_IDENTITY.user_id;

let sequence = 0;
const next = (): number => ++sequence;
/** A fresh Slack-looking ts ("seconds.micro"), unique within the run. */
export const newTs = (): string => `${Math.floor(Date.now() / 1000)}.${String(next()).padStart(6, '0')}`;

export interface PostOptions {
  retryNum?: number;
  /** Unix seconds in X-Slack-Request-Timestamp (default: now). */
  timestamp?: number;
  /** Replaces the computed signature; `null` leaves the header out. */
  signature?: string | null;
  secret?: string;
}

export interface PostResult {
  status: number;
  text: string;
  ms: number;
}

/** Sends Slack-shaped, signed requests to the bot's POST /api/slack/events. */
export class SlackSender {
  constructor(
    private readonly baseUrl: string,
    private readonly secret = SIGNING_SECRET,
  ) {}

  /** Builds the signed request for a JSON event without sending it (benchmarks send from a worker). */
  signedEvent(envelope: object, options: PostOptions = {}): SignedRequest {
    return this.signed(JSON.stringify(envelope), 'application/json', options);
  }

  private signed(body: string, contentType: string, options: PostOptions): SignedRequest {
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = { 'content-type': contentType, 'x-slack-request-timestamp': timestamp };
    const signature = options.signature === undefined ? signatureOf(options.secret ?? this.secret, timestamp, body) : options.signature;
    if (signature !== null) headers['x-slack-signature'] = signature;
    if (options.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(options.retryNum);
      headers['x-slack-retry-reason'] = 'http_timeout';
    }
    return { url: `${this.baseUrl}/api/slack/events`, headers, body };
  }

  /** An Events API delivery (JSON). */
  event(envelope: object, options: PostOptions = {}): Promise<PostResult> {
    return this.raw(JSON.stringify(envelope), 'application/json', options);
  }

  /** An interactivity delivery (form-encoded `payload=<json>`). */
  interaction(payload: object, options: PostOptions = {}): Promise<PostResult> {
    return this.raw(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded', options);
  }

  async raw(body: string, contentType: string, options: PostOptions = {}): Promise<PostResult> {
    const request = this.signed(body, contentType, options);
    const started = process.hrtime.bigint();
    const response = await fetch(request.url, { method: 'POST', headers: request.headers, body });
    const text = await response.text();
    return { status: response.status, text, ms: Number(process.hrtime.bigint() - started) / 1e6 };
  }
}

/** A signed request as Slack would send it, ready for any HTTP client. */
export interface SignedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Wraps a Slack event in an Events API envelope with a fresh event_id. */
export function envelope(event: Record<string, unknown>, eventId = `Ev${String(next()).padStart(8, '0')}`): Record<string, unknown> {
  return {
    token: 'legacy-verification-token',
    team_id: TEAM,
    api_app_id: 'A0TEST',
    event: { event_ts: event.ts, ...event },
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: TEAM, user_id: BOT_USER, is_bot: true }],
  };
}

/** A person's DM to the bot. */
export function dm(user: string, channel: string, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return envelope({ type: 'message', channel_type: 'im', channel, user, text, ts: newTs(), team: TEAM, ...extra });
}

/** A person's @mention of the bot in a channel (as app_mention). */
export function mention(user: string, channel: string, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return envelope({ type: 'app_mention', channel, user, text: `<@${BOT_USER}> ${text}`, ts: newTs(), team: TEAM, ...extra });
}

/** A person's plain message in a channel (message.channels), e.g. a thread follow-up. */
export function channelMessage(user: string, channel: string, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return envelope({ type: 'message', channel_type: 'channel', channel, user, text, ts: newTs(), team: TEAM, ...extra });
}

interface PostedButton {
  action_id: string;
  value: string;
  text: { text: string };
}

/** The block_actions payload Slack sends when `user` clicks the button labelled `label` on a posted message. */
export function click(posted: SlackApiCall, label: string, user: string): Record<string, unknown> {
  const blocks = (posted.params.blocks ?? []) as Array<{ type: string; elements?: PostedButton[] }>;
  const button = blocks.flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : [])).find((e) => e.text.text === label);
  if (!button) throw new Error(`no button "${label}" in ${JSON.stringify(blocks)}`);
  const ts = (posted.response as { ts: string }).ts;
  const channel = String(posted.params.channel);
  const threadTs = posted.params.thread_ts as string | undefined;
  return {
    type: 'block_actions',
    user: { id: user, username: user, team_id: TEAM },
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false, ...(threadTs ? { thread_ts: threadTs } : {}) },
    trigger_id: `trigger-${next()}`,
    team: { id: TEAM, domain: 'test' },
    channel: { id: channel, name: channel.startsWith('D') ? 'directmessage' : 'support' },
    message: {
      type: 'message',
      user: BOT_USER,
      bot_id: STUB_IDENTITY.bot_id,
      ts,
      text: posted.params.text,
      blocks,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    },
    response_url: 'http://127.0.0.1:1/response',
    actions: [{ ...button, type: 'button', block_id: 'sb_suggested', action_ts: `${Date.now() / 1000}` }],
  };
}

/** Captures log lines (as parsed JSON) from a pino logger, for asserting on log output. */
export function capturingLogger(level = 'info'): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

export interface SlackTestApp {
  app: BotApp;
  url: string;
  sender: SlackSender;
  /** Waits until every accepted Slack delivery was fully processed. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Settings for a test app whose Slack channel (HTTP mode) talks to the stand-in. */
export function slackTestEnv(stub: SlackApiStub): Record<string, string> {
  return {
    ...TEST_APP_ENV,
    LOG_LEVEL: 'silent',
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: stub.url,
    SLACK_POST_INTERVAL_MS: '0',
  };
}

/** The real bot (createApp, real recognizer) with Slack in HTTP mode against the stand-in. */
export async function startSlackApp(stub: SlackApiStub, env: Record<string, string> = {}, logger?: pino.Logger): Promise<SlackTestApp> {
  const config = loadConfig({ ...slackTestEnv(stub), ...env });
  const app = await createApp(config, { logger: logger ?? pino({ level: 'silent' }) });
  const { url } = await app.listen();
  const bridge = app.slack;
  if (!bridge) throw new Error('Slack is not configured');
  return { app, url, sender: new SlackSender(url), idle: () => bridge.idle(), close: () => app.close() };
}

/** Texts of the messages the bot posted (successful chat.postMessage calls), in order. */
export function postedTexts(stub: SlackApiStub): string[] {
  return stub.succeeded('chat.postMessage').map((c) => String(c.params.text));
}
