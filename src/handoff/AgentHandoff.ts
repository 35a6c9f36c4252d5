import { MessageFactory } from 'botbuilder-core';
import { AgentHelp, parseAgentCommand } from './agentCommands';
import type { HandoffErrorCode } from './errors';
import type { HandoffDependencies } from './HandoffDependencies';
import { HandoffMessages, RatingOptions } from './messages';
import { claimedPatch, endedPatch, type AgentRef, type DeskThread, type Ticket } from './ticket';
import type { Notification, TicketNotifier } from './TicketNotifier';

/** How an agent's action ended; refusals were also told to the agent privately. */
export type AgentActionResult = { ok: true; ticket: Ticket } | { ok: false; code: HandoffErrorCode; message: string };

/** What became of a message an agent wrote in a ticket thread. */
export type ThreadMessageResult =
  | { kind: 'relayed'; ticket: Ticket }
  | { kind: 'undelivered'; ticket: Ticket }
  | { kind: 'note' }
  | { kind: 'command'; result?: AgentActionResult }
  | { kind: 'duplicate' }
  | { kind: 'not_a_ticket' };

/** Slack (or any desk) may deliver an event twice; each message is acted on once per day. */
const DEDUPE_TTL_MS = 24 * 3_600_000;
const MAX_ATTEMPTS = 5;

/**
 * The agents' side: claim, resolve and thread messages, whatever desk they come from. Every
 * change is a compare-and-set on the ticket's version, so of two agents clicking Claim at the
 * same moment, on the same instance or on two, exactly one gets the ticket.
 */
export class AgentHandoff {
  constructor(
    private readonly deps: HandoffDependencies,
    private readonly notifier: TicketNotifier,
  ) {}

