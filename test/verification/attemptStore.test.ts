import { strict as assert } from 'node:assert';
import { MemoryAttemptStore } from '../../src/verification/attemptStore';
import { MongoAttemptStore, VERIFICATION_ATTEMPTS_COLLECTION } from '../../src/storage/mongo/MongoAttemptStore';
import { CountingVerificationGuard } from '../../src/verification/VerificationGuard';
import { PromBotMetrics } from '../../src/telemetry/metrics';
import { useMongoDatabase } from '../support/mongo';
import pino from 'pino';
import { Writable } from 'node:stream';

describe('verification attempt counters', () => {
  describe('on MongoDB', () => {
    const mongo = useMongoDatabase('attempts');
    it('should share counts between two stores (two instances) on one database', async () => {
      const a = new MongoAttemptStore(mongo.db);
      const b = new MongoAttemptStore(mongo.db);
      await a.ensureIndexes();
      const now = Date.now();
      await a.hit(['shared'], now, 60_000);
      assert.deepEqual(await b.hit(['shared'], now + 1, 60_000), [2]);
      const doc = await mongo.db.collection(VERIFICATION_ATTEMPTS_COLLECTION).findOne({ _id: 'shared' as never });
      assert.equal(doc?.count, 2);
    });
  });

  describe('CountingVerificationGuard', () => {
    function guardWithLog(): { guard: CountingVerificationGuard; lines: string[]; metrics: PromBotMetrics; store: MemoryAttemptStore } {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      });
      const metrics = new PromBotMetrics({ defaultMetrics: false });
      const store = new MemoryAttemptStore();
      const guard = new CountingVerificationGuard({ store, maxFailures: 3, windowSeconds: 3600, metrics, logger: pino({ level: 'info' }, sink), hashKey: 'k' });
      return { guard, lines, metrics, store };
    }
    const subject = { conversationId: 'directline:conv-secret-1', customerId: 'directline:dl_user42', orderId: '12345' };
    /** A check that was made and failed, as the dialog reports it. */
    async function failedCheck(guard: CountingVerificationGuard, who: typeof subject): Promise<{ lockedOut: boolean }> {
      assert.equal(await guard.beginCheck(who), true, 'the check may go ahead');
      return guard.endCheck(who, 'knowledge', 'failed');
    }

    it('should lock out at the limit and log each failure without IDs or answers', async () => {
      const { guard, lines, metrics } = guardWithLog();
      assert.deepEqual(await failedCheck(guard, subject), { lockedOut: false });
      assert.deepEqual(await failedCheck(guard, subject), { lockedOut: false });
      assert.equal(await guard.isLockedOut(subject), false);
      assert.deepEqual(await failedCheck(guard, subject), { lockedOut: true });
      assert.equal(await guard.isLockedOut(subject), true);
      assert.equal(lines.length, 3);
      for (const line of lines) {
        assert.match(line, /"order verification failed"/);
        assert.doesNotMatch(line, /12345|conv-secret-1|dl_user42/);
      }
      assert.match(await metrics.render(), /supportbot_order_verifications_total\{method="knowledge",outcome="failed"\} 3/);
    });

    it('should lock out an order for a different conversation and customer', async () => {
      const { guard } = guardWithLog();
      for (let i = 0; i < 3; i++) await failedCheck(guard, { conversationId: `c${i}`, customerId: `u${i}`, orderId: '12345' });
      assert.equal(await guard.isLockedOut({ conversationId: 'fresh', customerId: 'fresh', orderId: '12345' }), true);
      assert.equal(await guard.isLockedOut({ conversationId: 'fresh', customerId: 'fresh', orderId: '98765' }), false);
    });
  });
});
