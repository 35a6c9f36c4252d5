import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Activity } from 'botbuilder';
import { parse as parseYaml } from 'yaml';
import { compileExpected, literalExpected } from './match';
import { renderReply } from './render';

/**
 * What the bot's order backend is during a conversation:
 * - `sample`: the sample file (ORDERS_FILE, data/orders.json by default);
 * - `down`: a local HTTP orders API that answers every call with 500;
 * - `unreachable`: a local HTTP orders API that closes every connection without an answer;
 * - `{ orders: [...] }`: a local HTTP orders API that serves exactly these orders.
 */
export type BackendSpec = 'sample' | 'down' | 'unreachable' | { orders: Record<string, unknown>[] };

/** One step: what the customer does and the replies expected, in order. */
export interface TurnSpec {
  /** A message the customer types (or the value of the button they press). */
  user?: string;
  /** `join`: the customer opens the chat (a conversationUpdate adding them). */
  event?: 'join';
  /** Who speaks, in a group conversation (`group: true`): each name is another person. */
  as?: string;
  /** Expected replies, each compared with `renderReply` of the bot's reply (see match.ts). */
  bot: string[];
  /** Line in the file, for messages. */
  line?: number;
}

/** One conversation test, from a YAML file or an Emulator transcript. */
export interface ConversationSpec {
  name: string;
  file: string;
  description?: string;
  /** Channel id of the activities (default `emulator`, which shows cards and buttons). */
  channel: string;
  /** Bot settings for this conversation, over the suite's defaults (for example a policy). */
  env: Record<string, string>;
  backend: BackendSpec;
  /** A group conversation (a group chat: `isGroup`), where turns may name their speaker with `as:`. */
  group?: boolean;
  turns: TurnSpec[];
}

/** Folder-wide defaults: `_defaults.yml` in the conversations folder. */
export interface SuiteDefaults {
  channel?: string;
  env?: Record<string, string>;
  backend?: BackendSpec;
}

export const DEFAULTS_FILE = '_defaults.yml';

class FormatError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
  }
}

function asStringMap(value: unknown, file: string, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new FormatError(file, `"${field}" must be a map of setting name to value`);
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

function asBackend(value: unknown, file: string): BackendSpec | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'sample' || value === 'down' || value === 'unreachable') return value;
  if (typeof value === 'object' && !Array.isArray(value) && Array.isArray((value as { orders?: unknown }).orders)) {
    return { orders: (value as { orders: Record<string, unknown>[] }).orders };
  }
  throw new FormatError(file, '"backend" must be sample, down, unreachable or { orders: [...] }');
}

function asReplies(value: unknown, file: string, where: string): string[] {
  if (value === undefined) throw new FormatError(file, `${where}: "bot" is missing (use bot: [] when no reply is expected)`);
  const replies = Array.isArray(value) ? value : [value];
  return replies.map((reply, i) => {
    if (typeof reply !== 'string' && typeof reply !== 'number' && typeof reply !== 'boolean') {
      throw new FormatError(
        file,
        `${where}: reply ${i + 1} must be text; quote it ('...' or "...") or use a | block when it holds ": ", starts with a special character or is yes/no`,
      );
    }
    const text = String(reply);
    try {
      compileExpected(text);
    } catch (err) {
      throw new FormatError(file, `${where}: reply ${i + 1}: ${(err as Error).message}`);
    }
    return text;
  });
}