  async claim(ticketId: string, agent: AgentRef, where: DeskThread): Promise<AgentActionResult> {
    const { store, timings } = this.deps;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const ticket = await store.get(ticketId);
      if (!ticket) return this.refuse(where, agent, 'HANDOFF_TICKET_NOT_FOUND', `Ticket ${ticketId} does not exist.`);
      if (ticket.state === 'active') {
        const owner = ticket.agent;
        return owner?.id === agent.id
          ? this.refuse(where, agent, 'HANDOFF_ALREADY_CLAIMED', `You already have ticket ${ticket.id}.`)
          : this.refuse(where, agent, 'HANDOFF_ALREADY_CLAIMED', `Ticket ${ticket.id} is already claimed by ${owner?.name ?? 'another agent'}.`);
      }
      if (ticket.state !== 'queued') {
        return this.refuse(where, agent, 'HANDOFF_INVALID_TRANSITION', `Ticket ${ticket.id} is ${ticket.state}; it can no longer be claimed.`);
      }
      const now = this.deps.now();
      const notices = this.notifier.announce(ticket, [
        { customer: [{ type: 'message', text: HandoffMessages.claimed(agent.name) }], status: { state: 'accepted' } },
        { refresh: true },
        { note: `${agent.name} claimed this ticket. Their replies in this thread now reach the customer; start a line with \`!note\` to keep it internal.` },
      ]);
      const claimed = await store.update(ticket.id, ticket.version, { ...claimedPatch(ticket, agent, now, timings), enqueue: notices });
      if (!claimed) continue; // lost a race: read again and see who won
      this.deps.metrics.handoff('claimed', (now - (claimed.queuedAt ?? claimed.createdAt)) / 1000);
      await this.notifier.flush(claimed, notices);
      return { ok: true, ticket: claimed };
    }
    return this.refuse(where, agent, 'HANDOFF_CONFLICT', `Ticket ${ticketId} kept changing; please try again.`);
  }

  async resolve(ticketId: string, agent: AgentRef, where: DeskThread): Promise<AgentActionResult> {
    const { store, timings } = this.deps;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const ticket = await store.get(ticketId);
      if (!ticket) return this.refuse(where, agent, 'HANDOFF_TICKET_NOT_FOUND', `Ticket ${ticketId} does not exist.`);
      if (ticket.state === 'active' && ticket.agent?.id !== agent.id) {
        return this.refuse(where, agent, 'HANDOFF_NOT_OWNER', `Only ${ticket.agent?.name ?? 'the agent who claimed it'} can resolve ticket ${ticket.id}.`);
      }
      if (ticket.state !== 'active' && ticket.state !== 'queued') {
        return this.refuse(where, agent, 'HANDOFF_INVALID_TRANSITION', `Ticket ${ticket.id} is already ${ticket.state}.`);
      }
      const wasActive = ticket.state === 'active';
      const now = this.deps.now();
      const patch = wasActive
        ? endedPatch(ticket, 'resolved', 'resolved_by_agent', now, timings, 'rating')
        : endedPatch(ticket, 'resolved', 'closed_while_queued', now, timings);
      const customerNotice: Notification = wasActive
        ? {
            customer: [
              MessageFactory.suggestedActions(
                RatingOptions.map((o) => o.label),
                HandoffMessages.resolved(ticket.agent?.name ?? agent.name),
              ),
            ],
            status: { state: 'completed' },
          }
        : { customer: [{ type: 'message', text: HandoffMessages.closedWhileQueued }], status: { state: 'completed', message: 'closed by an agent' } };
      const notices = this.notifier.announce(ticket, [
        customerNotice,
        { refresh: true },
        { note: `${agent.name} resolved this ticket. The customer is back with the bot.` },
      ]);
      const resolved = await store.update(ticket.id, ticket.version, { ...patch, set: { ...patch.set, agent: ticket.agent ?? agent }, enqueue: notices });
      if (!resolved) continue;
      if (wasActive) this.deps.metrics.handoff('resolved', (now - (ticket.claimedAt ?? now)) / 1000);
      else this.deps.metrics.handoff('resolved');
      await this.notifier.flush(resolved, notices);
      return { ok: true, ticket: resolved };
    }
    return this.refuse(where, agent, 'HANDOFF_CONFLICT', `Ticket ${ticketId} kept changing; please try again.`);
  }

  /**
   * A message an agent wrote in a ticket's thread. The owner's messages go to the customer;
   * anyone else's are internal notes and never leave the desk.
   * @param messageKey unique per desk message, so a redelivered event is relayed once.
   */
  async onThreadMessage(thread: DeskThread, agent: AgentRef, text: string, messageKey: string): Promise<ThreadMessageResult> {
    const { store, now } = this.deps;
    // Both at once: one round trip less on the relay path (marking a non-ticket message is harmless).
    const [ticket, first] = await Promise.all([store.findByThread(thread.channel, thread.ts), store.markOnce(messageKey, DEDUPE_TTL_MS, now())]);
    if (!ticket) return { kind: 'not_a_ticket' };
    if (!first) return { kind: 'duplicate' };

    const command = parseAgentCommand(text);
    if (command) {
      switch (command.kind) {
        case 'claim':
          return { kind: 'command', result: await this.claim(ticket.id, agent, thread) };
        case 'resolve':
          return { kind: 'command', result: await this.resolve(ticket.id, agent, thread) };
        case 'note':
          return { kind: 'note' };
        case 'help':
          await this.tell(thread, agent, AgentHelp);
          return { kind: 'command' };
        default:
          await this.tell(thread, agent, `Unknown command \`!${command.word}\`; nothing was sent to the customer. ${AgentHelp}`);
          return { kind: 'command' };
      }
    }
    if (ticket.state === 'queued') {
      await this.tell(thread, agent, 'Internal note: the customer did not see this. Claim the ticket to chat with them.');
      return { kind: 'note' };
    }
    if (ticket.state !== 'active' || ticket.agent?.id !== agent.id) return { kind: 'note' };

    const delivered = await this.notifier.tellCustomer(ticket, [{ type: 'message', text }]);
    const at = now();
    if (at - ticket.lastActivityAt > this.deps.timings.idleTimeoutMs / 20) await store.touch(ticket.id, at);
    return { kind: delivered ? 'relayed' : 'undelivered', ticket };
  }

  private async refuse(where: DeskThread, agent: AgentRef, code: HandoffErrorCode, message: string): Promise<AgentActionResult> {
    await this.tell(where, agent, message);
    return { ok: false, code, message };
  }

  private async tell(where: DeskThread, agent: AgentRef, text: string): Promise<void> {
    try {
      await this.deps.desk.tellAgent(where, agent.id, text);
    } catch (error) {
      this.deps.logger.warn({ err: error, agentId: agent.id }, 'handoff: could not message an agent privately');
    }
  }
}
