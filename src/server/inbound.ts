import type { IncomingMessage } from 'node:http';
import type { ErrorCode } from '../errors';
import { isRecord } from '../util/json';

/**
 * The one gate every inbound activity passes before anything stores or processes it, on every
 * public route (`/api/messages`, the self-hosted Direct Line, Slack): body size, JSON nesting
 * depth, text length, attachment count and shape. A refused request gets a 4xx whose body names
 * the limit; nothing of it is kept.
 */

/** Limits of the inbound gate (MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_MESSAGE_CHARS, MAX_ATTACHMENTS). */
export interface InboundLimits {
  /** Largest request body, in bytes. */
  maxBodyBytes: number;
  /** Deepest nesting of objects and arrays in a JSON body. */
  maxJsonDepth: number;
  /** Longest `text` of an activity, in characters. */
  maxMessageChars: number;
  /** Most attachments one activity may carry. */
  maxAttachments: number;
}

/** Default JSON nesting depth: an activity with an Adaptive Card submit value needs about 10. */
export const DEFAULT_MAX_JSON_DEPTH = 32;

/** Why a request was refused: the HTTP status, a catalogue code and a sentence for the caller. */
export interface InboundRefusal {
  status: 400 | 413;
  code: Extract<ErrorCode, 'REQUEST_INVALID' | 'PAYLOAD_TOO_LARGE' | 'JSON_TOO_DEEP' | 'MESSAGE_TOO_LONG' | 'TOO_MANY_ATTACHMENTS'>;
  message: string;
}

export type BodyResult = { ok: true; value: unknown } | { ok: false; refusal: InboundRefusal };

/**
 * True when the JSON text nests objects/arrays deeper than `maxDepth`. A linear scan of the
 * text, without recursion, run before JSON.parse: 5,000-deep JSON parses fine but then
 * overflows the stack of every recursive walker (JSON.stringify, structuredClone, the SDK).
 */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Depth of an already-parsed value, walked with an explicit stack (stops past `maxDepth`). */
export function valueDepthExceeds(value: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (!node || typeof node !== 'object') continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Object.values(node as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Checks a JSON text's size and depth, then parses it. Empty text is `undefined`. */
export function parseJsonText(text: string, limits: Pick<InboundLimits, 'maxBodyBytes' | 'maxJsonDepth'>): BodyResult {
  if (Buffer.byteLength(text, 'utf8') > limits.maxBodyBytes) return { ok: false, refusal: tooLarge(limits.maxBodyBytes) };
  if (text.trim() === '') return { ok: true, value: undefined };
  if (jsonDepthExceeds(text, limits.maxJsonDepth)) {
    return {
      ok: false,
      refusal: { status: 400, code: 'JSON_TOO_DEEP', message: `The JSON body nests deeper than ${limits.maxJsonDepth} levels (MAX_JSON_DEPTH).` },
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, refusal: { status: 400, code: 'REQUEST_INVALID', message: 'The body is not valid JSON.' } };
  }
}

/**
 * Reads a request's JSON body: at most `maxBodyBytes` (413 beyond, without buffering the rest),
 * only `application/json` (or `+json`), depth checked before parsing. An absent body is
 * `undefined`.
 */
export async function readJsonBody(req: IncomingMessage, limits: Pick<InboundLimits, 'maxBodyBytes' | 'maxJsonDepth'>): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limits.maxBodyBytes) {
    req.resume();
    return { ok: false, refusal: tooLarge(limits.maxBodyBytes) };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > limits.maxBodyBytes) {
        req.resume();
        return { ok: false, refusal: tooLarge(limits.maxBodyBytes) };
      }
      chunks.push(buffer);
    }
  } catch {
    return { ok: false, refusal: { status: 400, code: 'REQUEST_INVALID', message: 'The request body could not be read.' } };
  }
  if (size === 0) return { ok: true, value: undefined };
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (!/^application\/([\w.+-]+\+)?json\b/.test(type)) {
    return { ok: false, refusal: { status: 400, code: 'REQUEST_INVALID', message: 'Send the body as JSON with Content-Type: application/json.' } };
  }
  return parseJsonText(Buffer.concat(chunks).toString('utf8'), limits);
}

/**
 * The limits that apply to an activity whatever the route: text length, attachment count and
 * the shape of the fields the bot reads. Field presence rules specific to a route (a
 * `serviceUrl` on /api/messages, allowed types on Direct Line) stay with that route.
 */
export function checkActivityLimits(
  activity: Record<string, unknown>,
  limits: Pick<InboundLimits, 'maxMessageChars' | 'maxAttachments' | 'maxJsonDepth'>,
): InboundRefusal | undefined {
  const invalid = (message: string): InboundRefusal => ({ status: 400, code: 'REQUEST_INVALID', message });
  if (valueDepthExceeds(activity, limits.maxJsonDepth)) {
    return { status: 400, code: 'JSON_TOO_DEEP', message: `The activity nests deeper than ${limits.maxJsonDepth} levels (MAX_JSON_DEPTH).` };
  }
  const { text, attachments, entities, from, channelData } = activity;
  if (text !== undefined && text !== null && typeof text !== 'string') return invalid('"text" must be a string.');
  if (typeof text === 'string' && text.length > limits.maxMessageChars) {
    return {
      status: 400,
      code: 'MESSAGE_TOO_LONG',
      message: `The message is ${text.length} characters long; at most ${limits.maxMessageChars} are accepted (MAX_MESSAGE_CHARS). Please shorten it.`,
    };
  }
  if (attachments !== undefined && attachments !== null) {
    if (!Array.isArray(attachments)) return invalid('"attachments" must be an array.');
    if (attachments.length > limits.maxAttachments) {
      return {
        status: 400,
        code: 'TOO_MANY_ATTACHMENTS',
        message: `The activity has ${attachments.length} attachments; at most ${limits.maxAttachments} are accepted per activity (MAX_ATTACHMENTS).`,
      };
    }
    if (!attachments.every(isRecord)) return invalid('Every attachment must be an object.');
  }
  if (entities !== undefined && entities !== null && !Array.isArray(entities)) return invalid('"entities" must be an array.');
  if (from !== undefined && from !== null && (typeof from !== 'object' || Array.isArray(from))) return invalid('"from" must be an object.');
  if (channelData !== undefined && channelData !== null && (typeof channelData !== 'object' || Array.isArray(channelData))) {
    return invalid('"channelData" must be an object.');
  }
  const metadataBytes = jsonBytes(channelData) + jsonBytes(entities) + jsonBytes(activity.value);
  if (metadataBytes > MAX_METADATA_BYTES) {
    // The bot reads a few small fields of these; a large one is only there to be stored.
    return invalid(`"channelData", "entities" and "value" together are ${metadataBytes} bytes; at most ${MAX_METADATA_BYTES} are accepted.`);
  }
  return undefined;
}

/**
 * Largest JSON size of an activity's channelData, entities and value together. Channels put a
 * few hundred bytes there (Teams' tenant and team, mentions, a card's submitted fields); kept
 * activities and transcripts must not carry more.
 */
export const MAX_METADATA_BYTES = 16 * 1024;

function jsonBytes(value: unknown): number {
  return value === undefined || value === null ? 0 : Buffer.byteLength(JSON.stringify(value));
}

function tooLarge(maxBodyBytes: number): InboundRefusal {
  return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `The body is over ${maxBodyBytes} bytes (MAX_BODY_BYTES).` };
}
