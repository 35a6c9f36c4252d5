import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Slack's Web API (https://slack.com/api/{method}) on a free loopback port.
 * It records every call with its method and parsed parameters, answers like Slack by default,
 * and lets a test script answers per method (a 429 with Retry-After, a 500, a Slack error).
 *
 * Point the bot at it with SLACK_API_URL = stub.url (it ends with "/", as WebClient expects).
 */

/** One recorded Web API call. */
export interface SlackApiCall {
  /** Method name, e.g. "chat.postMessage". */
  method: string;
  /** Form or JSON parameters; JSON-looking form values (blocks, attachments) are parsed. */
  params: Record<string, unknown>;
  /** The bearer token the call was made with, if any. */
  token?: string;
  /** HTTP status the stand-in answered with. */
  status: number;
  /** True when the answer was a success (HTTP 200 with `ok: true`). */
  ok: boolean;
  /** The body the stand-in answered with (e.g. the `ts` of a posted message). */
  response: unknown;
  /** Date.now() when the call arrived. */
  at: number;
}

/** An answer the stand-in gives. `body` is sent as JSON. */
export interface SlackApiResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * Computes an answer from the call (for answers that echo parameters). A promise holds the
 * answer back (fault tests kill the bot while Slack "has" a message but has not answered).
 */
export type SlackApiResponder = (call: Omit<SlackApiCall, 'status' | 'ok' | 'response'>) => SlackApiResponse | Promise<SlackApiResponse>;

/** The bot identity auth.test reports by default. */
export const STUB_IDENTITY = { team_id: 'T0TEST', team: 'Test workspace', user_id: 'U0BOT', bot_id: 'B0BOT', user: 'orderbot' } as const;

export interface SlackApiStub {
  /** Base URL ending with "/": the value for SLACK_API_URL. */
  readonly url: string;
  /** Every call answered so far, in answer order. */
  readonly calls: SlackApiCall[];
  /** Every request received so far, answered or still held, in arrival order. */
  readonly received: ReadonlyArray<Omit<SlackApiCall, 'status' | 'ok' | 'response'>>;
  /** Calls of one method that Slack answered successfully (HTTP 200 and ok: true). */
  succeeded(method: string): SlackApiCall[];
  /** Every call of one method, whatever the answer. */
  callsTo(method: string): SlackApiCall[];
  /** Queues one-off answers for a method, used in order before falling back to the default. */
  script(method: string, ...responses: SlackApiResponse[]): void;
  /**
   * The next call of `method` matching `when` is carried out (recorded, answered as usual in
   * `calls`) but its HTTP answer is held back until {@link dropHeld}: Slack did the work, the
   * caller never heard. Fault tests kill the bot in that moment.
   */
  holdAnswer(method: string, when?: (call: Omit<SlackApiCall, 'status' | 'ok' | 'response'>) => boolean): void;
  /** Calls whose answers are being held back. */
  readonly heldCount: number;
  /** Closes every held connection without an answer. */
  dropHeld(): void;
  /** Replaces the default answer of a method. */
  on(method: string, responder: SlackApiResponder): void;
  /** Resolves once `count` successful calls of `method` were recorded (rejects after timeoutMs). */
  waitFor(method: string, count: number, timeoutMs?: number): Promise<SlackApiCall[]>;
  /** Forgets recorded calls and scripted answers (defaults set with `on` stay). */
  reset(): void;
  stop(): Promise<void>;
}

/** A 429 as Slack sends it when a method's rate limit is exceeded. */
export function rateLimited(retryAfterSeconds: number): SlackApiResponse {
  return { status: 429, headers: { 'retry-after': String(retryAfterSeconds) }, body: { ok: false, error: 'ratelimited' } };
}

/** An HTTP 5xx from Slack's edge. */
export function serverError(status = 500): SlackApiResponse {
  return { status, body: 'upstream error' };
}

/** A Slack platform error (HTTP 200, ok: false), e.g. "channel_not_found". */
export function slackError(error: string): SlackApiResponse {
  return { status: 200, body: { ok: false, error } };
}

