import { createHmac, randomBytes } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import type restify from 'restify';
import { sendHttpError } from '../../server/httpErrors';
import { checkActivityLimits, readJsonBody, type InboundLimits } from '../../server/inbound';
import { sendRateLimited, type SessionGate } from '../../server/sessionGate';
import type { Logger } from '../../telemetry/logger';
import type { DirectLineAdapter } from './DirectLineAdapter';
import { checkIncomingActivity, requestedUser } from './incomingActivity';
import { publicBaseUrl, queryOf, toWebSocketUrl } from './http';
import { DirectLineConversationMissingError, parseWatermark, type DirectLineStore, type StoredActivity } from './store';
import { bearer, newConversationId, newUserId, type Credential, type DirectLineTokens } from './tokens';

/** What the Direct Line routes need. */
export interface DirectLineRouteDependencies {
  adapter: DirectLineAdapter;
  store: DirectLineStore;
  tokens: DirectLineTokens;
  /** The bot's turn logic (`bot.run`). */
  logic: (context: TurnContext) => Promise<void>;
  logger: Logger;
  publicUrl?: string;
  /** The shared inbound gate's limits (size, depth, text length, attachments). */
  limits: InboundLimits;
  /** Rations new conversations per client address and globally. */
  sessions: SessionGate;
}

/** Base path of the Direct Line 3.0 API, as Azure serves it. */
export const DIRECTLINE_BASE_PATH = '/v3/directline';
/** Activities per GET .../activities page. */
const PAGE_SIZE = 100;

type Req = restify.Request;
type Res = restify.Response;

/**
 * The Direct Line 3.0 REST API that botframework-directlinejs (and so Web Chat) calls:
 * tokens, conversations, activities and the stream URL. The WebSocket itself is in
 * `streamUpgrade.ts`. Every route that names a conversation checks that the credential may use
 * it: a token opens exactly one conversation.
 */
export function mountDirectLineRoutes(server: restify.Server, deps: DirectLineRouteDependencies): void {
  const base = DIRECTLINE_BASE_PATH;
  server.post(`${base}/tokens/generate`, generateToken(deps));
  server.post(`${base}/tokens/refresh`, refreshToken(deps));
  server.post(`${base}/conversations`, startConversation(deps));
  server.get(`${base}/conversations/:conversationId`, getConversation(deps));
  server.post(`${base}/conversations/:conversationId/activities`, postActivity(deps));
  server.get(`${base}/conversations/:conversationId/activities`, listActivities(deps));
  server.get(`${base}/session/getsessionid`, getSessionId(deps));
  server.post(`${base}/conversations/:conversationId/upload`, refuseUpload(deps));
}

/** Reads the JSON body through the shared gate; on refusal answers 4xx and returns REFUSED. */
async function readBody(req: Req, res: Res, limits: InboundLimits): Promise<unknown> {
  const read = await readJsonBody(req, limits);
  if (read.ok) return read.value;
  sendHttpError(res, read.refusal.status, read.refusal.code, read.refusal.message);
  return REFUSED;
}

/**
 * POST .../tokens/generate: a new token (and conversation id) for the secret's holder.
 */
function generateToken(deps: DirectLineRouteDependencies): restify.RequestHandler {
  return async (req: Req, res: Res) => {
    const credential = authenticate(req, res, deps.tokens);
    if (!credential) return;
    const input = await readBody(req, res, deps.limits);
    if (input === REFUSED) return;
    if (credential.kind !== 'secret') {
      sendHttpError(res, 403, 'DIRECTLINE_FORBIDDEN', 'Generating a token needs the Direct Line secret, not a token.');
      return;
    }
    const user = requestedUser(input);
    if (user.error) {
      sendHttpError(res, 400, 'REQUEST_INVALID', user.error);
      return;
    }
    const issued = deps.tokens.issue(newConversationId(), user.id ?? newUserId());
    noStore(res);
    res.json({ conversationId: issued.claims.conv, token: issued.token, expires_in: issued.expiresIn });
  };
}

/**
 * POST .../tokens/refresh: a fresh token for the same conversation and user.
 */
function refreshToken(deps: DirectLineRouteDependencies): restify.RequestHandler {
  return async (req: Req, res: Res) => {
    const credential = authenticate(req, res, deps.tokens);
    if (!credential) return;
    if (credential.kind !== 'token') {
      sendHttpError(res, 403, 'DIRECTLINE_FORBIDDEN', 'Only a token can be refreshed; the secret does not expire.');
      return;
    }
    const issued = deps.tokens.issue(credential.claims.conv, credential.claims.user);
    noStore(res);
    res.json({ conversationId: issued.claims.conv, token: issued.token, expires_in: issued.expiresIn });
  };
}

/**
 * POST .../conversations: starts (or, with a token, resumes) a conversation and greets a new one.
 */
