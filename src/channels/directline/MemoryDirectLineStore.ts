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
  /** Kept in watermark order; trimmed from the front. */
  activities: Activity[];
  lastActivityAt: number;
}

/**
 * The activity log of a single instance. Activities are stored as JSON copies, as the MongoDB
 * twin stores them, so a caller that mutates an activity after appending it changes nothing.
 */
export class MemoryDirectLineStore implements DirectLineStore {
  readonly shared = false;
  private readonly conversations = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly limits: DirectLineStoreLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, limits.historyTtlSeconds * 1000));
    this.sweeper.unref();
  }

  async createConversation(id: string, userId: string): Promise<boolean> {
    if (this.live(id)) return false;
    this.conversations.set(id, {
      conversation: { id, userId, watermark: 0, createdAt: new Date(this.now()) },
      activities: [],
      lastActivityAt: this.now(),
    });
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
    const stored = JSON.parse(JSON.stringify({ ...activity, id: activityId(conversationId, watermark) })) as Activity;
    entry.activities.push(stored);
    const excess = entry.activities.length - this.limits.maxActivitiesPerConversation;
    if (excess > 0) entry.activities.splice(0, excess);
    return JSON.parse(JSON.stringify(stored)) as StoredActivity;
  }

  async list(conversationId: string, after: number, limit: number): Promise<ActivityPage> {
    const entry = this.live(conversationId);
    if (!entry) return { activities: [], watermark: after };
    const first = entry.conversation.watermark - entry.activities.length + 1;
    const start = Math.max(0, after + 1 - first);
    const page = entry.activities.slice(start, start + limit);
    const watermark = page.length > 0 ? first + start + page.length - 1 : after;
    return { activities: JSON.parse(JSON.stringify(page)) as Activity[], watermark };
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
      this.conversations.delete(id);
      return undefined;
    }
    return entry;
  }

  private expired(entry: Entry): boolean {
    return this.now() - entry.lastActivityAt > this.limits.historyTtlSeconds * 1000;
  }

  private sweep(): void {
    for (const [id, entry] of this.conversations) if (this.expired(entry)) this.conversations.delete(id);
  }
}
