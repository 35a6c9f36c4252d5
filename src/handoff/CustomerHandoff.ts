import { ActivityTypes, MessageFactory, TurnContext, type Activity, type StatePropertyAccessor } from 'botbuilder-core';
import type { HandoffRequest, HandoffRequester } from '../../dialogs/ports';
import { describeWait, expectedWaitMs } from './queueEstimate';
import { HandoffError } from './errors';
import { inferRequest } from './inferRequest';
import type { HandoffDependencies } from './HandoffDependencies';
import { HandoffButtons, HandoffMessages, isCancel, isDecline, parseRating, RatingOptions } from './messages';
import { describe, type RecentTranscript } from './recentTranscript';
import { conversationKeyOf, newTicketId } from './ticketIds';
import { endedPatch, followUpDonePatch, OPEN_STATES, queuedPatch, type DeskThread, type OutboxEntry, type Ticket } from './ticket';
import type { TicketNotifier } from './TicketNotifier';
import { updateWithRetry } from './updateWithRetry';

/** Which ticket holds this conversation; kept in conversation state, so it costs no extra read. */
export interface HandoffPointer {
  ticketId?: string;
}

/** A request that never reached the queue (the instance died mid-way) is cancelled after this. */
export const STALE_REQUEST_MS = 60_000;
/** Recent claims the expected wait is estimated from. */
const WAIT_SAMPLES = 20;

/** `held`: another participant wrote while someone's ticket is open; nothing was relayed or changed. */
type GateResult = 'relayed' | 'done' | 'pass' | 'held';

/**
 * The customer's side of a handoff: starts it (as the dialogs' {@link HandoffRequester}) and,
 * as the bot's message gate, keeps the bot out of the conversation while a human has it.
 */
export class CustomerHandoff implements HandoffRequester {
  constructor(
    private readonly deps: HandoffDependencies,
    private readonly notifier: TicketNotifier,
    private readonly pointer: StatePropertyAccessor<HandoffPointer>,
    private readonly recent: RecentTranscript,
    private readonly newId: () => string = newTicketId,
  ) {}

  async requestHandoff(context: TurnContext, request: HandoffRequest): Promise<void> {
    const { store, desk, hours, timings, now: clock } = this.deps;
    const existing = await this.currentTicket(context);
    if (existing && OPEN_STATES.has(existing.state)) {
      await context.sendActivity(HandoffMessages.stillQueued(await this.positionOf(existing)));
      return;
    }
    if (this.deps.mayOpenTicket && !(await this.deps.mayOpenTicket(context))) {
      await context.sendActivity(HandoffMessages.tooManyRequests);
      return;
    }
    const now = clock();
    const lines = await this.recent.lines(context);
    const ticket = this.newTicket(context, inferRequest(request, lines), lines, now);
    await store.insert(ticket);
    await this.pointer.set(context, { ticketId: ticket.id });
    this.deps.metrics.handoff('requested');

    if (!hours.isOpen(now)) {
      await this.takeMessageAfterHours(context, ticket, now);
      return;
    }
    let thread: DeskThread;
    try {
      // Posted as it will be a moment later (queued, with Claim), to save a chat.update.
      thread = await desk.openTicket({ ...ticket, state: 'queued', queuedAt: now });
    } catch (error) {
      await this.deskFailed(context, ticket, error);
      return;
    }
    const position = (await store.countQueuedBefore(now, ticket.id)) + 1;
    const queued = await store.update(ticket.id, ticket.version, queuedPatch(ticket, thread, position, now, timings));
    if (!queued) throw new HandoffError('HANDOFF_CONFLICT', `Ticket ${ticket.id} changed while it was being queued.`);
    const wait = expectedWaitMs(position, await store.recentWaits(WAIT_SAMPLES));
    const initiate = this.deps.events.initiate(context, queued);
    const outgoing: Partial<Activity>[] = this.deps.events.reachesChannel(ticket.channelId) ? [initiate] : [];
    outgoing.push(
      MessageFactory.suggestedActions([HandoffButtons.cancel], HandoffMessages.queued(position, wait === undefined ? undefined : describeWait(wait))),
    );
    await context.sendActivities(outgoing);
  }

  /**
   * The bot's gate, run before the dialogs on every message. @returns true when the handoff
   * layer handled the message (relayed it, took a left message or a rating) and the bot must not.
   */
  async onMessage(context: TurnContext): Promise<boolean> {
    const pointer = await this.pointer.get(context);
    const ticket = pointer?.ticketId ? await this.deps.store.get(pointer.ticketId) : undefined;
    const result: GateResult = ticket ? await this.handle(context, ticket) : 'pass';
    if (result !== 'relayed' && result !== 'held' && pointer) await this.pointer.delete(context);
    if (result === 'pass') await this.recent.record(context);
    return result !== 'pass';
  }