function startConversation(deps: DirectLineRouteDependencies): restify.RequestHandler {
  return async (req: Req, res: Res) => {
    const credential = authenticate(req, res, deps.tokens);
    if (!credential) return;
    const input = await readBody(req, res, deps.limits);
    if (input === REFUSED) return;
    const party = await conversationParty(req, res, deps, credential, input);
    if (!party) return;
    const { conversationId, userId } = party;
    const created = await deps.store.createConversation(conversationId, userId);
    if (created) await greet(deps, conversationId, userId, (input as { locale?: unknown } | undefined)?.locale);
    const token =
      credential.kind === 'token'
        ? { token: credential.token, expiresIn: deps.tokens.secondsLeft(credential.claims) }
        : deps.tokens.issue(conversationId, userId);
    noStore(res);
    res.status(created ? 201 : 200);
    res.json({
      conversationId,
      token: token.token,
      expires_in: token.expiresIn,
      streamUrl: streamUrl(req, deps.publicUrl, conversationId, token.token, undefined),
    });
  };
}

/**
 * The conversation and user a POST .../conversations is for: a token's own, or new ones for the
 * secret's holder. Answers the refusal itself (rate limit, bad user) and returns undefined then.
 */
async function conversationParty(
  req: Req,
  res: Res,
  deps: DirectLineRouteDependencies,
  credential: Credential,
  input: unknown,
): Promise<{ conversationId: string; userId: string } | undefined> {
  if (credential.kind === 'token') {
    const conversationId = credential.claims.conv;
    // A new anonymous conversation spends the client's session budget (the secret is trusted).
    if (!(await deps.store.getConversation(conversationId))) {
      const admission = await deps.sessions.admit(req, 'conversation');
      if (!admission.ok) {
        sendRateLimited(res, admission, 'new conversations');
        return undefined;
      }
    }
    return { conversationId, userId: credential.claims.user };
  }
  const user = requestedUser(input);
  if (user.error) {
    sendHttpError(res, 400, 'REQUEST_INVALID', user.error);
    return undefined;
  }
  return { conversationId: newConversationId(), userId: user.id ?? newUserId() };
}

/** The conversationUpdate that lets the bot greet a new conversation (not kept in its log). */
async function greet(deps: DirectLineRouteDependencies, conversationId: string, userId: string, locale: unknown): Promise<void> {
  await deps.adapter.runUnlogged(
    conversationId,
    {
      type: 'conversationUpdate',
      from: { id: userId, name: '', role: 'user' },
      membersAdded: [
        { id: deps.adapter.bot.id, name: deps.adapter.bot.name },
        { id: userId, name: '' },
      ],
      ...(typeof locale === 'string' ? { locale } : {}),
    },
    deps.logic,
  );
}

/**
 * GET .../conversations/:id: a token and stream URL to reconnect.
 */
function getConversation(deps: DirectLineRouteDependencies): restify.RequestHandler {
  return async (req: Req, res: Res) => {
    const conversationId = String(req.params.conversationId);
    const credential = authorizeConversation(req, res, deps.tokens, conversationId);
    if (!credential) return;
    const conversation = await deps.store.getConversation(conversationId);
    if (!conversation) {
      notFound(res, conversationId);
      return;
    }
    const token =
      credential.kind === 'token'
        ? { token: credential.token, expiresIn: deps.tokens.secondsLeft(credential.claims) }
        : deps.tokens.issue(conversationId, conversation.userId);
    const watermark = queryOf(req).get('watermark') ?? undefined;
    noStore(res);
    res.json({
      conversationId,
      token: token.token,
      expires_in: token.expiresIn,
      streamUrl: streamUrl(req, deps.publicUrl, conversationId, token.token, watermark),
    });
  };
}

/**
 * POST .../conversations/:id/activities: a user's activity, through the shared gate, to the bot.
 */
function postActivity(deps: DirectLineRouteDependencies): restify.RequestHandler {
  return async (req: Req, res: Res) => {
    const conversationId = String(req.params.conversationId);
    const credential = authorizeConversation(req, res, deps.tokens, conversationId);
    if (!credential) return;
    // A flood from one address is refused before its body is even read (the secret is trusted).
    if (credential.kind === 'token') {
      const admission = await deps.sessions.admit(req, 'activity');
      if (!admission.ok) {
        req.resume();
        sendRateLimited(res, admission, 'messages');
        return;
      }
    }
    const input = await readBody(req, res, deps.limits);
    if (input === REFUSED) return;
    const checked = checkIncomingActivity(input, credential.kind === 'token' ? credential.claims.user : undefined);
    if (!checked.ok) {
      sendHttpError(res, 400, 'REQUEST_INVALID', checked.reason);
      return;
    }
    // The same gate as /api/messages: nothing over the limits is logged or reaches the bot.
    const refusal = checkActivityLimits(input as Record<string, unknown>, deps.limits);
    if (refusal) {
      sendHttpError(res, refusal.status, refusal.code, refusal.message);
      return;
    }
    let stored: StoredActivity;
    try {
      stored = await deps.adapter.receive(conversationId, checked.activity, deps.logic, deps.sessions.addressOf(req));
    } catch (err) {
      if (err instanceof DirectLineConversationMissingError) {
        notFound(res, conversationId);
        return;
      }
      throw err;
    }
    res.json({ id: stored.id });
  };
}

