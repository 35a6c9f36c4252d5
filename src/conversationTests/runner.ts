import type { Activity } from 'botbuilder';
import { createApp, type AppOverrides, type BotApp } from '../app';
import { loadConfig } from '../config/config';
import type { Logger } from '../telemetry/logger';
import { startBackend, type StubBackend } from './backends';
import type { ConversationSpec, TurnSpec } from './format';
import { compileExpected } from './match';
import { renderReply } from './render';

/** The instant every conversation test runs at (activity timestamps and the app's clock). */
export const FIXED_NOW = Date.parse('2026-11-23T10:00:00.000Z');

/** Why a conversation failed: the turn, and what was expected and said, reply by reply. */
export class ConversationMismatch extends Error {
  constructor(
    readonly spec: ConversationSpec,
    readonly turnIndex: number,
    readonly expected: string[],
    readonly actual: string[],
  ) {
    super(formatMismatch(spec, turnIndex, expected, actual));
    this.name = 'ConversationMismatch';
  }
}

function describeTurn(turn: TurnSpec): string {
  if (turn.event === 'join') return '(customer opens the chat)';
  return `${turn.as ? `${turn.as}: ` : ''}user: ${JSON.stringify(turn.user)}`;
}

const COLUMN = 56;

function cell(text: string): string {
  const chars = Array.from(text);
  return chars.length > COLUMN ? `${chars.slice(0, COLUMN - 1).join('')}…` : text + ' '.repeat(COLUMN - chars.length);
}

/** Expected and actual side by side, one row per line, `✗` on replies that differ. */
export function formatMismatch(spec: ConversationSpec, turnIndex: number, expected: string[], actual: string[]): string {
  const turn = spec.turns[turnIndex] as TurnSpec;
  const rows: string[] = [
    `conversation "${spec.name}" (${spec.file}${turn.line ? `:${turn.line}` : ''}), turn ${turnIndex + 1} of ${spec.turns.length}`,
    `  ${describeTurn(turn)}`,
    `    ${cell('expected')} | actual`,
  ];
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    const want = expected[i];
    const got = actual[i];
    const ok = want !== undefined && got !== undefined && compileExpected(want)(got);
    const left = want === undefined ? ['(no reply expected)'] : want.split('\n');
    const right = got === undefined ? ['(no reply)'] : got.split('\n');
    for (let line = 0; line < Math.max(left.length, right.length); line++) {
      const mark = line === 0 ? (ok ? '  ' : '✗ ') : '  ';
      rows.push(`  ${mark}${cell(left[line] ?? '')} | ${right[line] ?? ''}`);
    }
  }
  return rows.join('\n');
}

/** Options of {@link ConversationRunner}. */
export interface ConversationRunnerOptions {
  /** Logger for the bot under test (a silent one in tests). */
  logger: Logger;
  /** Settings under every conversation (the file's `env` wins). */
  baseEnv?: Record<string, string>;
  /** Extra parts for the app (for example a storage to inspect). */
  overrides?: AppOverrides;
}

interface RunningBot {
  app: BotApp;
  url: string;
  backend: StubBackend | undefined;
}

/**
 * Plays conversation files against the real bot (createApp: real recognizer, dialogs, adapter
 * and middleware) over HTTP with `expectReplies`. Conversations with the same settings and
 * backend share one bot; each gets its own conversation and user id.
 */
export class ConversationRunner {
  private readonly bots = new Map<string, Promise<RunningBot>>();
  private sequence = 0;

  constructor(private readonly options: ConversationRunnerOptions) {}

  /**
   * Plays every turn; throws a {@link ConversationMismatch} at the first turn that differs.
   * `onTurn` sees each activity sent and the bot's replies (the recorder uses it).
   */
  async run(spec: ConversationSpec, onTurn?: (sent: Record<string, unknown>, replies: Partial<Activity>[]) => void): Promise<void> {
    const bot = await this.botFor(spec);
    const conversationId = `conversation-test-${++this.sequence}-${spec.name.replace(/\W+/g, '-').toLowerCase()}`;
    let clock = FIXED_NOW;
    for (const [index, turn] of spec.turns.entries()) {
      clock += 1000;
      const activity: Record<string, unknown> =
        turn.event === 'join'
          ? { type: 'conversationUpdate', membersAdded: [{ id: `user-${conversationId}`, name: 'Customer' }] }
          : { type: 'message', text: turn.user };
      const sent: Record<string, unknown> = {
        ...activity,
        id: `${conversationId}-${index + 1}`,
        channelId: spec.channel,
        serviceUrl: 'http://127.0.0.1:1',
        deliveryMode: 'expectReplies',
        from: turn.as
          ? { id: `user-${conversationId}-${turn.as}`, name: turn.as, role: 'user' }
          : { id: `user-${conversationId}`, name: 'Customer', role: 'user' },
        recipient: { id: 'bot', name: 'Order bot', role: 'bot' },
        conversation: spec.group ? { id: conversationId, isGroup: true, conversationType: 'groupChat' } : { id: conversationId },
        timestamp: new Date(clock).toISOString(),
        locale: 'en-US',
      };
      const replies = await post(bot.url, sent);
      onTurn?.(sent, replies);
      const actual = replies.map(renderReply);
      const matches = actual.length === turn.bot.length && turn.bot.every((want, i) => compileExpected(want)(actual[i] as string));
      if (!matches) throw new ConversationMismatch(spec, index, turn.bot, actual);
    }
  }

  /** Stops every bot and stub backend. */
  async close(): Promise<void> {
    const bots = await Promise.allSettled(this.bots.values());
    this.bots.clear();
    for (const result of bots) {
      if (result.status !== 'fulfilled') continue;
      await result.value.app.close();
      await result.value.backend?.close();
    }
  }

  private botFor(spec: ConversationSpec): Promise<RunningBot> {
    const key = JSON.stringify([spec.env, spec.backend]);
    let bot = this.bots.get(key);
    if (!bot) {
      bot = this.start(spec);
      this.bots.set(key, bot);
    }
    return bot;
  }

  private async start(spec: ConversationSpec): Promise<RunningBot> {
    const backend = await startBackend(spec.backend);
    const env = { ...this.options.baseEnv, PORT: '0', HOST: '127.0.0.1', ...spec.env, ...backend?.env };
    try {
      const app = await createApp(loadConfig(env), { logger: this.options.logger, now: () => FIXED_NOW, ...this.options.overrides });
      const { url } = await app.listen();
      return { app, url, backend };
    } catch (err) {
      await backend?.close();
      throw err;
    }
  }
}

async function post(baseUrl: string, body: Record<string, unknown>): Promise<Partial<Activity>[]> {
  const response = await fetch(`${baseUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST /api/messages answered ${response.status}: ${text}`);
  const activities = (text ? (JSON.parse(text) as { activities?: Partial<Activity>[] }).activities : undefined) ?? [];
  return activities.filter((a) => a.type === 'message');
}
