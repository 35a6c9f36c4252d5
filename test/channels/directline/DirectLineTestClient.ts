import type { Activity } from 'botbuilder';
import WebSocket from 'ws';

/** An HTTP answer: status and parsed JSON body. */
export interface JsonAnswer<T = unknown> {
  status: number;
  json: T;
}

/** POST/GET with a bearer credential; parses JSON answers. */
export async function call<T = unknown>(method: 'GET' | 'POST', url: string, credential?: string, body?: unknown): Promise<JsonAnswer<T>> {
  const headers: Record<string, string> = {};
  if (credential) headers.authorization = `Bearer ${credential}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : undefined) as T };
}

export interface ConversationAnswer {
  conversationId: string;
  token: string;
  expires_in: number;
  streamUrl: string;
}

/**
 * A small Direct Line 3.0 client speaking the same protocol as botframework-directlinejs
 * (REST + the WebSocket stream), for tests and the benchmark in Node.
 */
export class DirectLineTestClient {
  /** Everything received on the stream, in order. */
  readonly received: Activity[] = [];
  watermark: string | undefined;
  private socket: WebSocket | undefined;
  private waiters: Array<() => void> = [];

  constructor(
    readonly domain: string,
    readonly conversationId: string,
    readonly token: string,
    readonly streamUrl: string,
    readonly userId: string,
  ) {}

  /** Gets a token from the page's token route and starts the conversation with it. */
  static async start(baseUrl: string): Promise<DirectLineTestClient> {
    const issued = await call<{ token: string; domain: string; userId: string }>('POST', `${baseUrl}/api/directline/token`);
    if (issued.status !== 200) throw new Error(`token route answered ${issued.status}`);
    const started = await call<ConversationAnswer>('POST', `${issued.json.domain}/conversations`, issued.json.token);
    if (started.status !== 201) throw new Error(`start conversation answered ${started.status}: ${JSON.stringify(started.json)}`);
    return new DirectLineTestClient(issued.json.domain, started.json.conversationId, started.json.token, started.json.streamUrl, issued.json.userId);
  }

  /** Opens the stream (resolves once open). */
  async connect(streamUrl = this.streamUrl): Promise<void> {
    const socket = new WebSocket(streamUrl);
    this.socket = socket;
    socket.on('message', (data) => {
      const text = data.toString();
      if (!text) return;
      const group = JSON.parse(text) as { activities: Activity[]; watermark?: string };
      this.received.push(...group.activities);
      if (group.watermark) this.watermark = group.watermark;
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`stream refused with HTTP ${res.statusCode}`)));
    });
  }

  /** Posts an activity; resolves with the HTTP answer. */
  post(activity: Record<string, unknown>, credential = this.token): Promise<JsonAnswer<{ id?: string; error?: { code: string } }>> {
    return call('POST', `${this.domain}/conversations/${encodeURIComponent(this.conversationId)}/activities`, credential, activity);
  }

  /** Posts a message as Web Chat would and returns its id. */
  async say(text: string): Promise<string> {
    const answer = await this.post({ type: 'message', text, from: { id: this.userId }, channelData: { clientActivityID: `c-${Date.now()}` } });
    if (answer.status !== 200 || !answer.json.id) throw new Error(`post answered ${answer.status}: ${JSON.stringify(answer.json)}`);
    return answer.json.id;
  }

  /** Resolves with the first received activity (from index `from`) that matches. */
  async waitFor(match: (a: Activity) => boolean, timeoutMs = 5000, from = 0): Promise<Activity> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(from).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching activity within ${timeoutMs} ms; got ${JSON.stringify(this.received.map((a) => a.text ?? a.type))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Bot messages received so far. */
  botMessages(): Activity[] {
    return this.received.filter((a) => a.type === 'message' && a.from?.role === 'bot');
  }

  close(): void {
    this.socket?.close();
  }
}
