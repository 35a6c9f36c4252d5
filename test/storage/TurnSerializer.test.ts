import assert from 'node:assert/strict';
import { type ConversationLock, MemoryConversationLock } from '../../src/storage/ConversationLock';
import { StorageErrorCode } from '../../src/storage/errors';
import { TurnSerializer } from '../../src/storage/TurnSerializer';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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
    await Promise.all(
      [30, 5, 20, 0, 10].map((ms, i) =>
        serializer.run('c', async () => {
          running += 1;
          assert.equal(running, 1, 'two turns overlapped');
          events.push(`start ${i}`);
          await delay(ms);
          events.push(`end ${i}`);
          running -= 1;
        }),
      ),
    );
    assert.deepEqual(
      events,
      [0, 1, 2, 3, 4].flatMap((i) => [`start ${i}`, `end ${i}`]),
    );
    assert.equal(serializer.activeConversations, 0);
  });

  it('should run turns of different conversations at the same time', async () => {
    const serializer = new TurnSerializer({ lock: new MemoryConversationLock() });
    let running = 0;
    let peak = 0;
    await Promise.all(
      ['a', 'b', 'c'].map((key) =>
        serializer.run(key, async () => {
          running += 1;
          peak = Math.max(peak, running);
          await delay(20);
          running -= 1;
        }),
      ),
    );
    assert.equal(peak, 3);
  });

  it('should wait while another instance holds the lease, then run', async () => {
    const lock = new MemoryConversationLock();
    const first = new TurnSerializer({ lock, owner: 'first' });
    const second = new TurnSerializer({ lock, owner: 'second' });
    const events: string[] = [];
    const slow = first.run('c', async () => {
      events.push('first start');
      await delay(60);
      events.push('first end');
    });
    await delay(5);
    await second.run('c', async () => {
      events.push('second');
    });
    await slow;
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
    const lock = new MemoryConversationLock();
    const long = new TurnSerializer({ lock, owner: 'long', leaseTtlMs: 60, renewEveryMs: 15 });
    const other = new TurnSerializer({ lock, owner: 'other', maxWaitMs: 150 });
    const turn = long.run('c', () => delay(250));
    await delay(5);
    assert.equal(await codeOf(other.run('c', async () => undefined)), StorageErrorCode.LockTimeout);
    await turn;
  });

  it('should skip the save and report CONVERSATION_LOCK_LOST when the lease was lost', async () => {
    const inner = new MemoryConversationLock();
    const losing: ConversationLock = {
      acquire: (k, o, t) => inner.acquire(k, o, t),
      renew: async () => false,
      release: (k, o) => inner.release(k, o),
    };
    const serializer = new TurnSerializer({ lock: losing, renewEveryMs: 5 });
    let saved = false;
    const code = await codeOf(
      serializer.run(
        'c',
        () => delay(30),
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
