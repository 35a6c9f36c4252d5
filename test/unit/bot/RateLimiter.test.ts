import { strict as assert } from 'node:assert';
import { TurnContext, TestAdapter } from 'botbuilder';
import { RateLimiter } from '../../../src/bot/RateLimiter';

function contextFor(userId: string, conversationId: string): TurnContext {
  return new TurnContext(new TestAdapter(), {
    type: 'message',
    channelId: 'test',
    from: { id: userId, name: userId },
    conversation: { id: conversationId, name: '', isGroup: false, conversationType: '' },
    recipient: { id: 'bot', name: 'bot' },
    text: 'hi',
  });
}

describe('RateLimiter', () => {
  it('should allow a burst up to the limit, warn once, then drop silently', async () => {
    let now = 1_000_000;
    const limiter = new RateLimiter({ perUserPerMinute: 5, perConversationPerMinute: 0, now: () => now });
    const decisions = [];
    for (let i = 0; i < 8; i++) decisions.push(await limiter.check(contextFor('u1', 'c1')));
    assert.deepEqual(decisions, ['allow', 'allow', 'allow', 'allow', 'allow', 'reject-and-warn', 'reject-silently', 'reject-silently']);
    now += 12_000; // one token refills every 12 s at 5/min
    assert.equal(await limiter.check(contextFor('u1', 'c1')), 'allow');
  });

  it('should keep users apart but limit a shared conversation', async () => {
    const now = 0;
    const limiter = new RateLimiter({ perUserPerMinute: 3, perConversationPerMinute: 4, now: () => now });
    for (let i = 0; i < 3; i++) assert.equal(await limiter.check(contextFor('a', 'group')), 'allow');
    assert.equal(await limiter.check(contextFor('b', 'group')), 'allow');
    assert.equal(await limiter.check(contextFor('b', 'group')), 'reject-and-warn');
    assert.equal(await limiter.check(contextFor('b', 'other')), 'allow');
  });

  it('should bound the number of tracked keys', async () => {
    const limiter = new RateLimiter({ perUserPerMinute: 10, perConversationPerMinute: 10, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) await limiter.check(contextFor(`user${i}`, `conv${i}`));
    assert.ok(limiter.trackedKeys <= 100);
  });

  it('should allow everything when limits are 0', async () => {
    const limiter = new RateLimiter({ perUserPerMinute: 0, perConversationPerMinute: 0 });
    for (let i = 0; i < 500; i++) assert.equal(await limiter.check(contextFor('u', 'c')), 'allow');
  });
});
