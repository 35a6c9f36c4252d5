import { strict as assert } from 'node:assert';
import { isHandoffError } from '../../src/handoff/errors';
import { describeWait, expectedWaitMs } from '../../src/handoff/queueEstimate';
import { applyPatch, canTransition, claimedPatch, endedPatch, queuedPatch, TICKET_STATES, type TicketState } from '../../src/handoff/ticket';
import { makeTicket } from './support/tickets';

const timings = { queueTimeoutMs: 300_000, idleTimeoutMs: 900_000, followUpMs: 600_000 };

describe('Ticket state machine', () => {
  it('should allow exactly the documented transitions', () => {
    const allowed: Record<TicketState, TicketState[]> = {
      requested: ['queued', 'cancelled', 'expired'],
      queued: ['active', 'resolved', 'cancelled', 'expired'],
      active: ['resolved', 'expired'],
      resolved: [],
      cancelled: [],
      expired: [],
    };
    for (const from of TICKET_STATES) {
      for (const to of TICKET_STATES) {
        assert.equal(canTransition(from, to), allowed[from].includes(to), `${from} → ${to}`);
      }
    }
  });

  it('should walk requested → queued → active → resolved with timers set and cleared', () => {
    let ticket = makeTicket();
    ticket = applyPatch(ticket, queuedPatch(ticket, { channel: 'C1', ts: '1.1' }, 2, 10_000, timings));
    assert.equal(ticket.state, 'queued');
    assert.equal(ticket.dueAt, 10_000 + timings.queueTimeoutMs);
    assert.equal(ticket.queuePosition, 2);
    ticket = applyPatch(ticket, claimedPatch(ticket, { id: 'U1', name: 'Alice' }, 20_000, timings));
    assert.equal(ticket.state, 'active');
    assert.equal(ticket.dueAt, 20_000 + timings.idleTimeoutMs);
    ticket = applyPatch(ticket, endedPatch(ticket, 'resolved', 'resolved_by_agent', 30_000, timings, 'rating'));
    assert.equal(ticket.state, 'resolved');
    assert.equal(ticket.followUp, 'rating');
    assert.equal(ticket.dueAt, 30_000 + timings.followUpMs);
    assert.equal(ticket.version, 4);
  });

  it('should refuse an illegal move with HANDOFF_INVALID_TRANSITION', () => {
    const resolved = makeTicket({ state: 'resolved' });
    assert.throws(
      () => claimedPatch(resolved, { id: 'U1', name: 'Alice' }, 1, timings),
      (e: unknown) => isHandoffError(e, 'HANDOFF_INVALID_TRANSITION') && /resolved and cannot become active/.test(e.message),
    );
  });

  it('should clear timers when a ticket ends without a follow-up', () => {
    const queued = makeTicket({ state: 'queued', dueAt: 5, followUp: 'message', followUpUntil: 9 });
    const ended = applyPatch(queued, endedPatch(queued, 'cancelled', 'cancelled_by_customer', 10, timings));
    assert.equal(ended.dueAt, undefined);
    assert.equal(ended.followUp, undefined);
  });
});

describe('Queue estimate', () => {
  it('should have no estimate without history', () => {
    assert.equal(expectedWaitMs(3, []), undefined);
  });

  it('should scale the median time per queue place by the position', () => {
    const samples = [
      { waitMs: 60_000, position: 1 },
      { waitMs: 240_000, position: 2 },
      { waitMs: 90_000, position: 1 },
      { waitMs: 3_600_000, position: 1 },
    ];
    // per place: 60s, 120s, 90s, 3600s → median 105s
    assert.equal(expectedWaitMs(2, samples), 210_000);
  });

  it('should word waits for customers', () => {
    assert.equal(describeWait(20_000), 'less than a minute');
    assert.equal(describeWait(60_000), 'about a minute');
    assert.equal(describeWait(300_000), 'about 5 minutes');
    assert.equal(describeWait(3_600_000), 'about an hour');
    assert.equal(describeWait(3 * 3_600_000), 'about 3 hours');
  });
});
