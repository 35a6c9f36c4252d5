import { isRecord, type JsonObject } from '../../util/json';

/**
 * A structural check of a signed Slack payload before Bolt sees it. Slack itself never sends
 * these shapes, but a signed request is not proof of a well-formed one (a leaked signing secret,
 * a replaying proxy, a bug upstream), and Bolt reads fields such as `event.user` or
 * `actions[0].action_id` without checking them, so a malformed payload became a 500 (found by
 * the fast-check fuzz suite). Returns what is wrong, or undefined when the payload is usable.
 */
type Json = JsonObject;

const EVENT_STRING_FIELDS = ['type', 'user', 'channel', 'text', 'ts', 'thread_ts', 'event_ts', 'channel_type', 'subtype', 'bot_id', 'team'] as const;

function stringOrAbsent(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function objectOrAbsent(value: unknown): boolean {
  return value === undefined || isRecord(value);
}

/** Events whose fields the bridge reads; other event types are only checked loosely. */
const MESSAGE_EVENTS = new Set(['message', 'app_mention']);

function checkEvent(event: unknown): string | undefined {
  if (!isRecord(event)) return '"event" must be an object';
  if (typeof event.type !== 'string') return '"event.type" must be a string';
  if (!MESSAGE_EVENTS.has(event.type)) {
    // team_join carries a user object, channel_created a channel object: allow both shapes.
    for (const field of ['user', 'channel', 'item'] as const) {
      const value = event[field];
      if (value !== undefined && typeof value !== 'string' && !isRecord(value)) return `"event.${field}" must be a string or an object`;
    }
    return undefined;
  }
  for (const field of EVENT_STRING_FIELDS) {
    if (!stringOrAbsent(event[field])) return `"event.${field}" must be a string`;
  }
  if (event.files !== undefined && !Array.isArray(event.files)) return '"event.files" must be an array';
  if (!objectOrAbsent(event.message) || !objectOrAbsent(event.previous_message)) return '"event.message" must be an object';
  for (const nested of [event.message, event.previous_message] as (Json | undefined)[]) {
    if (nested && (!stringOrAbsent(nested.user) || !stringOrAbsent(nested.text) || !stringOrAbsent(nested.ts) || !stringOrAbsent(nested.thread_ts))) {
      return '"event.message" fields must be strings';
    }
  }
  return undefined;
}

function checkInteraction(body: Json): string | undefined {
  if (!isRecord(body.user) || typeof body.user.id !== 'string') return '"user.id" must be a string';
  if (!objectOrAbsent(body.team) && body.team !== null) return '"team" must be an object';
  if (!objectOrAbsent(body.channel) || (isRecord(body.channel) && typeof body.channel.id !== 'string')) return '"channel.id" must be a string';
  if (!objectOrAbsent(body.container) || !objectOrAbsent(body.message)) return '"container" and "message" must be objects';
  if (body.type === 'block_actions') {
    if (!Array.isArray(body.actions) || body.actions.length === 0) return '"actions" must be a non-empty array';
    for (const action of body.actions as unknown[]) {
      if (!isRecord(action) || typeof action.action_id !== 'string') return 'each action needs a string "action_id"';
      if (!stringOrAbsent(action.value) || !stringOrAbsent(action.block_id) || !stringOrAbsent(action.type)) return 'action fields must be strings';
    }
  }
  return undefined;
}

/** Payload kinds the bridge handles; anything else is acknowledged and dropped. */
export const HANDLED_PAYLOAD_TYPES = new Set(['event_callback', 'block_actions']);

export function checkSlackPayload(body: Json): string | undefined {
  if (typeof body.type !== 'string') return '"type" must be a string';
  if (body.type === 'event_callback') {
    if (!stringOrAbsent(body.event_id) || !stringOrAbsent(body.team_id)) return '"event_id" and "team_id" must be strings';
    return checkEvent(body.event);
  }
  if (body.type === 'block_actions') return checkInteraction(body);
  return undefined;
}
