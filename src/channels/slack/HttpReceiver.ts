import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { httpErrorBody } from '../../server/httpErrors';
import { DEFAULT_MAX_JSON_DEPTH, valueDepthExceeds } from '../../server/inbound';
import type { Logger } from '../../telemetry/logger';
import { checkSlackPayload, HANDLED_PAYLOAD_TYPES } from './payloadShape';
import { checkSlackSignature } from './signature';

export interface SlackHttpReceiverOptions {
  signingSecret: string;
  logger: Logger;
  /** Largest body accepted; larger requests get 413 without being verified or parsed. */
  maxBodyBytes: number;
  /** Deepest JSON nesting accepted (MAX_JSON_DEPTH, the shared inbound gate's); deeper gets 400. */
  maxJsonDepth?: number;
  /** Registers background work (the rest of Bolt's processing after the ack) for idle/close. */
  track: (work: Promise<unknown>) => void;
  /** Called with the time from the request's arrival to its ack, in ms (for benchmarks and metrics). */
  onAck?: (ms: number) => void;
  /** Current time in ms, for the replay-window check; injectable for tests. */
  now?: () => number;
  /**
   * Records a checked payload durably before it is acknowledged ("claim before ack").
   * 'duplicate' answers 200 without processing; a rejection answers 503 so Slack retries.
   */
  intake?: (body: Json) => Promise<'process' | 'duplicate'>;
}

type Json = Record<string, unknown>;

/**
 * A Bolt receiver on the bot's own restify server (POST /api/slack/events, Events API and
 * interactivity alike). It only carries traffic: it reads the raw body, checks Slack's
 * signature on it, answers URL verification, and hands the payload to Bolt with an `ack` that
 * answers the HTTP request at once. Bolt acks events before running listeners and our action
 * listeners ack first, so Slack gets its 200 within milliseconds and the turn runs afterwards
 * (Bolt's `processBeforeResponse: false`).
 */
export class SlackHttpReceiver implements Receiver {
  private app: App | undefined;
  private closed = false;

