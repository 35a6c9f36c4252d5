import assert from 'node:assert/strict';
import { type ConversationLock, MemoryConversationLock } from '../../src/storage/ConversationLock';
import { StorageErrorCode } from '../../src/storage/errors';
import { TurnSerializer } from '../../src/storage/TurnSerializer';
import { gate, nextTurn, waitFor } from '../support/waitFor';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('TurnSerializer', () => {
  it('should run turns of one conversation one at a time, in arrival order', async () => {
    const serializer = new TurnSerializer({ lock: new MemoryConversationLock() });
    const events: string[] = [];
    let running = 0;
    const gates = [0, 1, 2, 3, 4].map(() => gate());
    const turns = gates.map((held, i) =>
      serializer.run('c', async () => {
        running += 1;
        assert.equal(running, 1, 'two turns overlapped');
        events.push(`start ${i}`);
        await held.promise;
        events.push(`end ${i}`);
        running -= 1;
      }),
    );
    await waitFor(() => events.includes('start 0'));
    // Later turns are free to finish first; they must still wait for the turn before them.
    for (const held of [...gates].reverse()) held.open();
    await Promise.all(turns);
    assert.deepEqual(
      events,
      [0, 1, 2, 3, 4].flatMap((i) => [`start ${i}`, `end ${i}`]),
    );
    assert.equal(serializer.activeConversations, 0);
  });

  it('should run turns of different conversations at the same time', async () => {
    const serializer = new TurnSerializer({ lock: new MemoryConversationLock() });
    let running = 0;
    const held = gate();
    const turns = ['a', 'b', 'c'].map((key) =>
      serializer.run(key, async () => {
        running += 1;
        await held.promise;
        running -= 1;
      }),
    );
    // All three start while the first is still held open: none waited for another.
    await waitFor(() => running === 3, { what: 'three conversations running at once' });
    held.open();
    await Promise.all(turns);
    assert.equal(running, 0);
  });

  it('should wait while another instance holds the lease, then run', async () => {
    const lock = new MemoryConversationLock();
    const first = new TurnSerializer({ lock, owner: 'first' });
    let refused = 0;
    const second = new TurnSerializer({
      lock,
      owner: 'second',
      // Called each time the lease was refused; the next attempt follows in the next loop turn.
      sleep: async () => {
        refused += 1;
        await nextTurn();
      },
    });
    const events: string[] = [];
    const held = gate();
    const slow = first.run('c', async () => {
      events.push('first start');
      await held.promise;
      events.push('first end');
    });
    await waitFor(() => events.includes('first start'));
    const waiting = second.run('c', async () => {
      events.push('second');
    });
    await waitFor(() => refused >= 3, { what: 'the second instance was refused the lease' });
    assert.deepEqual(events, ['first start'], 'the second instance did not run while the first held the lease');
    held.open();
    await Promise.all([slow, waiting]);
    assert.deepEqual(events, ['first start', 'first end', 'second']);
  });

  it('should give up with CONVERSATION_LOCK_TIMEOUT after maxWaitMs', async () => {
    const lock = new MemoryConversationLock();
    await lock.acquire('c', 'crashed-instance', 60_000);
    const serializer = new TurnSerializer({ lock, maxWaitMs: 50 });
    let ran = false;
    const started = Date.now();
    const code = await codeOf(
      serializer.run('c', async () => {
        ran = true;
      }),
    );
    assert.equal(code, StorageErrorCode.LockTimeout);
    assert.equal(ran, false);
    assert.ok(Date.now() - started < 1000);
  });

  it('should release the lease when the turn throws', async () => {
    const lock = new MemoryConversationLock();
    const serializer = new TurnSerializer({ lock, owner: 'me' });
    await assert.rejects(
      serializer.run('c', async () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await lock.acquire('c', 'someone-else', 1000), true);
  });

  it('should renew the lease while a long turn runs', async () => {
    // The lease store's clock is the test's: the lease would expire at 60 unless renewed.
    let clock = 0;
    const inner = new MemoryConversationLock(() => clock);
    let renewals = 0;
    const lock: ConversationLock = {
      acquire: (k, o, t) => inner.acquire(k, o, t),
      renew: async (k, o, t) => {
        const held = await inner.renew(k, o, t);
        renewals += 1;
        return held;
      },
      release: (k, o) => inner.release(k, o),
    };
    const long = new TurnSerializer({ lock, owner: 'long', leaseTtlMs: 60, renewEveryMs: 5 });
    const held = gate();
    let started = false;
    const turn = long.run('c', async () => {
      started = true;
      await held.promise;
    });
    await waitFor(() => started);
    for (let round = 0; round < 3; round++) {
      clock += 50;
      const before = renewals;
      await waitFor(() => renewals > before, { what: 'a renewal after the clock moved' });
      // Now well past the first lease's 60 ms: only the renewals keep another instance out.
      assert.equal(await inner.acquire('c', 'other', 60), false, `another instance got the lease at ${clock} ms`);
    }
    held.open();
    await turn;
    assert.equal(await inner.acquire('c', 'other', 60), true, 'the lease is released after the turn');
  });

  it('should skip the save and report CONVERSATION_LOCK_LOST when the lease was lost', async () => {
    const inner = new MemoryConversationLock();
    const renewed = gate();
    const losing: ConversationLock = {
      acquire: (k, o, t) => inner.acquire(k, o, t),
      renew: async () => {
        // The turn ends once a renewal answered "lost" (the answer is read a tick later).
        setImmediate(() => renewed.open());
        return false;
      },
      release: (k, o) => inner.release(k, o),
    };
    const serializer = new TurnSerializer({ lock: losing, renewEveryMs: 5 });
    let saved = false;
    const code = await codeOf(
      serializer.run(
        'c',
        () => renewed.promise,
        () => [
          Promise.resolve().then(() => {
            saved = true;
          }),
        ],
      ),
    );
    assert.equal(code, StorageErrorCode.LockLost);
    assert.equal(saved, false);
  });

  it('should let turns without a conversation pass straight through', async () => {
    const serializer = new TurnSerializer({ lock: new MemoryConversationLock(), keyOf: () => undefined });
    let ran = false;
    // A minimal stand-in: onTurn reads nothing from the context when keyOf says "no key".
    await serializer.onTurn({} as never, async () => {
      ran = true;
    });
    assert.equal(ran, true);
  });
});
