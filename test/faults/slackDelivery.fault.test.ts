import { strict as assert } from 'node:assert';
import type http from 'node:http';
import { type Collection, MongoClient } from 'mongodb';
import path from 'node:path';
import { spawnBotProcess, type BotProcess } from '../support/botProcess';
import { sendJson, startHttpStub, type HttpStub } from '../support/httpStub';
import { mongoTestEnvironment, uniqueDatabaseName } from '../support/mongo';
import { startSlackApiStub, type SlackApiStub } from '../support/slackApiStub';
import { dm, SIGNING_SECRET, SlackSender } from '../channels/slack/support/slackTraffic';
import { becomes } from '../support/waitFor';

/** Where the bot is killed while it answers a Slack DM. */
const KILL_POINTS = [
  'mid-turn, after the ack (waiting on the orders API), with Slack retrying',
  'after the reply reached Slack, before Slack answered, with Slack retrying',
  'mid-turn, after the ack, with no retry (the sweep must finish it)',
] as const;
type KillPoint = (typeof KILL_POINTS)[number];
const ROUNDS = Number(process.env.FAULT_RUNS ?? 2);

/**
 * Issue 13: Slack deliveries were claimed after the ack, so a crash in between (or during the
 * turn) lost the reply. Now each delivery is recorded before the ack and marked done after its
 * turn; a new process on the same MongoDB re-runs the unfinished one, looking up replies already
 * posted. The bot is SIGKILLed mid-turn and right after its reply reached Slack; Slack's retry of
 * the same event is sent to the new process too. Each run must end with exactly one reply.
 */
describe('fault injection: the bot is SIGKILLed while answering a Slack delivery', function () {
  this.timeout(60_000 + ROUNDS * KILL_POINTS.length * 30_000);
  let slack: SlackApiStub;
  let orders: HttpStub;
  let holdingOrders = false;
  const heldOrders: http.ServerResponse[] = [];
  let bot: BotProcess | undefined;
  let env: Record<string, string>;
  const script = path.join('src', 'index.ts');
  const tally = { runs: 0, lost: 0, doubled: 0 };
  /** The bot's shared delivery inbox (src/channels/slack/store/DeliveryInbox.ts). */
  let database: MongoClient | undefined;
  let inbox: Collection<{ _id: string; state: string }>;

  before(async function () {
    const mongo = await mongoTestEnvironment();
    if (!mongo.available) {
      console.warn(`  ⚠ Skipping: no MongoDB (${mongo.reason})`);
      this.skip();
    }
    database = new MongoClient(mongo.uri);
    slack = await startSlackApiStub();
    orders = await startHttpStub((req, res) => {
      const id = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
      if (holdingOrders) heldOrders.push(res);
      else sendJson(res, 200, { id, status: 'shipped', eta: '2026-11-28', carrier: 'DHL', trackingUrl: null });
    });
    const databaseName = uniqueDatabaseName('slackcrash');
    inbox = database.db(databaseName).collection('slackDeliveries');
    env = {
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      MicrosoftAppId: '',
      MONGODB_URI: mongo.uri,
      MONGODB_DB: databaseName,
      ORDERS_API_URL: orders.url,
      ORDERS_API_TIMEOUT_MS: '30000',
      CONVERSATION_LEASE_TTL_MS: '2000',
      SLACK_BOT_TOKEN: 'xoxb-fault-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      SLACK_API_RETRIES: '0',
      SLACK_POST_INTERVAL_MS: '0',
      SLACK_DELIVERY_LEASE_SECONDS: '2',
      DIRECTLINE_ENABLED: 'false',
      // About delivery, not the order check: the status follows "yes" at once.
      ORDER_VERIFICATION: 'none',
    };
  });
  after(async () => {
    await bot?.kill('SIGKILL');
    console.log(`      Slack deliveries: ${tally.runs} SIGKILL runs, ${tally.lost} replies lost, ${tally.doubled} doubled`);
    for (const res of heldOrders) res.destroy();
    await orders?.close();
    await slack?.stop();
    await database?.close();
  });

  const waitUntil = (done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> => becomes(done, { timeoutMs, intervalMs: 50 });

  for (let round = 0; round < ROUNDS; round += 1) {
    KILL_POINTS.forEach((point: KillPoint, index) => {
      it(`should post exactly one reply when killed ${point} (round ${round + 1})`, async () => {
        const orderId = String(70_000 + round * 10 + index);
        const channel = `D${round}${index}${Date.now().toString(36).toUpperCase()}`;
        const user = `U${round}${index}CUST`;
        const replies = () =>
          slack
            .succeeded('chat.postMessage')
            .filter((c) => c.params.channel === channel)
            .map((c) => String(c.params.text));
        const statusReplies = () => replies().filter((t) => t.startsWith(`Order ${orderId} is shipped`)).length;

        bot ??= await spawnBotProcess(script, env);
        let sender = new SlackSender(bot.url);
        assert.equal((await sender.event(dm(user, channel, `where is my order ${orderId}`))).status, 200);
        assert.ok(
          await waitUntil(() => replies().some((t) => t.includes(`order ${orderId}`)), 15_000),
          `the bot asked to confirm: ${JSON.stringify(replies())}`,
        );

        const yes = dm(user, channel, 'yes');
        const midTurn = point !== KILL_POINTS[1];
        if (midTurn) holdingOrders = true;
        else slack.holdAnswer('chat.postMessage', (c) => c.params.channel === channel && String(c.params.text).startsWith(`Order ${orderId}`));
        const heldBefore = heldOrders.length;
        assert.equal((await sender.event(yes)).status, 200, 'Slack got its ack');
        const reached = await waitUntil(() => (midTurn ? heldOrders.length > heldBefore : slack.heldCount > 0), 15_000);
        assert.ok(reached, `the bot reached the kill point "${point}"`);
        await bot.kill('SIGKILL');
        slack.dropHeld();
        holdingOrders = false;

        bot = await spawnBotProcess(script, env);
        sender = new SlackSender(bot.url);
        // Slack's retry of the same event reaches the new process: it must not run twice.
        if (point !== KILL_POINTS[2]) assert.equal((await sender.event(yes, { retryNum: 1 })).status, 200);
        await waitUntil(() => statusReplies() >= 1, 15_000);
        // A second (wrong) reply could only come from a delivery still pending for the sweep:
        // once none is pending in the shared inbox, every reply there will be has been posted.
        const finished = await waitUntil(async () => (await inbox.countDocuments({ state: 'pending' })) === 0, 15_000);
        assert.ok(finished, `deliveries still pending: ${JSON.stringify(await inbox.find({ state: 'pending' }).toArray())}`);

        const count = statusReplies();
        tally.runs += 1;
        if (count === 0) tally.lost += 1;
        tally.doubled += Math.max(0, count - 1);
        assert.equal(count, 1, `replies in ${channel}: ${JSON.stringify(replies())}\n${count === 1 ? '' : bot.output()}`);
      });
    });
  }
});
