import type { Activity } from 'botbuilder';
import {
  activityId,
  DirectLineConversationMissingError,
  type ActivityPage,
  type DirectLineConversation,
  type DirectLineStore,
  type DirectLineStoreLimits,
  type StoredActivity,
} from './store';

interface Entry {
  conversation: DirectLineConversation;
  /**
   * Kept in watermark order as JSON text, parsed only when read; trimmed from the front. Text is
   * what the byte budget measures: a parsed copy of `[{},{},…]` costs many times its JSON size.
   */
  activities: string[];
  /** Bytes this conversation is charged: its activities plus a fixed overhead. */
  bytes: number;
  lastActivityAt: number;
}

/** Heap bytes of a kept activity's JSON text (UTF-16, roughly). */
function byteCost(json: string): number {
  return json.length * 2;
}

/** What a conversation costs before its first activity (ids, dates, the map entry). */
const CONVERSATION_OVERHEAD_BYTES = 512;
const DEFAULT_MAX_CONVERSATION_BYTES = 512 * 1024;
const DEFAULT_MAX_MEMORY_BYTES = 64 * 1024 * 1024;

/**
 * The activity log of a single instance. Activities are stored as JSON copies, as the MongoDB
 * twin stores them, so a caller that mutates an activity after appending it changes nothing.
 *
 * Memory is bounded three ways: activities per conversation (count and bytes, oldest dropped
 * first), and bytes for all conversations together: past `maxMemoryBytes` the conversations idle
 * the longest are evicted first (the map is kept in last-activity order). Idle ones also expire
 * after `historyTtlSeconds`.
 */
export class MemoryDirectLineStore implements DirectLineStore {
  readonly shared = false;
  private readonly conversations = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly maxConversationBytes: number;
  private readonly maxMemoryBytes: number;
  private totalBytes = 0;
  /** Conversations evicted for memory since start (for tests and the abuse benchmark). */
  evictions = 0;

  constructor(
    private readonly limits: DirectLineStoreLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.maxConversationBytes = limits.maxConversationBytes ?? DEFAULT_MAX_CONVERSATION_BYTES;
    this.maxMemoryBytes = limits.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES;
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, limits.historyTtlSeconds * 1000));
    this.sweeper.unref();
  }

  /** Bytes of activity JSON (plus per-conversation overhead) held now. */
  get heldBytes(): number {
    return this.totalBytes;
  }

  /** Conversations held now. */
  get size(): number {
    return this.conversations.size;
  }

  async createConversation(id: string, userId: string): Promise<boolean> {
    if (this.live(id)) return false;
    this.conversations.set(id, {
      conversation: { id, userId, watermark: 0, createdAt: new Date(this.now()) },
      activities: [],
      bytes: CONVERSATION_OVERHEAD_BYTES,
      lastActivityAt: this.now(),
    });
    this.totalBytes += CONVERSATION_OVERHEAD_BYTES;
    this.evictIdle(id);
    return true;
  }

  async getConversation(id: string): Promise<DirectLineConversation | undefined> {
    const entry = this.live(id);
    return entry ? { ...entry.conversation } : undefined;
  }

  async append(conversationId: string, activity: Partial<Activity>): Promise<StoredActivity> {
    const entry = this.live(conversationId);
    if (!entry) throw new DirectLineConversationMissingError(conversationId);
    const watermark = entry.conversation.watermark + 1;
    entry.conversation.watermark = watermark;
    entry.lastActivityAt = this.now();
    // Most recently active last: the map's order is the eviction order.
    this.conversations.delete(conversationId);
    this.conversations.set(conversationId, entry);
    const json = JSON.stringify({ ...activity, id: activityId(conversationId, watermark) });
    const size = byteCost(json);
    entry.activities.push(json);
    entry.bytes += size;
    this.totalBytes += size;
    // Trim the oldest activities past the count or the byte budget (always keep the newest).
    while (
      entry.activities.length > 1 &&
      (entry.activities.length > this.limits.maxActivitiesPerConversation || entry.bytes - CONVERSATION_OVERHEAD_BYTES > this.maxConversationBytes)
    ) {
      const dropped = byteCost(entry.activities.shift() ?? '');
      entry.bytes -= dropped;
      this.totalBytes -= dropped;
    }
    this.evictIdle(conversationId);
    return JSON.parse(json) as StoredActivity;
  }

  async list(conversationId: string, after: number, limit: number): Promise<ActivityPage> {
    const entry = this.live(conversationId);
    if (!entry) return { activities: [], watermark: after };
    const first = entry.conversation.watermark - entry.activities.length + 1;
    const start = Math.max(0, after + 1 - first);
    const page = entry.activities.slice(start, start + limit);
    const watermark = page.length > 0 ? first + start + page.length - 1 : after;
    return { activities: page.map((json) => JSON.parse(json) as Activity), watermark };
  }

  async latestWatermarks(conversationIds: readonly string[]): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    for (const id of conversationIds) {
      const entry = this.live(id);
      if (entry) result.set(id, entry.conversation.watermark);
    }
    return result;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }

  private live(id: string): Entry | undefined {
    const entry = this.conversations.get(id);
    if (!entry) return undefined;
    if (this.expired(entry)) {
      this.remove(id, entry);
      return undefined;
    }
    return entry;
  }

  private expired(entry: Entry): boolean {
    return this.now() - entry.lastActivityAt > this.limits.historyTtlSeconds * 1000;
  }

  private remove(id: string, entry: Entry): void {
    this.conversations.delete(id);
    this.totalBytes -= entry.bytes;
  }

  /** Evicts the longest-idle conversations (never `keep`) until the memory budget holds. */
  private evictIdle(keep: string): void {
    for (const [id, entry] of this.conversations) {
      if (this.totalBytes <= this.maxMemoryBytes) return;
      if (id === keep) continue;
      this.remove(id, entry);
      this.evictions++;
    }
  }

  private sweep(): void {
    for (const [id, entry] of this.conversations) if (this.expired(entry)) this.remove(id, entry);
  }
}
