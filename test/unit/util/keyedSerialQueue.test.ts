import { strict as assert } from 'node:assert';
import { KeyedSerialQueue } from '../../../src/util/keyedSerialQueue';
import { gate, nextTurn } from '../../support/waitFor';

describe('KeyedSerialQueue', () => {
  it('should run the tasks of one key one at a time, in the order they were queued', async () => {
    const queue = new KeyedSerialQueue();
    const events: string[] = [];
    const first = gate();
    const a = queue.run('k', async () => {
      events.push('a start');
      await first.promise;
      events.push('a end');
      return 'a';
    });
    const b = queue.run('k', async () => {
      events.push('b start');
      return 'b';
    });
    const c = queue.run('k', async () => {
      events.push('c start');
      return 'c';
    });
    // Let every callback that could run do so: only the first task may have started.
    await nextTurn();
    assert.deepEqual(events, ['a start']);

    first.open();
    assert.deepEqual(await Promise.all([a, b, c]), ['a', 'b', 'c']);
    assert.deepEqual(events, ['a start', 'a end', 'b start', 'c start']);
  });

  it('should run tasks of different keys without waiting for each other', async () => {
    const queue = new KeyedSerialQueue();
    const held = gate();
    const slow = queue.run('one', () => held.promise.then(() => 'slow'));

    assert.equal(await queue.run('two', async () => 'fast'), 'fast', 'key "two" did not wait for key "one"');
    held.open();
    assert.equal(await slow, 'slow');
  });

  it('should report a failure to its own caller only and still run the next task of the key', async () => {
    const queue = new KeyedSerialQueue();
    const held = gate();
    const failed = queue.run('k', async () => {
      await held.promise;
    });
    const next = queue.run('k', async () => 'ok');
    held.fail(new Error('boom'));

    await assert.rejects(failed, /boom/);
    assert.equal(await next, 'ok');
  });

  it('should forget a key once its last task settled, before the caller sees the result', async () => {
    const queue = new KeyedSerialQueue();
    const held = gate();
    const running = queue.run('a', () => held.promise);
    const failing = queue.run('b', async () => {
      throw new Error('boom');
    });
    assert.equal(queue.busyKeys, 2);

    await assert.rejects(failing, /boom/);
    assert.equal(queue.busyKeys, 1, 'a failed task leaves no idle key behind');
    held.open();
    await running;
    assert.equal(queue.busyKeys, 0, 'no idle key is kept');
  });

  it('should keep a key while a later task is still queued behind a finished one', async () => {
    const queue = new KeyedSerialQueue();
    const held = gate();
    const first = queue.run('k', async () => 'first');
    const second = queue.run('k', () => held.promise);

    await first;
    assert.equal(queue.busyKeys, 1, 'the second task still holds the key');
    held.open();
    await second;
    assert.equal(queue.busyKeys, 0);
  });

  it('should hold no keys after many keys ran many tasks', async () => {
    const queue = new KeyedSerialQueue();
    const runs: Promise<number>[] = [];
    for (let i = 0; i < 1000; i++) runs.push(queue.run(`key-${i % 100}`, async () => i));

    const results = await Promise.all(runs);
    assert.deepEqual(
      results,
      runs.map((_, i) => i),
    );
    assert.equal(queue.busyKeys, 0);
  });
});
