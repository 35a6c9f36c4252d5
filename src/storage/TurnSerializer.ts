import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { BotState, Middleware, TurnContext } from 'botbuilder';
import { KeyedSerialQueue } from '../util/keyedSerialQueue';
import type { ConversationLock } from './ConversationLock';
import { ConversationLockLostError, ConversationLockTimeoutError } from './errors';

/** Options of {@link TurnSerializer}; all but `lock` have defaults. */
export interface TurnSerializerOptions {
  /** The lease store shared by every instance (MongoDB), or the memory twin for one instance. */
  lock: ConversationLock;
  /** This instance's lease owner id. Defaults to `hostname:pid:random`. */
  owner?: string;
  /** Lease lifetime; a crashed instance blocks its conversations this long at most. */
  leaseTtlMs?: number;
  /** How often a running turn extends its lease. Defaults to a third of the TTL. */
  renewEveryMs?: number;
  /** Longest a message waits for its turn (queue and lease) before CONVERSATION_LOCK_TIMEOUT. */
  maxWaitMs?: number;
  /** First and largest pause between lease attempts while another instance holds it. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /**
   * BotStates loaded before the turn and saved after it, together with the lease release.
   * Loading them together lets MongoStorage read them in one `find`; saving them in the same
   * tick as the release sends writes and release as one command. Leave empty if the bot saves
   * state itself (then each save and the release are separate round trips).
   */
  states?: BotState[];
  /** Which conversation an activity belongs to; undefined means "do not serialise". */
  keyOf?: (context: TurnContext) => string | undefined;
  /** Called when renewing a lease fails for a reason other than losing it. */
  onRenewError?: (error: unknown, conversationKey: string) => void;
  /** Waiting primitive, injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** The ConversationState key shape, so leases and state name conversations alike. */
export function defaultConversationKey(context: TurnContext): string | undefined {
  const { channelId, conversation } = context.activity;
  return channelId && conversation?.id ? `${channelId}/conversations/${conversation.id}` : undefined;
}

function defaultOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs turns of one conversation one at a time, across every instance that shares the lock.
 *
 * Within this process, turns of a conversation run in arrival order (a FIFO queue per
 * conversation). Across processes, a lease in the shared store ensures turns never overlap;
 * messages waiting on different instances are served in the order their instances win the
 * lease (polling with backoff), which follows arrival closely but is not a strict global order.
 *
 * Use as the first middleware (`adapter.use(serializer)`), or wrap any work with `run`.
 */
export class TurnSerializer implements Middleware {
  /** This instance's lease owner id. */
  readonly owner: string;
  private readonly lock: ConversationLock;
  private readonly leaseTtlMs: number;
  private readonly renewEveryMs: number;
  private readonly maxWaitMs: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly states: BotState[];
  private readonly keyOf: (context: TurnContext) => string | undefined;
  private readonly onRenewError: (error: unknown, conversationKey: string) => void;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Each conversation's in-process FIFO. */
  private readonly queue = new KeyedSerialQueue();

  constructor(options: TurnSerializerOptions) {
    this.lock = options.lock;
    this.owner = options.owner ?? defaultOwner();
    this.leaseTtlMs = options.leaseTtlMs ?? 30_000;
    this.renewEveryMs = options.renewEveryMs ?? Math.max(1, Math.floor(this.leaseTtlMs / 3));
    this.maxWaitMs = options.maxWaitMs ?? 20_000;
    this.retryMinMs = options.retryMinMs ?? 5;
    this.retryMaxMs = options.retryMaxMs ?? 100;
    this.states = options.states ?? [];
    this.keyOf = options.keyOf ?? defaultConversationKey;
    this.onRenewError = options.onRenewError ?? (() => undefined);
    this.sleep = options.sleep ?? sleepFor;
  }

  /** Number of conversations with turns running or queued in this process. */
  get activeConversations(): number {
    return this.queue.busyKeys;
  }

  /** Middleware entry point. */
  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const key = this.keyOf(context);
    if (key === undefined) {
      await next();
      return;
    }
    await this.run(
      key,
      async () => {
        await Promise.all(this.states.map((state) => state.load(context)));
        await next();
      },
      () => this.states.map((state) => state.saveChanges(context)),
    );
  }

  /**
   * Runs `work` when every earlier turn of `conversationKey` (here and elsewhere) is done.
   * `finish` runs after `work` succeeds, in the same tick as the lease release; it is skipped
   * when the lease was lost, so a stale turn never overwrites a newer one.
   */
  run<T>(conversationKey: string, work: () => Promise<T>, finish?: () => Promise<unknown>[]): Promise<T> {
    const arrivedAt = Date.now();
    return this.queue.run(conversationKey, () => this.runLeased(conversationKey, arrivedAt, work, finish));
  }

  private async runLeased<T>(key: string, arrivedAt: number, work: () => Promise<T>, finish?: () => Promise<unknown>[]): Promise<T> {
    await this.acquire(key, arrivedAt);
    let lost = false;
    const renewal = setInterval(() => {
      this.lock.renew(key, this.owner, this.leaseTtlMs).then(
        (held) => {
          if (!held) lost = true;
        },
        (error: unknown) => this.onRenewError(error, key),
      );
    }, this.renewEveryMs);
    renewal.unref();

    let result: T;
    try {
      result = await work();
    } catch (error) {
      clearInterval(renewal);
      await this.lock.release(key, this.owner).catch(() => undefined); // the turn's error matters more
      throw error;
    }
    clearInterval(renewal);
    if (lost) {
      await this.lock.release(key, this.owner).catch(() => undefined);
      throw new ConversationLockLostError(key);
    }
    // Saves and release are started in one synchronous step so a batching store sends them
    // together, release last; botbuilder's BotState reaches storage.write without I/O first.
    const saves = finish ? finish() : [];
    const release = this.lock.release(key, this.owner);
    const outcomes = await Promise.allSettled([...saves, release]);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    return result;
  }

  private async acquire(key: string, arrivedAt: number): Promise<void> {
    let pause = this.retryMinMs;
    for (;;) {
      if (await this.lock.acquire(key, this.owner, this.leaseTtlMs)) return;
      const waited = Date.now() - arrivedAt;
      if (waited >= this.maxWaitMs) throw new ConversationLockTimeoutError(key, waited);
      // Jitter keeps instances that wait on one conversation from polling in lockstep.
      const jittered = pause / 2 + Math.random() * (pause / 2);
      await this.sleep(Math.min(jittered, this.maxWaitMs - waited));
      pause = Math.min(pause * 2, this.retryMaxMs);
    }
  }
}