  constructor(private readonly options: SlackHttpReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  /** Nothing to start: the route lives on the bot's server, mounted by the bridge. */
  async start(): Promise<void> {
    this.closed = false;
  }

  /** Refuses new requests with 503 (Slack retries them, on another instance if there is one). */
  async stop(): Promise<void> {
    this.closed = true;
  }

  /** The restify (or plain Node) request handler. */
  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const arrived = process.hrtime.bigint();
    const { logger } = this.options;
    if (this.closed || !this.app) {
      reply(res, 503, httpErrorBody('UNAVAILABLE', 'The bot is shutting down; Slack will retry.'));
      return;
    }
    const raw = await readRawBody(req, this.options.maxBodyBytes);
    if (raw === 'too_large') {
      reply(res, 413, httpErrorBody('PAYLOAD_TOO_LARGE', `The body is over ${this.options.maxBodyBytes} bytes.`));
      return;
    }
    const problem = checkSlackSignature({
      signingSecret: this.options.signingSecret,
      rawBody: raw,
      signature: header(req, 'x-slack-signature'),
      timestamp: header(req, 'x-slack-request-timestamp'),
      nowMs: (this.options.now ?? Date.now)(),
    });
    if (problem) {
      logger.warn({ code: 'SLACK_SIGNATURE_INVALID', problem, ip: req.socket.remoteAddress }, 'refused a Slack request: bad signature');
      reply(res, 401, httpErrorBody('SLACK_SIGNATURE_INVALID', `Slack request signature check failed: ${problem}.`));
      return;
    }
    const body = parseBody(raw.toString('utf8'), header(req, 'content-type') ?? '');
    if (!body) {
      reply(res, 400, httpErrorBody('REQUEST_INVALID', 'Expected a JSON event or a form-encoded interaction payload.'));
      return;
    }
    // The shared inbound gate's depth limit (src/server/inbound.ts), before Bolt walks the payload.
    const maxDepth = this.options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;
    if (valueDepthExceeds(body, maxDepth)) {
      reply(res, 400, httpErrorBody('JSON_TOO_DEEP', `The payload nests deeper than ${maxDepth} levels (MAX_JSON_DEPTH).`));
      return;
    }
    if (body.type === 'url_verification') {
      reply(res, 200, { challenge: body.challenge });
      return;
    }
    if (body.ssl_check !== undefined) {
      reply(res, 200);
      return;
    }
    const malformed = checkSlackPayload(body);
    if (malformed) {
      logger.warn({ code: 'REQUEST_INVALID', problem: malformed }, 'refused a signed but malformed Slack payload');
      reply(res, 400, httpErrorBody('REQUEST_INVALID', `Malformed Slack payload: ${malformed}.`));
      return;
    }
    if (!HANDLED_PAYLOAD_TYPES.has(String(body.type))) {
      reply(res, 200); // e.g. app_rate_limited, shortcuts: acknowledged so Slack does not retry, not handled
      return;
    }

    if (this.options.intake) {
      let decision: 'process' | 'duplicate';
      try {
        decision = await this.options.intake(body);
      } catch (error) {
        logger.error({ err: error, code: 'STORAGE_UNAVAILABLE' }, 'could not record a Slack delivery; Slack will retry it');
        reply(res, 503, httpErrorBody('STORAGE_UNAVAILABLE', 'The delivery could not be recorded; Slack will retry.'));
        return;
      }
      if (decision === 'duplicate') {
        reply(res, 200);
        return;
      }
    }

    let acked = false;
    let ackDone: () => void = () => undefined;
    const ackSent = new Promise<void>((resolve) => {
      ackDone = resolve;
    });
    const answer = (status: number, response?: unknown): void => {
      if (acked) return;
      acked = true;
      reply(res, status, response);
      this.options.onAck?.(Number(process.hrtime.bigint() - arrived) / 1e6);
      ackDone();
    };
    const retryNum = Number.parseInt(header(req, 'x-slack-retry-num') ?? '', 10);
    const retryReason = header(req, 'x-slack-retry-reason');
    const event: ReceiverEvent = {
      body,
      ...(Number.isFinite(retryNum) ? { retryNum } : {}),
      ...(retryReason ? { retryReason } : {}),
      ack: async (response?: unknown) => answer(200, response),
    };
    const work = this.app
      .processEvent(event)
      .then(() => answer(200)) // nothing acked (an event or action no listener wants): still 200, so Slack does not retry
      .catch((error: unknown) => {
        logger.error({ err: error, type: body.type }, 'Slack payload processing failed');
        answer(500, httpErrorBody('INTERNAL', 'The bot could not process this Slack request.'));
      });
    this.options.track(work);
    await ackSent;
  };
}

function reply(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent) return;
  if (body === undefined || body === '') {
    res.writeHead(status, { 'content-length': '0' });
    res.end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads the body untouched (the signature covers its exact bytes), up to `max` bytes. */
async function readRawBody(req: IncomingMessage, max: number): Promise<Buffer | 'too_large'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) {
    req.resume();
    return 'too_large';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > max) tooLarge = true;
    if (!tooLarge) chunks.push(buffer);
  }
  return tooLarge ? 'too_large' : Buffer.concat(chunks);
}

/**
 * Events arrive as JSON; interactions as a form with one `payload` field holding JSON; slash
 * commands and SSL checks as plain form fields.
 */
function parseBody(raw: string, contentType: string): Json | undefined {
  try {
    if (contentType.includes('application/x-www-form-urlencoded')) {
      const params = new URLSearchParams(raw);
      const payload = params.get('payload');
      if (payload !== null) return asObject(JSON.parse(payload));
      return Object.fromEntries(params);
    }
    if (contentType.includes('application/json')) return asObject(JSON.parse(raw));
  } catch {
    return undefined;
  }
  return undefined;
}

function asObject(value: unknown): Json | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}
