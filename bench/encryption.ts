import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createApp, type BotApp } from '../src/app';
import { loadConfig } from '../src/config/config';
import { FieldCipher } from '../src/storage/encryption/FieldCipher';
import { startMongoTestServer, type RunningMongoTestServer } from '../test/support/mongoTestServer';
import { arg } from './lib/args';
import { ORDER_CONVERSATION, fmt, sendTurn, summarize } from './lib/driver';
import { BENCH_BOT_ENV } from './lib/benchEnv';

/**
 * `npm run bench:encryption`: what field encryption of personal data costs per turn, against
 * the same bot without it, in one run.
 *
 * Four bots in this process: memory state and MongoDB state (with transcripts), each with and
 * without DATA_ENCRYPTION. Full order-status conversations (3 turns) run one turn at a time,
 * the four bots taking turns round by round so drift on a shared machine hits all alike.
 * Reported per turn: wall latency (p50, mean) and the process's CPU time, and the ratio of each
 * to the bot without encryption on the same storage. Plus the cost of one seal + open of a
 * typical state item.
 *
 *   npm run bench:encryption -- [--rounds 6] [--conversations 10]
 */
const ROUNDS = Number(arg('rounds', '6'));
const CONVERSATIONS = Number(arg('conversations', '10'));
const KEY = `bench:${randomBytes(32).toString('base64')}`;
const BASE_ENV = { ...BENCH_BOT_ENV, NLU_MODEL_FILE: 'none' };

interface Variant {
  name: string;
  storage: 'memory' | 'mongodb';
  encrypted: boolean;
  app?: BotApp;
  url?: string;
  latencies: number[];
  cpuMs: number;
  turns: number;
  seals: number;
  opens: number;
}

/** Counts seal/open calls, to report how many a turn makes. */
const calls = { seal: 0, open: 0 };
const { seal, open } = FieldCipher.prototype;
FieldCipher.prototype.seal = function (this: FieldCipher, ...args: Parameters<typeof seal>) {
  calls.seal += 1;
  return seal.apply(this, args);
};
FieldCipher.prototype.open = function (this: FieldCipher, ...args: Parameters<typeof open>) {
  calls.open += 1;
  return open.apply(this, args);
};

async function main(): Promise<void> {
  const mongo: RunningMongoTestServer | undefined = process.env.MONGODB_URI ? undefined : await startMongoTestServer();
  const mongoUri = process.env.MONGODB_URI ?? (mongo as RunningMongoTestServer).uri;
  const variants: Variant[] = [];
  for (const storage of ['memory', 'mongodb'] as const) {
    for (const encrypted of [false, true])
      variants.push({ name: `${storage}${encrypted ? ' + encryption' : ''}`, storage, encrypted, latencies: [], cpuMs: 0, turns: 0, seals: 0, opens: 0 });
  }
  const logger = pino({ level: 'silent' });
  try {
    for (const [i, variant] of variants.entries()) {
      const env: Record<string, string> = { ...BASE_ENV };
      if (variant.storage === 'mongodb')
        Object.assign(env, { MONGODB_URI: mongoUri, MONGODB_DB: `bench_enc_${process.pid}_${i}`, TRANSCRIPTS_ENABLED: 'true' });
      if (variant.encrypted) Object.assign(env, { DATA_ENCRYPTION: 'true', DATA_ENCRYPTION_KEYS: KEY });
      variant.app = await createApp(loadConfig(env), { logger });
      variant.url = (await variant.app.listen()).url;
    }
    const conversation = async (variant: Variant, id: string, record: boolean): Promise<void> => {
      for (const text of ORDER_CONVERSATION) {
        const cpu = process.cpuUsage();
        const before = { ...calls };
        const started = performance.now();
        await sendTurn(variant.url as string, id, `u-${id}`, text);
        // Transcript writes finish after the reply: wait for the next tick of the event loop.
        await new Promise((resolve) => setImmediate(resolve));
        const elapsed = performance.now() - started;
        const used = process.cpuUsage(cpu);
        if (!record) continue;
        variant.seals += calls.seal - before.seal;
        variant.opens += calls.open - before.open;
        variant.latencies.push(elapsed);
        variant.cpuMs += (used.user + used.system) / 1000;
        variant.turns += 1;
      }
    };
    for (const variant of variants) for (let w = 0; w < 5; w++) await conversation(variant, `warm-${variant.name}-${w}`, false);
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order every round.
      const order = variants.map((_, i) => variants[(i + round) % variants.length] as Variant);
      for (const variant of order) for (let c = 0; c < CONVERSATIONS; c++) await conversation(variant, `r${round}-c${c}-${variant.name}`, true);
    }
  } finally {
    for (const variant of variants) await variant.app?.close();
    await mongo?.stop();
  }

  console.log(`field encryption per turn: ${ROUNDS} rounds x ${CONVERSATIONS} conversations x ${ORDER_CONVERSATION.length} turns per bot, sequential`);
  console.log('bot                        turns  p50 ms  mean ms  CPU ms/turn  mean ratio  CPU ratio  seal+open/turn');
  for (const variant of variants) {
    const base = variants.find((v) => v.storage === variant.storage && !v.encrypted) as Variant;
    const s = summarize(variant.latencies);
    const b = summarize(base.latencies);
    const cpu = variant.cpuMs / variant.turns;
    const baseCpu = base.cpuMs / base.turns;
    console.log(
      `${variant.name.padEnd(26)} ${String(variant.turns).padStart(5)} ${fmt(s.p50, 2).padStart(7)} ${fmt(s.mean, 2).padStart(8)} ${fmt(cpu, 2).padStart(12)} ${fmt(s.mean / b.mean, 3).padStart(11)} ${fmt(cpu / baseCpu, 3).padStart(10)} ${fmt((variant.seals + variant.opens) / variant.turns, 1).padStart(15)}`,
    );
  }

  // One state item of a conversation in the middle of the form, sealed and opened.
  const cipher = new FieldCipher([{ id: 'bench', key: randomBytes(32) }]);
  const item = JSON.stringify({
    dialogState: {
      dialogStack: [
        { id: 'main', state: { options: {}, values: { instanceId: 'x' }, stepIndex: 1 } },
        { id: 'orderStatus', state: { orderId: '12345', attempts: 1 } },
      ],
    },
    profile: { name: 'Ada Lovelace', messages: 3, firstSeen: new Date().toISOString() },
  });
  const iterations = 20_000;
  const started = performance.now();
  for (let i = 0; i < iterations; i++) cipher.open(cipher.seal(item, 'state:emulator/conversations/c/'), 'state:emulator/conversations/c/');
  console.log(`seal + open of a ${item.length}-byte state item: ${fmt(((performance.now() - started) / iterations) * 1000, 1)} µs`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
