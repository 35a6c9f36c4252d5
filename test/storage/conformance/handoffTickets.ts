import { strict as assert } from 'node:assert';
import type { HandoffStore } from '../../../src/handoff/store/HandoffStore';
import { makeTicket } from '../../handoff/support/tickets';

/**
 * The behaviour every HandoffStore must have. Run against the memory twin and MongoDB, so the
 * twin used by unit tests cannot drift from the real thing.
 */
export function runHandoffStoreConformance(name: string, create: () => HandoffStore | Promise<HandoffStore>): void {
  describe(`${name} (HandoffStore conformance)`, () => {
    let store: HandoffStore;
    beforeEach(async () => {
      store = await create();
    });

    it('should return what was inserted, and nothing for an unknown id', async () => {
      const ticket = makeTicket({ intent: 'ask_order_status', orderId: '12345' });
      await store.insert(ticket);
      assert.deepEqual(await store.get(ticket.id), ticket);
      assert.equal(await store.get('T-NOPE'), undefined);
    });

    it('should refuse to insert a ticket id twice', async () => {
      const ticket = makeTicket();
      await store.insert(ticket);
      await assert.rejects(store.insert(ticket));
    });

    it('should keep optional fields absent rather than null', async () => {
      const ticket = makeTicket();
      await store.insert(ticket);
      const read = await store.get(ticket.id);
      assert.equal('intent' in (read as object), false);
      assert.equal('dueAt' in (read as object), false);
    });

    it('should apply an update at the expected version, bump the version, and unset fields', async () => {
      const ticket = makeTicket({ dueAt: 5_000 });
      await store.insert(ticket);
      const updated = await store.update(ticket.id, 1, { set: { state: 'queued', queuedAt: 2_000 }, unset: ['dueAt'] });
      assert.equal(updated?.version, 2);
      assert.equal(updated?.state, 'queued');
      assert.equal(updated?.queuedAt, 2_000);
      assert.equal(updated?.dueAt, undefined);
      assert.deepEqual(await store.get(ticket.id), updated);
    });

    it('should refuse an update at a stale version and leave the ticket unchanged', async () => {
      const ticket = makeTicket();
      await store.insert(ticket);
      await store.update(ticket.id, 1, { set: { state: 'queued' } });
      assert.equal(await store.update(ticket.id, 1, { set: { state: 'cancelled' } }), undefined);
      assert.equal((await store.get(ticket.id))?.state, 'queued');
      assert.equal(await store.update('T-NOPE', 1, { set: { state: 'queued' } }), undefined);
    });

    it('should let exactly one of many concurrent updates at the same version win', async () => {
      const ticket = makeTicket({ state: 'queued' });
      await store.insert(ticket);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.update(ticket.id, 1, { set: { state: 'active', agent: { id: `U${i}`, name: `Agent ${i}` } } })),
      );
      const winners = results.filter((r) => r !== undefined);
      assert.equal(winners.length, 1);
      assert.deepEqual((await store.get(ticket.id))?.agent, winners[0]?.agent);
    });

    it('should find a ticket by its desk thread', async () => {
      const ticket = makeTicket({ thread: { channel: 'C1', ts: '111.222' } });
      await store.insert(ticket);
      await store.insert(makeTicket({ thread: { channel: 'C1', ts: '333.444' } }));
      assert.equal((await store.findByThread('C1', '111.222'))?.id, ticket.id);
      assert.equal(await store.findByThread('C2', '111.222'), undefined);
    });

    it('should touch only forwards and without a version change', async () => {
      const ticket = makeTicket({ lastActivityAt: 5_000 });
      await store.insert(ticket);
      await store.touch(ticket.id, 4_000);
      assert.equal((await store.get(ticket.id))?.lastActivityAt, 5_000);
      await store.touch(ticket.id, 9_000);
      const read = await store.get(ticket.id);
      assert.equal(read?.lastActivityAt, 9_000);
      assert.equal(read?.version, 1);
    });

    it('should count queued tickets ahead in queue order, ties broken by id', async () => {
      await store.insert(makeTicket({ id: 'T-A', state: 'queued', queuedAt: 100 }));
      await store.insert(makeTicket({ id: 'T-B', state: 'queued', queuedAt: 200 }));
      await store.insert(makeTicket({ id: 'T-C', state: 'queued', queuedAt: 200 }));
      await store.insert(makeTicket({ id: 'T-D', state: 'active', queuedAt: 50 }));
      assert.equal(await store.countQueuedBefore(100, 'T-A'), 0);
      assert.equal(await store.countQueuedBefore(200, 'T-B'), 1);
      assert.equal(await store.countQueuedBefore(200, 'T-C'), 2);
      assert.equal(await store.countQueuedBefore(300, 'T-Z'), 3);
    });

    it('should list recent waits newest claim first', async () => {
      await store.insert(makeTicket({ queuedAt: 0, claimedAt: 10_000, queuePosition: 1 }));
      await store.insert(makeTicket({ queuedAt: 0, claimedAt: 30_000, queuePosition: 3 }));
      await store.insert(makeTicket({ queuedAt: 5_000, claimedAt: 25_000, queuePosition: 2 }));
      await store.insert(makeTicket({ queuedAt: 1_000 }));
      assert.deepEqual(await store.recentWaits(2), [
        { waitMs: 30_000, position: 3 },
        { waitMs: 20_000, position: 2 },
      ]);
    });

    it('should hand a due ticket to one sweeper at a time and again once the lease lapses', async () => {
      const due = makeTicket({ dueAt: 1_000 });
      await store.insert(due);
      await store.insert(makeTicket({ dueAt: 9_000 }));
      assert.equal((await store.claimDue(2_000, 'a', 500))?.id, due.id);
      assert.equal(await store.claimDue(2_100, 'b', 500), undefined);
      const again = await store.claimDue(2_600, 'b', 500);
      assert.equal(again?.id, due.id);
      assert.deepEqual(again?.lease, { owner: 'b', until: 3_100 });
    });

    it('should give a due ticket to exactly one of two concurrent sweepers', async () => {
      const due = makeTicket({ dueAt: 1_000 });
      await store.insert(due);
      const [a, b] = await Promise.all([store.claimDue(2_000, 'a', 5_000), store.claimDue(2_000, 'b', 5_000)]);
      assert.equal([a, b].filter((t) => t !== undefined).length, 1);
    });

    it('should release a lease only for its owner', async () => {
      const due = makeTicket({ dueAt: 1_000 });
      await store.insert(due);
      await store.claimDue(2_000, 'a', 60_000);
      await store.releaseLease(due.id, 'b');
      assert.equal(await store.claimDue(2_000, 'b', 60_000), undefined);
      await store.releaseLease(due.id, 'a');
      assert.equal((await store.claimDue(2_000, 'b', 60_000))?.id, due.id);
    });

    it('should not change the version when leasing, so a lease never blocks a transition', async () => {
      const due = makeTicket({ dueAt: 1_000 });
      await store.insert(due);
      await store.claimDue(2_000, 'a', 60_000);
      assert.ok(await store.update(due.id, 1, { set: { state: 'queued' } }));
    });

    it('should remember a key once until it lapses', async () => {
      assert.equal(await store.markOnce('slack:C1:1.2', 1_000, 10_000), true);
      assert.equal(await store.markOnce('slack:C1:1.2', 1_000, 10_500), false);
      assert.equal(await store.markOnce('slack:C1:9.9', 1_000, 10_500), true);
      assert.equal(await store.markOnce('slack:C1:1.2', 1_000, 11_001), true);
    });

    it('should let exactly one of concurrent marks of one key win', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => store.markOnce('dup', 60_000, 1_000)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    describe('the notification outbox', () => {
      const entry = (id: string) => ({ id, kind: 'thread' as const, post: { kind: 'system' as const, text: id } });

      it('should append entries atomically with the change they announce, and none on a lost race', async () => {
        const ticket = makeTicket({ state: 'queued' });
        await store.insert(ticket);
        const [a, b] = await Promise.all([
          store.update(ticket.id, 1, { set: { state: 'active' }, enqueue: [entry('a1'), entry('a2')] }),
          store.update(ticket.id, 1, { set: { state: 'cancelled' }, enqueue: [entry('b1')] }),
        ]);
        assert.equal([a, b].filter(Boolean).length, 1);
        const stored = await store.get(ticket.id);
        assert.deepEqual(
          stored?.outbox?.map((e) => e.id),
          a ? ['a1', 'a2'] : ['b1'],
        );
        assert.equal(typeof stored?.outboxSince, 'number');
        const next = await store.update(ticket.id, 2, { set: { lastActivityAt: 9 }, enqueue: [entry('c1')] });
        assert.deepEqual(
          next?.outbox?.map((e) => e.id),
          a ? ['a1', 'a2', 'c1'] : ['b1', 'c1'],
        );
      });

      it('should not bring back an entry completed between a read and an update', async () => {
        const ticket = makeTicket({ state: 'queued' });
        await store.insert(ticket);
        await store.update(ticket.id, 1, { set: {}, enqueue: [entry('x')] });
        await store.completeOutbox(ticket.id, 'x');
        const updated = await store.update(ticket.id, 2, { set: { state: 'active' }, enqueue: [entry('y')] });
        assert.deepEqual(
          updated?.outbox?.map((e) => e.id),
          ['y'],
        );
      });

      it("should lease a ticket's outbox to one sender at a time, to the same sender again, and to another once lapsed", async () => {
        const ticket = makeTicket();
        await store.insert(ticket);
        await store.update(ticket.id, 1, { set: {}, enqueue: [entry('x')] });
        assert.ok(await store.leaseOutbox(ticket.id, 'a', 1_000, 5_000));
        assert.equal(await store.leaseOutbox(ticket.id, 'b', 2_000, 5_000), undefined);
        assert.ok(await store.leaseOutbox(ticket.id, 'a', 2_000, 5_000));
        assert.equal(await store.claimOutbox(3_000, 'b', 5_000), undefined, 'a live lease is not claimable');
        const claimed = await store.claimOutbox(7_001, 'b', 5_000);
        assert.deepEqual(
          claimed?.outbox?.map((e) => e.id),
          ['x'],
        );
        assert.equal(claimed?.outboxLease?.owner, 'b');
        await store.releaseOutbox(ticket.id, 'a');
        assert.equal((await store.get(ticket.id))?.outboxLease?.owner, 'b', 'only the owner releases');
        await store.releaseOutbox(ticket.id, 'b');
        assert.ok(await store.claimOutbox(7_002, 'c', 5_000));
      });

      it('should give a pending outbox to exactly one of concurrent claimers, and none once it is empty', async () => {
        const ticket = makeTicket();
        await store.insert(ticket);
        await store.update(ticket.id, 1, { set: {}, enqueue: [entry('x'), entry('y')] });
        const claims = await Promise.all(['a', 'b', 'c'].map((owner) => store.claimOutbox(1_000, owner, 5_000)));
        assert.equal(claims.filter(Boolean).length, 1);
        await store.completeOutbox(ticket.id, 'x');
        assert.deepEqual(
          (await store.get(ticket.id))?.outbox?.map((e) => e.id),
          ['y'],
        );
        await store.completeOutbox(ticket.id, 'y');
        const done = await store.get(ticket.id);
        assert.equal(done?.outbox, undefined);
        assert.equal(done?.outboxSince, undefined);
        assert.equal(done?.outboxLease, undefined);
        assert.equal(await store.claimOutbox(99_000, 'a', 5_000), undefined);
        assert.equal(done?.version, 2, 'outbox bookkeeping never changes the version');
      });
    });
  });
}