  private async handle(context: TurnContext, ticket: Ticket): Promise<GateResult> {
    const now = this.deps.now();
    // In a shared conversation (a Slack or Teams channel thread) only the person who asked for
    // help speaks to the agent, cancels or rates: others must not talk as the (verified) customer.
    const open = ticket.state === 'queued' || ticket.state === 'active' || (Boolean(ticket.followUp) && (ticket.followUpUntil ?? 0) > now);
    const sender = context.activity.from?.id;
    if (open && sender !== undefined && sender !== ticket.customer.id) {
      await context.sendActivity(HandoffMessages.notTheirTicket);
      return 'held';
    }
    switch (ticket.state) {
      case 'requested':
        // Turns of one conversation never overlap, so a ticket still "requested" here is left
        // over from an instance that died mid-request.
        await this.deps.store.update(ticket.id, ticket.version, endedPatch(ticket, 'cancelled', 'desk_unavailable', now, this.deps.timings));
        return 'pass';
      case 'queued':
        if (isCancel(context.activity.text ?? '')) return this.cancel(context, ticket);
        await this.relay(context, ticket, now);
        await context.sendActivity(HandoffMessages.stillQueued(await this.positionOf(ticket)));
        return 'relayed';
      case 'active':
        await this.relay(context, ticket, now);
        return 'relayed';
      default:
        if (ticket.followUp && (ticket.followUpUntil ?? 0) > now) return this.followUp(context, ticket, now);
        return 'pass';
    }
  }

  private async relay(context: TurnContext, ticket: Ticket, now: number): Promise<void> {
    const text = describe(context.activity);
    if (text === '') return;
    const posted = await this.notifier.post(ticket, { kind: 'customer', text });
    if (!posted) await context.sendActivity(HandoffMessages.relayFailed);
    // Touch sparingly: the idle timeout needs minutes of precision, not one write per message.
    if (ticket.state === 'active' && now - ticket.lastActivityAt > this.deps.timings.idleTimeoutMs / 20) {
      await this.deps.store.touch(ticket.id, now);
    }
  }

  private async cancel(context: TurnContext, ticket: Ticket): Promise<GateResult> {
    const { store, timings } = this.deps;
    const now = this.deps.now();
    const notices = this.notifier.announce(ticket, [{ refresh: true }, { note: 'The customer cancelled the request.' }]);
    const cancelled = await store.update(ticket.id, ticket.version, {
      ...endedPatch(ticket, 'cancelled', 'cancelled_by_customer', now, timings),
      enqueue: notices,
    });
    if (!cancelled) {
      // An agent claimed it (or it timed out) at this very moment: decide again on the news.
      const fresh = await store.get(ticket.id);
      return fresh && fresh.version !== ticket.version ? this.handle(context, fresh) : 'pass';
    }
    this.deps.metrics.handoff('cancelled');
    await this.sendWithStatus(context, cancelled, HandoffMessages.cancelled, 'failed', 'cancelled by the customer');
    await this.notifier.flush(cancelled, notices);
    return 'done';
  }

  private async followUp(context: TurnContext, ticket: Ticket, now: number): Promise<GateResult> {
    const { store } = this.deps;
    const text = context.activity.text ?? '';
    if (ticket.followUp === 'rating') {
      const rating = parseRating(text);
      if (!rating) {
        await store.update(ticket.id, ticket.version, followUpDonePatch());
        return 'pass';
      }
      const done = followUpDonePatch();
      let notices: OutboxEntry[] = [];
      const rated = await updateWithRetry(store, ticket.id, (t) => {
        if (t.followUp !== 'rating') return undefined;
        notices = this.notifier.announce(t, [{ refresh: true }, { note: `The customer rated the chat: *${rating.label}*.` }]);
        return { set: { rating: { ...rating, at: now } }, unset: done.unset, enqueue: notices };
      });
      await this.deps.conversationEvents?.record(context, { name: 'satisfaction', rating: rating.score, scale: RatingOptions.length });
      await context.sendActivity(HandoffMessages.ratingThanks);
      if (rated) await this.notifier.flush(rated, notices);
      return 'done';
    }
    if (isDecline(text)) {
      await store.update(ticket.id, ticket.version, followUpDonePatch());
      await context.sendActivity(HandoffMessages.messageDeclined);
      return 'done';
    }
    const left = { text: describe(context.activity), at: now };
    let notices: OutboxEntry[] = [];
    const updated = await updateWithRetry(store, ticket.id, (t) => {
      if (t.followUp !== 'message') return undefined;
      notices = this.notifier.announce(t, [{ post: { kind: 'left_message', text: left.text } }, { refresh: true }]);
      return { set: { leftMessages: [...t.leftMessages, left] }, unset: followUpDonePatch().unset, enqueue: notices };
    });
    await context.sendActivity(HandoffMessages.messageTaken);
    if (updated) await this.notifier.flush(updated, notices);
    return 'done';
  }

