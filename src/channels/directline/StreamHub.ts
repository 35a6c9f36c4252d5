import type { WebSocket } from 'ws';
import type { Logger } from '../../telemetry/logger';
import type { DirectLineStore } from './store';

/** Activities sent per WebSocket message at most; a long backlog goes out in several. */
const PAGE_SIZE = 100;
/** Server pings keep proxies from closing idle streams and find dead clients. */
const PING_EVERY_MS = 30_000;
/** Streams one conversation may hold (tabs, reconnects); beyond it the oldest is closed. */
const MAX_STREAMS_PER_CONVERSATION = 8;
/** Close code when the stream's token expires; directlinejs then reconnects with its refreshed token. */
export const TOKEN_EXPIRED_CLOSE_CODE = 4401;

/**
 * One client's stream: it remembers the last watermark it sent, and on every wake-up reads the
 * log from there. The log is the only source of truth, so a wake-up that finds nothing new is
 * harmless, and activities can never be sent twice or out of order.
 */
class Stream {
  private busy = false;
  private again = false;
  alive = true;

  constructor(
    readonly conversationId: string,
    private readonly socket: WebSocket,
    private watermark: number,
    private readonly store: DirectLineStore,
    private readonly logger: Logger,
  ) {}

  get sentWatermark(): number {
    return this.watermark;
  }

  /** Sends everything above the watermark; concurrent calls coalesce into one more pass. */
  async deliver(): Promise<void> {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.again = false;
        let page = await this.store.list(this.conversationId, this.watermark, PAGE_SIZE);
        while (page.activities.length > 0 && this.socket.readyState === this.socket.OPEN) {
          this.watermark = page.watermark;
          this.socket.send(JSON.stringify({ activities: page.activities, watermark: String(page.watermark) }));
          if (page.activities.length < PAGE_SIZE) break;
          page = await this.store.list(this.conversationId, this.watermark, PAGE_SIZE);
        }
      } while (this.again && this.socket.readyState === this.socket.OPEN);
    } catch (err) {
      this.logger.warn({ err, conversationId: this.conversationId }, 'could not deliver Direct Line activities; will retry on the next wake-up');
    } finally {
      this.busy = false;
    }
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  ping(): void {
    if (!this.alive) {
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
  }
}

/**
 * The WebSocket streams connected to this instance, by conversation. Appends made here wake
 * their conversation's streams at once; with a shared store (MongoDB), a poll loop also looks
 * for appends made by other instances (mongo-java-server has no change streams, and polling
 * one indexed query per interval is cheap).
 */
export class StreamHub {
  private readonly streams = new Map<string, Set<Stream>>();
  private readonly pinger: NodeJS.Timeout;
  private poller: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly store: DirectLineStore,
    private readonly logger: Logger,
    pollIntervalMs: number,
  ) {
    this.pinger = setInterval(() => this.forEachStream((s) => s.ping()), PING_EVERY_MS);
    this.pinger.unref();
    if (store.shared) {
      this.poller = setInterval(() => void this.poll(), pollIntervalMs);
      this.poller.unref();
    }
  }

  /** Number of open streams (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const set of this.streams.values()) n += set.size;
    return n;
  }

  /**
   * Adopts an open socket and sends it everything after `watermark`. `expiresAt` (ms since the
   * epoch) is when the token the stream was opened with expires: the stream is closed then, so
   * a token stops granting access when it expires, stream included.
   */
  attach(conversationId: string, socket: WebSocket, watermark: number, expiresAt?: number): void {
    const stream = new Stream(conversationId, socket, watermark, this.store, this.logger);
    let expiry: NodeJS.Timeout | undefined;
    if (expiresAt !== undefined) {
      expiry = setTimeout(() => stream.close(TOKEN_EXPIRED_CLOSE_CODE, 'token expired'), Math.max(0, expiresAt - Date.now()));
      expiry.unref();
    }
    let set = this.streams.get(conversationId);
    if (!set) {
      set = new Set();
      this.streams.set(conversationId, set);
    }
    if (set.size >= MAX_STREAMS_PER_CONVERSATION) {
      const oldest = set.values().next().value as Stream;
      set.delete(oldest);
      oldest.close(1008, 'too many streams for this conversation');
    }
    set.add(stream);
    socket.on('pong', () => {
      stream.alive = true;
    });
    // directlinejs sends empty messages as keep-alives; nothing a client sends means anything.
    socket.on('message', () => undefined);
    socket.on('error', (err) => this.logger.debug({ err, conversationId }, 'Direct Line stream error'));
    socket.on('close', () => {
      if (expiry) clearTimeout(expiry);
      set.delete(stream);
      if (set.size === 0 && this.streams.get(conversationId) === set) this.streams.delete(conversationId);
    });
    void stream.deliver();
  }

  /** Wakes the streams of a conversation (called after every local append). */
  notify(conversationId: string): void {
    for (const stream of this.streams.get(conversationId) ?? []) void stream.deliver();
  }

  /** Closes every stream with 1001 ("going away"): clients reconnect to another instance. */
  async close(): Promise<void> {
    clearInterval(this.pinger);
    if (this.poller) clearInterval(this.poller);
    this.forEachStream((s) => s.close(1001, 'server shutting down'));
    this.streams.clear();
  }

  private async poll(): Promise<void> {
    if (this.polling || this.streams.size === 0) return;
    this.polling = true;
    try {
      const latest = await this.store.latestWatermarks([...this.streams.keys()]);
      for (const [conversationId, watermark] of latest) {
        for (const stream of this.streams.get(conversationId) ?? []) {
          if (stream.sentWatermark < watermark) void stream.deliver();
        }
      }
    } catch (err) {
      this.logger.warn({ err }, 'Direct Line stream poll failed; retrying');
    } finally {
      this.polling = false;
    }
  }

  private forEachStream(fn: (stream: Stream) => void): void {
    for (const set of this.streams.values()) for (const stream of set) fn(stream);
  }
}
