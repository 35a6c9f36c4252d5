import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../../telemetry/logger';
import { ActionIds } from './render';
import type { DeliveryInbox, StaleDelivery } from './store/DeliveryInbox';
import type { EventDeduplicator } from './store/EventDeduplicator';

/** Slack retries a delivery for about an hour at most; an hour of memory covers every retry. */
const EVENT_CLAIM_TTL_MS = 60 * 60 * 1000;
/** A message's buttons count once, however often they are clicked. */
const CLICK_CLAIM_TTL_MS = 24 * 60 * 60 * 1000;

export interface SlackDeliveriesOptions {
  inbox: DeliveryInbox;
  claims: EventDeduplicator;
  /** How long a recorded delivery stays this instance's before another one takes it over. */
  leaseMs: number;
  /** action_id prefix of the agent desk's buttons (their clicks are deliveries too). */
  deskPrefix?: string;
  logger: Logger;
  /** Background work to wait for at shutdown. */
  track: (work: Promise<unknown>) => void;
}

/**
 * Exactly-once bookkeeping of Slack deliveries: the durable inbox (recorded before the ack,
 * leased to this instance, marked done after the turn), dedupe claims, and the deliveries being
 * processed again after their first instance died (their replies are checked before posting).
 */
export class SlackDeliveries {
  /** This instance, as the inbox's lease holder. */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly redoing = new Set<string>();

  constructor(private readonly options: SlackDeliveriesOptions) {}

  /** The inbox key of a delivery the bridge acts on; undefined for payloads it only acknowledges. */
  keyOf(body: Record<string, unknown>): string | undefined {
    return deliveryKey(body, this.options.deskPrefix);
  }

  /** Records a delivery before its ack (HTTP mode): 'duplicate' when it was recorded already. */
  async intake(body: Record<string, unknown>): Promise<'process' | 'duplicate'> {
    const key = this.keyOf(body);
    if (!key) return 'process';
    const recorded = await this.options.inbox.record(key, JSON.stringify(body), this.owner, this.options.leaseMs);
    if (recorded === 'duplicate') {
      this.options.logger.info({ key }, 'Slack duplicate delivery dropped');
      return 'duplicate';
    }
    // Slack's retry of a delivery whose instance died mid-way: process it again, carefully.
    if (recorded === 'taken_over') this.redoing.add(key);
    return 'process';
  }

  /** True while a delivery is processed again after its first instance died. */
  isRedo(delivery: string | undefined): boolean {
    return delivery !== undefined && this.redoing.has(delivery);
  }

  /** Claims a dedupe key; if the store fails, the turn still runs (an answer beats silence). */
  async claim(key: string, delivery: string | undefined): Promise<boolean> {
    try {
      const ttl = key.startsWith('action:') ? CLICK_CLAIM_TTL_MS : EVENT_CLAIM_TTL_MS;
      return await this.options.claims.claim(key, ttl, delivery, this.isRedo(delivery));
    } catch (error) {
      this.options.logger.error({ err: error, key }, 'Slack dedupe store failed; processing the delivery without dedupe');
      return true;
    }
  }

  /** Marks a delivery done (in the background); nothing to do for payloads without a key. */
  finish(delivery: string | undefined): void {
    if (!delivery) return;
    this.redoing.delete(delivery);
    this.options.track(
      this.options.inbox
        .complete(delivery)
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'could not mark a Slack delivery done; it may be processed again')),
    );
  }

  /** Takes over one delivery whose lease lapsed (its instance stopped), or undefined. */
  async takeStale(): Promise<StaleDelivery | undefined> {
    const stale = await this.options.inbox.claimStale(this.owner, this.options.leaseMs);
    if (stale) this.redoing.add(stale.key); // until its processing finishes (finish())
    return stale;
  }

  /** How often to look for lapsed leases. */
  get sweepIntervalMs(): number {
    return Math.min(15_000, Math.max(250, Math.floor(this.options.leaseMs / 4)));
  }
}

/**
 * The inbox key of a delivery the bridge acts on (messages, mentions, clicks on its buttons);
 * undefined for payloads it only acknowledges. One key per Slack delivery, the same on retries.
 */
export function deliveryKey(body: Record<string, unknown>, deskPrefix?: string): string | undefined {
  if (body.type === 'event_callback') {
    const event = body.event as { type?: unknown } | undefined;
    if (event?.type !== 'message' && event?.type !== 'app_mention') return undefined;
    return typeof body.event_id === 'string' && body.event_id ? `delivery:${String(body.team_id)}:${body.event_id}` : undefined;
  }
  if (body.type === 'block_actions') {
    const actions = Array.isArray(body.actions) ? (body.actions as Array<{ action_id?: unknown }>) : [];
    const actionId = typeof actions[0]?.action_id === 'string' ? actions[0].action_id : '';
    if (!actionId.startsWith(ActionIds.replyPrefix) && !(deskPrefix && actionId.startsWith(deskPrefix))) return undefined;
    const team = (body.team as { id?: unknown } | undefined)?.id;
    return typeof body.trigger_id === 'string' && body.trigger_id ? `delivery:${String(team)}:${body.trigger_id}` : undefined;
  }
  return undefined;
}