  private async takeMessageAfterHours(context: TurnContext, ticket: Ticket, now: number): Promise<void> {
    const { store, desk, hours, timings } = this.deps;
    let expired = await store.update(ticket.id, ticket.version, endedPatch(ticket, 'expired', 'after_hours', now, timings, 'message'));
    if (!expired) throw new HandoffError('HANDOFF_CONFLICT', `Ticket ${ticket.id} changed while it was being created.`);
    try {
      const thread = await desk.openTicket(expired);
      expired = (await store.update(expired.id, expired.version, { set: { thread } })) ?? expired;
    } catch (error) {
      // The message is still taken and stored with the ticket; agents see it in the store.
      this.deps.logger.warn({ err: error, ticketId: ticket.id }, 'handoff: could not post an after-hours ticket');
    }
    const next = hours.nextOpening(now);
    const nextText = next ? `${next.inDays === 0 ? 'today' : next.inDays === 1 ? 'tomorrow' : `on ${next.weekday}`} at ${next.time}` : undefined;
    const hoursText = `${hours.source} (${hours.timeZone} time)`;
    const reply = MessageFactory.suggestedActions([HandoffButtons.noThanks], HandoffMessages.afterHours(hoursText, nextText));
    const outgoing: Partial<Activity>[] = [];
    if (this.deps.events.reachesChannel(ticket.channelId)) {
      outgoing.push(this.deps.events.initiate(context, expired), this.deps.events.status(expired, 'failed', 'outside business hours'));
    }
    outgoing.push(reply);
    await context.sendActivities(outgoing);
  }

  private async deskFailed(context: TurnContext, ticket: Ticket, error: unknown): Promise<void> {
    this.deps.logger.error({ err: error, ticketId: ticket.id, code: 'HANDOFF_DESK_UNAVAILABLE' }, 'handoff: the agent desk is unreachable');
    const now = this.deps.now();
    const cancelled = await this.deps.store.update(ticket.id, ticket.version, endedPatch(ticket, 'cancelled', 'desk_unavailable', now, this.deps.timings));
    await this.pointer.delete(context);
    this.deps.metrics.handoff('cancelled');
    await this.sendWithStatus(context, cancelled ?? ticket, HandoffMessages.deskUnavailable, 'failed', 'the agent desk is unavailable');
  }

  /** Replies in the turn, preceded by a handoff.status event where the channel takes events. */
  private async sendWithStatus(context: TurnContext, ticket: Ticket, text: string, state: 'failed' | 'completed', message: string): Promise<void> {
    const status = this.deps.events.status(ticket, state, message);
    const outgoing: Partial<Activity>[] = this.deps.events.reachesChannel(ticket.channelId) ? [status] : [];
    outgoing.push({ type: ActivityTypes.Message, text });
    await context.sendActivities(outgoing);
  }

  private async currentTicket(context: TurnContext): Promise<Ticket | undefined> {
    const pointer = await this.pointer.get(context);
    return pointer?.ticketId ? this.deps.store.get(pointer.ticketId) : undefined;
  }

  private async positionOf(ticket: Ticket): Promise<number> {
    if (ticket.queuedAt === undefined) return 1;
    return (await this.deps.store.countQueuedBefore(ticket.queuedAt, ticket.id)) + 1;
  }

  private newTicket(context: TurnContext, request: HandoffRequest, transcript: Ticket['transcript'], now: number): Ticket {
    const activity = context.activity;
    const channelId = activity.channelId ?? 'unknown';
    // activityId is this turn's message; proactive messages start new ones rather than reply to it.
    const { activityId: _turnActivity, ...reference } = TurnContext.getConversationReference(activity);
    return {
      id: this.newId(),
      version: 1,
      state: 'requested',
      conversationKey: conversationKeyOf(channelId, activity.conversation?.id ?? ''),
      channelId,
      reference,
      customer: { id: activity.from?.id ?? 'unknown', name: activity.from?.name || undefined },
      reason: request.reason,
      intent: request.intent,
      orderId: request.orderId,
      ...(request.verification ? { verification: request.verification } : {}),
      transcript,
      createdAt: now,
      lastActivityAt: now,
      dueAt: now + STALE_REQUEST_MS,
      leftMessages: [],
    };
  }
}
