import type { HandoffStore } from './store/HandoffStore';
import type { Ticket, TicketPatch } from './ticket';

/**
 * Read, decide, compare-and-set; again on a lost race. `decide` returns undefined to give up
 * (the ticket no longer qualifies). @returns the updated ticket, or undefined.
 */
export async function updateWithRetry(
  store: HandoffStore,
  id: string,
  decide: (ticket: Ticket) => TicketPatch | undefined,
  attempts = 5,
): Promise<Ticket | undefined> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const ticket = await store.get(id);
    if (!ticket) return undefined;
    const patch = decide(ticket);
    if (!patch) return undefined;
    const updated = await store.update(id, ticket.version, patch);
    if (updated) return updated;
  }
  return undefined;
}
