import { webApi } from '@slack/bolt';
import { channelMessage } from '../test/channels/slack/support/slackTraffic';
import { startMongoTestServer, type RunningMongoTestServer } from '../test/support/mongoTestServer';
import { startSlackApiStub, type SlackApiStub } from '../test/support/slackApiStub';
import { startConnectorStub, type ConnectorStub } from '../test/handoff/support/connectorStub';
import { HandoffApp, postedTicketIds, teachDeskCalls, ticketOfConversation } from '../test/handoff/support/handoffApp';
import { arg } from './lib/args';

/**
 * `npm run bench:handoff`: relay latency of the human handoff, both directions, measured in one
 * process against local stand-ins (Slack Web API, the channel's connector).
 *
 * - agent → customer: from the agent's signed thread reply being sent to POST /api/slack/events
 *   until the customer's channel connector receives the message (proactive turn included);
 * - customer → agent: from the customer's POST /api/messages until the Slack stand-in receives
 *   chat.postMessage in the ticket's thread.
 *
 * Each direction relays N messages one at a time (latency, not throughput), after a warm-up, with
 * memory state and with MongoDB state. Baselines in the same run: one bare HTTP POST to the
 * connector stand-in and one bare chat.postMessage through Slack's WebClient, i.e. the hops a
 * relay cannot avoid.
 *
 *   npm run bench:handoff -- [--messages 200] [--warmup 20] [--no-mongo]
 *
 * MongoDB: MONGODB_URI when set, else the mongo-java-server test server (Java 17).
 */
const MESSAGES = Number(arg('messages', '200'));
const WARMUP = Number(arg('warmup', '20'));
const WITH_MONGO = !process.argv.includes('--no-mongo');

const BENCH_ENV = { RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_CONVERSATION_PER_MINUTE: '0', TRANSCRIPTS_ENABLED: 'false' };

interface Row {
  scenario: string;
  samples: number[];
}

const ms = (from: bigint, to: bigint): number => Number(to - from) / 1e6;

function percentile(sorted: number[], p: number): number {
  const rank = Math.max(0, Math.ceil(p * sorted.length) - 1);
  return sorted[Math.min(rank, sorted.length - 1)] as number;
}

/** Records when each thread post reached the Slack stand-in, by text. */
function watchThreadPosts(stub: SlackApiStub): Map<string, bigint> {
  const arrivals = new Map<string, bigint>();
  let sequence = 0;
  stub.on('chat.postMessage', ({ params }) => {
    if (params.thread_ts) arrivals.set(String(params.text), process.hrtime.bigint());
    const ts = `${Math.floor(Date.now() / 1000)}.${String(++sequence).padStart(6, '0')}`;
    return { body: { ok: true, channel: params.channel, ts, message: { ts, text: params.text } } };
  });
  return arrivals;
}

async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a relayed message');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function measure(label: string, env: Record<string, string>, stub: SlackApiStub, connector: ConnectorStub): Promise<Row[]> {
  const threadArrivals = watchThreadPosts(stub);
  const bot = await HandoffApp.start(stub, { ...BENCH_ENV, ...env });
  try {
    const customer = bot.customer(connector.url);
    await customer.say('talk to a person');
    const ticket = await ticketOfConversation(bot.desk, customer.conversationId, postedTicketIds(stub));
    await bot.clickTicket(ticket.id, 'Claim', 'UALICE');
    await connector.waitFor((p) => p.conversationId === customer.conversationId && /now chatting/.test(p.activity.text ?? ''));

    const agentToCustomer: number[] = [];
    const customerToAgent: number[] = [];
    for (let i = 0; i < WARMUP + MESSAGES; i += 1) {
      const reply = `${label} agent reply ${i}`;
      const sent = process.hrtime.bigint();
      const status = (await bot.sender.event(channelMessage('UALICE', 'CHANDOFF', reply, { thread_ts: ticket.thread?.ts }))).status;
      if (status !== 200) throw new Error(`Slack event answered ${status}`);
      const [arrived] = await connector.waitFor((p) => p.activity.text === reply);
      if (i >= WARMUP) agentToCustomer.push(ms(sent, arrived!.at));

      const question = `${label} customer message ${i}`;
      const asked = process.hrtime.bigint();
      await customer.say(question);
      const key = `Customer "Test customer" wrote: ${question}`;
      await waitUntil(() => threadArrivals.has(key));
      if (i >= WARMUP) customerToAgent.push(ms(asked, threadArrivals.get(key)!));
    }
    await bot.idle();
    return [
      { scenario: `${label}: agent reply → customer`, samples: agentToCustomer },
      { scenario: `${label}: customer message → thread`, samples: customerToAgent },
    ];
  } finally {
    await bot.close();
  }
}

async function baselines(stub: SlackApiStub, connector: ConnectorStub): Promise<Row[]> {
  const client = new webApi.WebClient('xoxb-test-token', { slackApiUrl: stub.url });
  const post: number[] = [];
  const slack: number[] = [];
  for (let i = 0; i < WARMUP + MESSAGES; i += 1) {
    const started = process.hrtime.bigint();
    await fetch(`${connector.url}/v3/conversations/baseline/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: `baseline ${i}` }),
    });
    const between = process.hrtime.bigint();
    await client.chat.postMessage({ channel: 'CHANDOFF', text: `baseline ${i}`, thread_ts: '1.000001' });
    const done = process.hrtime.bigint();
    if (i >= WARMUP) {
      post.push(ms(started, between));
      slack.push(ms(between, done));
    }
  }
  return [
    { scenario: 'baseline: bare POST to the connector', samples: post },
    { scenario: 'baseline: bare chat.postMessage (WebClient)', samples: slack },
  ];
}

async function main(): Promise<void> {
  const stub = await startSlackApiStub();
  teachDeskCalls(stub);
  const connector = await startConnectorStub();
  let mongoServer: RunningMongoTestServer | undefined;
  const rows: Row[] = [];
  try {
    rows.push(...(await baselines(stub, connector)));
    rows.push(...(await measure('memory', {}, stub, connector)));
    if (WITH_MONGO) {
      let uri = process.env.MONGODB_URI?.trim();
      if (!uri) {
        mongoServer = await startMongoTestServer();
        uri = mongoServer.uri;
      }
      rows.push(...(await measure('mongodb', { MONGODB_URI: uri, MONGODB_DB: `bench_handoff_${Date.now().toString(36)}` }, stub, connector)));
    }
  } finally {
    await connector.stop();
    await stub.stop();
    await mongoServer?.stop();
  }

  console.log(`\nHandoff relay latency, ${MESSAGES} messages per direction after ${WARMUP} warm-up, one at a time (ms)\n`);
  console.log('scenario'.padEnd(46), 'n'.padStart(5), 'median'.padStart(8), 'p90'.padStart(8), 'p99'.padStart(8), 'max'.padStart(8));
  for (const row of rows) {
    const sorted = [...row.samples].sort((a, b) => a - b);
    const cells = [0.5, 0.9, 0.99, 1].map((p) => percentile(sorted, p).toFixed(2).padStart(8));
    console.log(row.scenario.padEnd(46), String(sorted.length).padStart(5), ...cells);
  }
  console.log(
    `\nnode ${process.version}, ${process.platform}/${process.arch}; MongoDB: ${WITH_MONGO ? (process.env.MONGODB_URI ? 'MONGODB_URI' : 'mongo-java-server') : 'skipped'}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
