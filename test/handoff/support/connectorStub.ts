import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Activity } from 'botbuilder';

/** One activity the bot sent to the channel proactively. */
export interface ConnectorPost {
  conversationId: string;
  activity: Partial<Activity>;
  /** process.hrtime.bigint() when it arrived, for latency figures. */
  at: bigint;
}

/**
 * A stand-in for a Bot Framework channel connector (what the Emulator or Azure Bot Service runs
 * at an activity's serviceUrl): records `POST /v3/conversations/:id/activities[/:replyTo]` and
 * answers with an id, as the connector does.
 */
export interface ConnectorStub {
  readonly url: string;
  readonly posts: ConnectorPost[];
  /** Conversations the bot created (`POST /v3/conversations`: Teams personal chats), with their new ids. */
  readonly created: Array<{ id: string; parameters: Record<string, unknown> }>;
  /** Makes later `POST /v3/conversations` fail with this status (Teams: 403 when the app is not installed for the person; 0 = succeed). */
  refuseCreate(status: number): void;
  /** Message activities sent to one conversation. */
  messagesTo(conversationId: string): Partial<Activity>[];
  /** Resolves once `count` activities matching `filter` arrived (rejects after timeoutMs). */
  waitFor(filter: (post: ConnectorPost) => boolean, count?: number, timeoutMs?: number): Promise<ConnectorPost[]>;
  /** Makes every later POST fail with this status (0 = answer normally again). */
  failWith(status: number): void;
  /**
   * The next POST whose activity matches `when` is neither recorded nor answered (the channel
   * never accepted it); fault tests kill the bot while it waits.
   */
  holdNext(when: (activity: Partial<Activity>) => boolean): void;
  /** POSTs held so far. */
  readonly heldCount: number;
  stop(): Promise<void>;
}

export async function startConnectorStub(): Promise<ConnectorStub> {
  const posts: ConnectorPost[] = [];
  const waiters = new Set<() => void>();
  let failure = 0;
  const holds: Array<(activity: Partial<Activity>) => boolean> = [];
  const held: http.ServerResponse[] = [];
  let counter = 0;
  const created: Array<{ id: string; parameters: Record<string, unknown> }> = [];
  let refuseCreate = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && /^\/v3\/conversations\/?$/.test(req.url ?? '')) {
        if (refuseCreate) {
          res.writeHead(refuseCreate, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'Forbidden', message: 'The bot is not installed for this user' } }));
          return;
        }
        const id = `a:personal-${created.length + 1}`;
        created.push({ id, parameters: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id }));
        return;
      }
      const match = /^\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match) {
        res.writeHead(404);
        res.end();
        return;
      }
      if (failure) {
        res.writeHead(failure, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'ServiceError', message: 'stub failure' } }));
        return;
      }
      const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<Activity>;
      const hold = holds.findIndex((when) => when(activity));
      if (hold >= 0) {
        holds.splice(hold, 1);
        held.push(res);
        return;
      }
      posts.push({ conversationId: decodeURIComponent(match[1] as string), activity, at: process.hrtime.bigint() });
      // No chaining on writeHead: instrumentation that patches http may not return `this`.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `posted-${++counter}` }));
      for (const wake of [...waiters]) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    posts,
    created,
    refuseCreate(status) {
      refuseCreate = status;
    },
    holdNext(when) {
      holds.push(when);
    },
    get heldCount() {
      return held.length;
    },
    messagesTo: (conversationId) => posts.filter((p) => p.conversationId === conversationId && p.activity.type === 'message').map((p) => p.activity),
    waitFor(filter, count = 1, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = posts.filter(filter);
          if (found.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`connector stand-in: expected ${count} matching post(s) within ${timeoutMs} ms, got ${posts.filter(filter).length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    failWith(status) {
      failure = status;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
