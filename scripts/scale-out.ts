import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startMongoTestServer, type RunningMongoTestServer } from '../test/support/mongoTestServer';
import { fmt, sendTurn, summarize } from '../bench/lib/driver';
import { ROOT, startServer, type ServerProcess } from '../bench/lib/processes';
import { startRoundRobinProxy, type RoundRobinProxy } from '../bench/lib/roundRobinProxy';
import { arg } from '../bench/lib/args';

/**
 * `npm run scale-out`: three bot instances sharing one MongoDB behind a non-sticky round-robin
 * proxy; 200 concurrent customers each hold a whole order conversation whose turns land on
 * different instances. Every conversation must end with the right status for its own order,
 * with every turn answered exactly once. Exits non-zero when anything is lost or wrong.
 *
 *   npm run scale-out -- [--instances 3] [--conversations 200]
 */

interface SampleOrder {
  id: string;
  status: string;
  email: string;
}

const INSTANCES = Number(arg('instances', '3'));
const CONVERSATIONS = Number(arg('conversations', '200'));

async function main(): Promise<void> {
  const orders = (JSON.parse(readFileSync(path.join(ROOT, 'data/orders.json'), 'utf8')) as SampleOrder[]).filter((o) => /\d/.test(o.id));
  let mongo: RunningMongoTestServer | undefined;
  const instances: ServerProcess[] = [];
  let proxy: RoundRobinProxy | undefined;
  try {
    let uri = process.env.MONGODB_URI;
    if (!uri) {
      mongo = await startMongoTestServer();
      uri = mongo.uri;
    }
    const env = { MONGODB_URI: uri, MONGODB_DB: `scaleout_${Date.now()}`, RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_CONVERSATION_PER_MINUTE: '0' };
    for (let i = 0; i < INSTANCES; i++) instances.push(await startServer(`bot-${i + 1}`, 'src/index.ts', env));
    proxy = await startRoundRobinProxy(instances.map((s) => s.url));
    const baseUrl = proxy.url;

    const latencies: number[] = [];
    const problems: string[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONVERSATIONS }, async (_, n) => {
        const order = orders[n % orders.length] as SampleOrder;
        const conversationId = `scale-${n}-${Date.now()}`;
        const expectations: [string, (texts: string[]) => boolean][] = [
          ['hi', (t) => t.length === 1 && /order assistant/.test(t[0] ?? '')],
          [`where is my order ${order.id}?`, (t) => t.length === 1 && t[0] === `You asked about order ${order.id}. Is that correct?`],
          ['yes', (t) => t.some((x) => /e-mail address or the postcode/.test(x))],
          // The order check (ORDER_VERIFICATION=knowledge, the default): the sample order's e-mail.
          [order.email, (t) => t.some((x) => x.startsWith(`Order ${order.id} is`))],
        ];
        for (const [text, ok] of expectations) {
          const t0 = performance.now();
          try {
            const reply = await sendTurn(baseUrl, conversationId, `user-${conversationId}`, text);
            latencies.push(performance.now() - t0);
            if (!ok(reply.texts)) {
              problems.push(`${conversationId} "${text}" -> ${JSON.stringify(reply.texts)}`);
              return;
            }
          } catch (err) {
            problems.push(`${conversationId} "${text}" -> ${(err as Error).message}`);
            return;
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const latency = summarize(latencies);
    console.log(`\nscale-out: ${INSTANCES} instances, one MongoDB, round-robin proxy (requests per instance: ${proxy.counts.join(' / ')})`);
    console.log(
      `${CONVERSATIONS} concurrent conversations, ${latencies.length} turns in ${fmt(seconds, 2)} s (${fmt(latencies.length / seconds)} turns/s), p50 ${fmt(latency.p50)} ms, p99 ${fmt(latency.p99)} ms`,
    );
    console.log(`conversations ending with the right status: ${CONVERSATIONS - problems.length} / ${CONVERSATIONS}`);
    if (problems.length > 0) {
      console.log('problems:');
      for (const p of problems.slice(0, 20)) console.log(`  ${p}`);
      process.exitCode = 1;
    }
  } finally {
    await proxy?.close();
    for (const instance of instances) await instance.stop();
    await mongo?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
