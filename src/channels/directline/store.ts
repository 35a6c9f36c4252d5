import type { Activity } from 'botbuilder';

/**
 * The Direct Line activity log: every conversation's activities (the user's, echoed back as
 * Direct Line does, and the bot's replies) in order, each with a watermark. Clients read it
 * from a watermark on (GET .../activities, or the WebSocket stream), so a reconnecting client
 * misses nothing and sees nothing twice.
 *
 * Two implementations pass the same conformance suite: memory (one instance) and MongoDB
 * (several instances share one log, so a reply written by instance A reaches a WebSocket held
 * by instance B).
 */

/** An activity as logged: it always has its `conv|0000042` id. */
export type StoredActivity = Activity & { id: string };

/** A conversation as the log knows it. */
export interface DirectLineConversation {
  id: string;
  /** The user id bound at creation (from the token, or given with the secret). */
  userId: string;
  /** Highest watermark handed out so far (0 before the first activity). */
  watermark: number;
  createdAt: Date;
}

/** One page of the log. `watermark` is the last one returned, or the caller's if none. */
export interface ActivityPage {
  activities: Activity[];
  watermark: number;
}

export interface DirectLineStore {
  /** Creates a conversation; false (and no change) when the id already exists. */
  createConversation(id: string, userId: string): Promise<boolean>;
  getConversation(id: string): Promise<DirectLineConversation | undefined>;
  /**
   * Appends an activity: gives it the next watermark and the id `conversationId|0000042`.
   * Rejects with DirectLineConversationMissingError when the conversation does not exist.
   */
  append(conversationId: string, activity: Partial<Activity>): Promise<StoredActivity>;
  /** Activities with watermarks above `after`, in order, at most `limit` of them. */
  list(conversationId: string, after: number, limit: number): Promise<ActivityPage>;
  /** Highest watermark of each of these conversations (missing ones are left out). */
  latestWatermarks(conversationIds: readonly string[]): Promise<Map<string, number>>;
  /** True when other processes may write to the same log (the stream then polls it). */
  readonly shared: boolean;
  close(): Promise<void>;
}

/** Limits every store applies. */
export interface DirectLineStoreLimits {
  /** Activities kept per conversation; older ones are dropped. */
  maxActivitiesPerConversation: number;
  /** A conversation (and its activities) is forgotten this long after its last activity. */
  historyTtlSeconds: number;
  /** Memory store: bytes of activities kept per conversation; the oldest are dropped beyond it. */
  maxConversationBytes?: number;
  /** Memory store: bytes held for all conversations; the longest-idle conversations are evicted beyond it. */
  maxMemoryBytes?: number;
}

/** Thrown by `append` for an unknown (or expired) conversation. */
export class DirectLineConversationMissingError extends Error {
  constructor(readonly conversationId: string) {
    super(`Direct Line conversation ${conversationId} does not exist.`);
    this.name = 'DirectLineConversationMissingError';
  }
}

/** `conv|0000042`: Azure Direct Line's id shape, so clients that parse it keep working. */
export function activityId(conversationId: string, watermark: number): string {
  return `${conversationId}|${String(watermark).padStart(7, '0')}`;
}

/** Parses a `?watermark=` value; anything but a non-negative integer means "from the start". */
export function parseWatermark(raw: unknown): number {
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) return 0;
  return Number(raw);
}