/** Reads `_defaults.yml` of a folder, if there is one. */
export function readDefaults(folder: string): SuiteDefaults {
  const file = path.join(folder, DEFAULTS_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const raw = (parseYaml(text) ?? {}) as Record<string, unknown>;
  const backend = asBackend(raw.backend, file);
  return {
    ...(typeof raw.channel === 'string' ? { channel: raw.channel } : {}),
    env: asStringMap(raw.env, file, 'env'),
    ...(backend ? { backend } : {}),
  };
}

/** Parses a YAML conversation file; errors name the file and the turn. */
export function parseConversationYaml(text: string, file: string, defaults: SuiteDefaults = {}): ConversationSpec {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new FormatError(file, `not valid YAML: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new FormatError(file, 'expected a map with "name" and "turns"');
  const doc = raw as Record<string, unknown>;
  if (!Array.isArray(doc.turns) || doc.turns.length === 0) throw new FormatError(file, '"turns" must be a non-empty list');
  const lines = text.split('\n');
  let searchFrom = 0;
  const turns = doc.turns.map((item: unknown, index): TurnSpec => {
    const where = `turn ${index + 1}`;
    if (!item || typeof item !== 'object') throw new FormatError(file, `${where}: expected "user:" or "event: join", and "bot:"`);
    const turn = item as Record<string, unknown>;
    const bot = asReplies(turn.bot, file, where);
    // The line of the turn, found by scanning forward for its "user:"/"event:" key.
    const lineIndex = lines.findIndex((l, i) => i >= searchFrom && /^\s*-\s*(user|event)\s*:/.test(l));
    if (lineIndex >= 0) searchFrom = lineIndex + 1;
    const line = lineIndex >= 0 ? { line: lineIndex + 1 } : {};
    if (turn.event !== undefined) {
      if (turn.event !== 'join') throw new FormatError(file, `${where}: the only event is "join"`);
      return { event: 'join', bot, ...line };
    }
    if (turn.user === undefined || turn.user === null) throw new FormatError(file, `${where}: "user" is missing`);
    if (turn.as !== undefined && doc.group !== true) throw new FormatError(file, `${where}: "as" needs "group: true" (one person per conversation otherwise)`);
    if (turn.as !== undefined && (typeof turn.as !== 'string' || !/^[A-Za-z][\w-]{0,39}$/.test(turn.as))) {
      throw new FormatError(file, `${where}: "as" must be a name of letters, digits, "-" or "_"`);
    }
    return { user: String(turn.user), bot, ...(typeof turn.as === 'string' ? { as: turn.as } : {}), ...line };
  });
  return {
    name: typeof doc.name === 'string' ? doc.name : path.basename(file),
    file,
    ...(typeof doc.description === 'string' ? { description: doc.description.trim() } : {}),
    channel: typeof doc.channel === 'string' ? doc.channel : (defaults.channel ?? 'emulator'),
    env: { ...defaults.env, ...asStringMap(doc.env, file, 'env') },
    backend: asBackend(doc.backend, file) ?? defaults.backend ?? 'sample',
    ...(doc.group === true ? { group: true } : {}),
    turns,
  };
}

/**
 * Turns an Emulator `.transcript` (a JSON array of activities as saved by "Save transcript")
 * into a conversation: each customer message is a turn, and the bot's messages up to the next
 * customer message are its expected replies, compared literally in their rendered form.
 */
export function parseTranscript(text: string, file: string, defaults: SuiteDefaults = {}): ConversationSpec {
  let activities: Partial<Activity>[];
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) throw new Error('expected a JSON array of activities');
    activities = parsed as Partial<Activity>[];
  } catch (err) {
    throw new FormatError(file, `not an Emulator transcript: ${(err as Error).message}`);
  }
  const firstUser = activities.find((a) => a.type === 'message' && a.from?.role !== 'bot');
  const botId = firstUser?.recipient?.id;
  const isBot = (a: Partial<Activity>): boolean => a.from?.role === 'bot' || (botId !== undefined && a.from?.id === botId);
  const turns: TurnSpec[] = [];
  for (const activity of activities) {
    if (activity.type === 'conversationUpdate' && !isBot(activity) && (activity.membersAdded ?? []).some((m) => m.id !== botId)) {
      turns.push({ event: 'join', bot: [] });
    } else if (activity.type === 'message' && !isBot(activity)) {
      turns.push({ user: activity.text ?? '', bot: [] });
    } else if (activity.type === 'message' && isBot(activity)) {
      const current = turns[turns.length - 1];
      if (!current) throw new FormatError(file, 'the transcript starts with a bot message before anything from the customer');
      current.bot.push(literalExpected(renderReply(activity)));
    }
  }
  if (turns.length === 0) throw new FormatError(file, 'no customer message in the transcript');
  return {
    name: path.basename(file, path.extname(file)),
    file,
    channel: firstUser?.channelId ?? defaults.channel ?? 'emulator',
    env: { ...defaults.env },
    backend: defaults.backend ?? 'sample',
    turns,
  };
}

/** A file of the folder: its conversation, or why it could not be read. */
export type LoadedConversation = { file: string; spec: ConversationSpec } | { file: string; error: Error };

/**
 * Every conversation file in a folder (recursively): `*.yml`, `*.yaml`, `*.transcript`; files
 * whose name starts with `_` are settings, not conversations. A file that cannot be read is
 * returned with its error, so one broken file fails its own test instead of the whole suite.
 */
export function loadConversations(folder: string): LoadedConversation[] {
  const defaults = readDefaults(folder);
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.(ya?ml|transcript)$/i.test(name) && !path.basename(name).startsWith('_'))
    .sort()
    .map((name): LoadedConversation => {
      const file = path.join(folder, name);
      try {
        const text = readFileSync(file, 'utf8');
        const spec = /\.transcript$/i.test(name) ? parseTranscript(text, file, defaults) : parseConversationYaml(text, file, defaults);
        return { file, spec };
      } catch (error) {
        return { file, error: error as Error };
      }
    });
}
