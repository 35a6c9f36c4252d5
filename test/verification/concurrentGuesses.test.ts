import { strict as assert } from 'node:assert';
import { BotClient } from '../support/botClient';
import { sendJson, startHttpStub, type HttpStub } from '../support/httpStub';
import { useMongoDatabase } from '../support/mongo';
import { type RunningTestApp, startTestApp } from '../support/testApp';

const GUESSERS = 24;
const MAX_FAILURES = 5;

/**
 * The attack a red-team run found: many anonymous conversations wait at the order check, then
 * all answer at once while the order system takes a moment to reply. Each check must be counted
 * before the order system is asked, or every answer passes the lock-out check together.
 */
describe('order verification: answers sent at the same moment', function () {
  this.timeout(60_000);
  let orders: HttpStub;
  /**
   * A round of simultaneous answers: the order system holds every check until each answer has
   * either reached it (held) or been answered without it (settled), so all are in flight at once.
   */
  let round: { expected: number; settled: number; held: Array<() => void> } | undefined;
  function releaseWhenAllInFlight(): void {
    if (!round || round.held.length + round.settled < round.expected) return;
    const held = round.held;
    round = undefined;
    for (const answer of held) answer();
  }

  before(async () => {
    orders = await startHttpStub((req, res) => {
      const url = req.url ?? '';
      if (req.method === 'POST' && url.endsWith('/verify')) {
        const answer = () => sendJson(res, 200, { match: false });
        // During a round the order system answers no check before every answer is in flight.
        if (round) {
          round.held.push(answer);
          releaseWhenAllInFlight();
        } else answer();
        return;
      }
      sendJson(res, 200, { id: '55555', status: 'delayed', eta: '2026-12-05', carrier: 'UPS', trackingUrl: null });
    });
  });
  after(async () => orders?.close());

  /** Two dozen conversations wait at the check, then all answer wrongly at the same moment. */
  async function guessAllAtOnce(env: Record<string, string>): Promise<void> {
    const running: RunningTestApp = await startTestApp({
      ORDERS_API_URL: orders.url,
      ORDER_VERIFICATION_MAX_FAILURES: String(MAX_FAILURES),
      RATE_LIMIT_USER_PER_MINUTE: '0',
      RATE_LIMIT_CONVERSATION_PER_MINUTE: '0',
      RATE_LIMIT_ADDRESS_PER_MINUTE: '0',
      ...env,
    });
    try {
      const clients = Array.from({ length: GUESSERS }, () => new BotClient(running.url));
      for (const client of clients) {
        await client.say('where is my order 55555');
        await client.say('yes');
      }
      const checksBefore = orders.requests.filter((r) => r.method === 'POST').length;

      round = { expected: GUESSERS, settled: 0, held: [] };
      const replies = await Promise.all(
        clients.map((client, i) =>
          client.say(`guess${i}@example.com`).finally(() => {
            if (round) round.settled += 1;
            releaseWhenAllInFlight();
          }),
        ),
      );

      const checks = orders.requests.filter((r) => r.method === 'POST').length - checksBefore;
      const texts = replies.map((r) => r.map((a) => a.text ?? '').join('\n'));
      assert.ok(checks <= MAX_FAILURES, `${checks} answers reached the order system`);
      assert.ok(checks >= 1, 'the first answers are checked');
      assert.equal(texts.filter((t) => /For your security/.test(t) && !/couldn't find/.test(t)).length, GUESSERS - checks, texts.join('\n---\n'));
      assert.ok(
        texts.every((t) => !/delayed|UPS|Expected delivery/i.test(t)),
        'nothing about the order was revealed',
      );
    } finally {
      await running.app.close();
    }
  }

  it(`should let at most ${MAX_FAILURES} of ${GUESSERS} simultaneous answers reach the order system (memory counters)`, async () => {
    await guessAllAtOnce({});
  });

  describe('on MongoDB', () => {
    const mongo = useMongoDatabase('concurrent-guesses');

    it(`should let at most ${MAX_FAILURES} of ${GUESSERS} simultaneous answers reach the order system (MongoDB counters)`, async () => {
      await guessAllAtOnce({ MONGODB_URI: mongo.uri, MONGODB_DB: mongo.db.databaseName });
    });
  });
});