/**
 * GET .../conversations/:id/activities: the activities after a watermark (polling clients).
 */
function listActivities(deps: DirectLineRouteDependencies): restify.RequestHandler {
  return async (req: Req, res: Res) => {
    const conversationId = String(req.params.conversationId);
    const credential = authorizeConversation(req, res, deps.tokens, conversationId);
    if (!credential) return;
    if (!(await deps.store.getConversation(conversationId))) {
      notFound(res, conversationId);
      return;
    }
    const page = await deps.store.list(conversationId, parseWatermark(queryOf(req).get('watermark') ?? undefined), PAGE_SIZE);
    noStore(res);
    res.json({ activities: page.activities, watermark: String(page.watermark) });
  };
}

/**
 * GET .../session/getsessionid: an opaque, stable id for OAuth sign-in cards.
 * directlinejs calls this (with the token) for OAuth sign-in cards; Azure answers a session id
 * tied to the conversation. The bot has no sign-in, so an opaque, stable id is all it needs.
 */
function getSessionId(deps: DirectLineRouteDependencies): restify.RequestHandler {
  return async (req: Req, res: Res) => {
    const credential = authenticate(req, res, deps.tokens);
    if (!credential) return;
    const subject = credential.kind === 'token' ? credential.claims.conv : 'secret';
    noStore(res);
    res.json({ sessionId: createHmac('sha256', sessionKey).update(subject).digest('base64url').slice(0, 32) });
  };
}

/**
 * POST .../conversations/:id/upload: refused; the bot reads text only.
 */
function refuseUpload(deps: DirectLineRouteDependencies): restify.RequestHandler {
  return async (req: Req, res: Res) => {
    const conversationId = String(req.params.conversationId);
    if (!authorizeConversation(req, res, deps.tokens, conversationId)) return;
    sendHttpError(res, 400, 'DIRECTLINE_UPLOAD_UNSUPPORTED', 'This bot reads text only; file uploads are not accepted.');
  };
}

/** Returned by the body reader when it already answered with a refusal. */
const REFUSED = Symbol('refused');
/** Per-process key of session ids (they only need to be opaque and stable for a conversation). */
const sessionKey = randomBytes(32);

/** Checks the Authorization header; on failure answers (401/403) and returns undefined. */
function authenticate(req: Req, res: Res, tokens: DirectLineTokens): Credential | undefined {
  const result = tokens.authenticate(bearer(req.headers.authorization));
  if (result === 'missing') {
    sendHttpError(res, 401, 'DIRECTLINE_UNAUTHORIZED', 'Send "Authorization: Bearer <token>" (a token from your token route) or the Direct Line secret.');
    return undefined;
  }
  if (result === 'expired') {
    sendHttpError(
      res,
      403,
      'DIRECTLINE_TOKEN_EXPIRED',
      'The token has expired; get a new one (tokens are refreshed with POST /v3/directline/tokens/refresh before they expire).',
    );
    return undefined;
  }
  if (result === 'invalid') {
    sendHttpError(res, 403, 'DIRECTLINE_FORBIDDEN', 'The token is not valid for this bot.');
    return undefined;
  }
  return result;
}

/** authenticate + the token must be for this very conversation. */
function authorizeConversation(req: Req, res: Res, tokens: DirectLineTokens, conversationId: string): Credential | undefined {
  const credential = authenticate(req, res, tokens);
  if (!credential) return undefined;
  if (credential.kind === 'token' && credential.claims.conv !== conversationId) {
    sendHttpError(res, 403, 'DIRECTLINE_FORBIDDEN', 'This token belongs to another conversation.');
    return undefined;
  }
  return credential;
}

function notFound(res: Res, conversationId: string): void {
  sendHttpError(res, 404, 'DIRECTLINE_CONVERSATION_NOT_FOUND', `Conversation ${conversationId} does not exist or has expired; start a new one.`);
}

function noStore(res: Res): void {
  res.header('Cache-Control', 'no-store');
}

function streamUrl(req: Req, publicUrl: string | undefined, conversationId: string, token: string, watermark: string | undefined): string {
  const base = toWebSocketUrl(publicBaseUrl(req, publicUrl));
  const query = new URLSearchParams();
  if (watermark) query.set('watermark', watermark);
  query.set('t', token);
  return `${base}${DIRECTLINE_BASE_PATH}/conversations/${encodeURIComponent(conversationId)}/stream?${query.toString()}`;
}