/** Starts the stand-in on 127.0.0.1, port 0. */
export async function startSlackApiStub(): Promise<SlackApiStub> {
  const calls: SlackApiCall[] = [];
  /** Every request as it arrived, before any (possibly held) answer. */
  const received: Array<Omit<SlackApiCall, 'status' | 'ok' | 'response'>> = [];
  const scripted = new Map<string, SlackApiResponse[]>();
  const holds: Array<{ method: string; when: (call: Omit<SlackApiCall, 'status' | 'ok' | 'response'>) => boolean }> = [];
  const heldResponses: http.ServerResponse[] = [];
  const responders = new Map<string, SlackApiResponder>(Object.entries(defaultResponders(() => calls)));
  const waiters = new Set<() => void>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const method = decodeURIComponent((req.url ?? '/').split('?')[0]!.replace(/^\/+/, ''));
      const params = parseParams(Buffer.concat(chunks).toString('utf8'), req.headers['content-type'] ?? '');
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? (typeof params.token === 'string' ? params.token : undefined);
      const incoming = { method, params, ...(token ? { token } : {}), at: Date.now() };
      const queue = scripted.get(method);
      received.push(incoming);
      const response = queue?.shift() ?? (await (responders.get(method) ?? unknownMethod)(incoming));
      const status = response.status ?? 200;
      const ok = status === 200 && (response.body === undefined || (typeof response.body === 'object' && (response.body as { ok?: unknown }).ok === true));
      calls.push({ ...incoming, status, ok, response: response.body ?? { ok: true } });
      const hold = holds.findIndex((h) => h.method === method && h.when(incoming));
      if (hold >= 0) {
        // Done at "Slack", answer never sent: what a bot killed mid-call sees.
        holds.splice(hold, 1);
        heldResponses.push(res);
        for (const wake of [...waiters]) wake();
        return;
      }
      if (res.destroyed) return;
      const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? { ok: true });
      res.writeHead(status, { 'content-type': typeof response.body === 'string' ? 'text/plain' : 'application/json', ...response.headers });
      res.end(body);
      for (const wake of [...waiters]) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const callsTo = (method: string): SlackApiCall[] => calls.filter((c) => c.method === method);
  const succeeded = (method: string): SlackApiCall[] => callsTo(method).filter((c) => c.ok);

  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    received,
    callsTo,
    succeeded,
    script(method, ...responses) {
      scripted.set(method, [...(scripted.get(method) ?? []), ...responses]);
    },
    holdAnswer(method, when = () => true) {
      holds.push({ method, when });
    },
    get heldCount() {
      return heldResponses.length;
    },
    dropHeld() {
      for (const res of heldResponses.splice(0)) res.destroy();
    },
    on(method, responder) {
      responders.set(method, responder);
    },
    waitFor(method, count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const done = succeeded(method);
          if (done.length < count) return false;
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(done);
          return true;
        };
        const wake = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`Slack stand-in: expected ${count} successful ${method} call(s) within ${timeoutMs} ms, got ${succeeded(method).length}`));
        }, timeoutMs);
        waiters.add(wake);
        check();
      });
    },
    reset() {
      calls.length = 0;
      received.length = 0;
      scripted.clear();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of heldResponses.splice(0)) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function defaultResponders(calls: () => SlackApiCall[]): Record<string, SlackApiResponder> {
  let sequence = 0;
  const nextTs = (): string => `${Math.floor(Date.now() / 1000)}.${String(++sequence).padStart(6, '0')}`;
  return {
    'auth.test': () => ({ body: { ok: true, url: 'https://test.slack.com/', ...STUB_IDENTITY } }),
    'chat.postMessage': ({ params }) => {
      const ts = nextTs();
      return {
        body: {
          ok: true,
          channel: params.channel,
          ts,
          message: { type: 'message', text: params.text, bot_id: STUB_IDENTITY.bot_id, ts, ...(params.thread_ts ? { thread_ts: params.thread_ts } : {}) },
        },
      };
    },
    'chat.update': ({ params }) => ({ body: { ok: true, channel: params.channel, ts: params.ts, text: params.text } }),
    'chat.delete': ({ params }) => ({ body: { ok: true, channel: params.channel, ts: params.ts } }),
    'chat.postEphemeral': () => ({ body: { ok: true, message_ts: nextTs() } }),
    // The bot's DM with one person: D + their user id, the same every time, as Slack's is.
    'conversations.open': ({ params }) => ({ body: { ok: true, channel: { id: `D${String(params.users)}` } } }),
    // A thread as Slack keeps it: the parent and the replies posted into it, with their metadata.
    'conversations.replies': ({ params }) => ({
      body: {
        ok: true,
        messages: posted(calls(), params, (c) => (c.response as { ts?: string }).ts === params.ts || c.params.thread_ts === params.ts),
        has_more: false,
      },
    }),
    // A channel's history: the bot's top-level posts (and thread broadcasts), newest first.
    'conversations.history': ({ params }) => ({
      body: { ok: true, messages: posted(calls(), params, (c) => !c.params.thread_ts).reverse(), has_more: false },
    }),
  };
}

/** Messages the bot posted to `params.channel` (after `params.oldest`), as the history methods list them. */
function posted(calls: SlackApiCall[], params: Record<string, unknown>, keep: (call: SlackApiCall) => boolean): Array<Record<string, unknown>> {
  const oldest = typeof params.oldest === 'string' ? Number(params.oldest) : 0;
  return (
    calls
      .filter((c) => c.method === 'chat.postMessage' && c.ok && c.params.channel === params.channel && keep(c))
      // Whole seconds only: test traffic makes its own ts sequence, so sub-second order is not Slack's.
      .filter((c) => Math.floor(Number((c.response as { ts?: string }).ts)) >= Math.floor(oldest) || (c.response as { ts?: string }).ts === params.ts)
      .map((c) => ({
        type: 'message',
        ts: (c.response as { ts?: string }).ts,
        text: c.params.text,
        bot_id: STUB_IDENTITY.bot_id,
        ...(c.params.thread_ts ? { thread_ts: c.params.thread_ts } : {}),
        ...(String(params.include_all_metadata) === 'true' && c.params.metadata ? { metadata: c.params.metadata } : {}),
      }))
  );
}

const unknownMethod: SlackApiResponder = () => ({ body: { ok: false, error: 'unknown_method' } });

/** WebClient posts forms whose nested values (blocks, attachments) are JSON strings. */
function parseParams(raw: string, contentType: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    } catch {
      return { _raw: raw };
    }
  }
  const params: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    params[key] = /^[[{]/.test(value) ? tryJson(value) : value;
  }
  return params;
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
