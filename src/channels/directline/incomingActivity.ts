import type { Activity } from 'botbuilder';

/** Activity types a Direct Line client may post. */
const ALLOWED_TYPES = new Set(['message', 'event', 'typing']);

/**
 * Fields copied from a client's activity. Everything else (id, conversation, recipient,
 * serviceUrl, channelId, timestamp, from.role) is set by the server: a client must not be able
 * to address another conversation or pose as the bot.
 */
const COPIED_FIELDS = [
  'text',
  'textFormat',
  'locale',
  'localTimestamp',
  'localTimezone',
  'channelData',
  'value',
  'name',
  'attachments',
  'entities',
  'speak',
  'inputHint',
] as const;

/** Longest user id or name accepted from a client. */
const MAX_ID_LENGTH = 128;

export type CheckedActivity = { ok: true; activity: Partial<Activity> } | { ok: false; reason: string };

/**
 * Validates and copies a posted activity. `boundUserId` is the token's user: it always wins
 * over the body's `from.id`. With the secret (no bound user) the body must name the user.
 */
export function checkIncomingActivity(body: unknown, boundUserId: string | undefined): CheckedActivity {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, reason: 'The body must be a JSON activity object sent with Content-Type: application/json.' };
  }
  const input = body as Record<string, unknown>;
  if (typeof input.type !== 'string' || !ALLOWED_TYPES.has(input.type)) {
    return { ok: false, reason: `"type" must be one of ${[...ALLOWED_TYPES].join(', ')}.` };
  }
  if (input.text !== undefined && input.text !== null && typeof input.text !== 'string') return { ok: false, reason: '"text" must be a string.' };
  if (input.attachments !== undefined && !Array.isArray(input.attachments)) return { ok: false, reason: '"attachments" must be an array.' };
  if (input.entities !== undefined && !Array.isArray(input.entities)) return { ok: false, reason: '"entities" must be an array.' };
  if (input.channelData !== undefined && (typeof input.channelData !== 'object' || input.channelData === null)) {
    return { ok: false, reason: '"channelData" must be an object.' };
  }
  const from = (input.from && typeof input.from === 'object' ? input.from : {}) as Record<string, unknown>;
  const claimedId = typeof from.id === 'string' ? from.id : undefined;
  const userId = boundUserId ?? claimedId;
  if (!userId || userId.length > MAX_ID_LENGTH) {
    return { ok: false, reason: '"from.id" is required (1 to 128 characters) when posting with the secret.' };
  }
  const name = typeof from.name === 'string' ? from.name.slice(0, MAX_ID_LENGTH) : undefined;

  const activity: Record<string, unknown> = { type: input.type };
  for (const field of COPIED_FIELDS) if (input[field] !== undefined) activity[field] = input[field];
  activity.from = { id: userId, ...(name ? { name } : {}), role: 'user' };
  return { ok: true, activity: activity as Partial<Activity> };
}

/** Validates the optional `user` of a start-conversation or generate-token body. */
export function requestedUser(body: unknown): { id?: string; error?: string } {
  const user = body && typeof body === 'object' ? (body as { user?: unknown }).user : undefined;
  if (user === undefined || user === null) return {};
  const id = (user as { id?: unknown }).id;
  if (id === undefined || id === null) return {};
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
    return { error: '"user.id" must be a string of 1 to 128 characters.' };
  }
  return { id };
}
