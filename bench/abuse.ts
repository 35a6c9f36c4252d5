import { randomBytes } from 'node:crypto';
import http from 'node:http';
import WebSocket from 'ws';
import { arg } from './lib/args';
import { fmt, summarize } from './lib/driver';
import { ROOT, startServer, type ServerProcess } from './lib/processes';

/**
 * `npm run bench:abuse`: sustained anonymous abuse of the public Web Chat edge, with the
 * default limits, while legitimate Web Chat customers from other addresses hold full order
 * conversations. One bot process (memory storage, the real recognizer and dialogs) on
 * loopback; every client binds its sockets to its own 127.0.x.y address, so the bot sees one
 * address per attacker and per customer.
 *
 *   npm run bench:abuse -- [--duration 60] [--baseline 20] [--legit 8] [--attackers 4]
 *                          [--pace-ms 3000] [--heap-mb 0] [--root <checkout>]
 *
 * Phase 1 (`--baseline` s): legitimate traffic alone. Phase 2 (`--duration` s): the same
 * legitimate traffic plus the attackers. Each customer runs full order conversations over
 * Direct Line (token, start, WebSocket, "where is my order 12345" → confirmation, "yes" →
 * the order check on the first turn → status) at one order turn per `--pace-ms` per customer, five order turns per conversation.
 * The legitimate throughput ratio is (order turns per second during the abuse) / (during the
 * baseline), from the same run; latency percentiles are given for both.
 *
 * Each attacker address runs, back to back and as fast as answers come: a token flood; new
 * conversations from every token it gets; and into them posts of 255 KB text, 200 KB event
 * values (accepted, stored up to the per-conversation budget), 5,000 attachments, 10 attachments
 * of 20 KB, JSON nested 5,000 deep and plain messages. The report gives the bot's RSS over time,
 * its RSS and V8 heap once the abuse stops, and every status code per request kind.
 *
 * `--root` runs the bot from another checkout (e.g. a `git archive` of an older commit) to
 * measure "before"; `--heap-mb` caps the bot's V8 heap (--max-old-space-size).
 */

const DURATION_S = Number(arg('duration', '60'));
const BASELINE_S = Number(arg('baseline', '20'));
const LEGIT = Number(arg('legit', '8'));
const ATTACKERS = Number(arg('attackers', '4'));
const PACE_MS = Number(arg('pace-ms', '3000'));
const HEAP_MB = Number(arg('heap-mb', '0'));
const BOT_ROOT = arg('root', ROOT);
const TURNS_PER_CONVERSATION = 5;
const WAIT_MS = 15_000;

const statuses = new Map<string, number>();
function count(kind: string, status: number | string): void {
  const key = `${kind} ${status}`;
  statuses.set(key, (statuses.get(key) ?? 0) + 1);
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const agents = new Map<string, http.Agent>();
function agentFor(localAddress: string): http.Agent {
  let agent = agents.get(localAddress);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true, maxSockets: 4, localAddress } as http.AgentOptions);
    agents.set(localAddress, agent);
  }
  return agent;
}

/** One HTTP request from `localAddress`; never rejects (network errors are status 0). */
function send(localAddress: string, method: string, url: string, token?: string, body?: Buffer | string): Promise<Answer> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const req = http.request(url, { method, headers, agent: agentFor(localAddress), localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ status: 0, headers: {}, body: '' }));
    });
    req.setTimeout(WAIT_MS, () => req.destroy());
    req.on('error', () => resolve({ status: 0, headers: {}, body: '' }));
    req.end(body);
  });
}

function json<T>(answer: Answer): T | undefined {
  try {
    return JSON.parse(answer.body) as T;
  } catch {
    return undefined;
  }
}

interface Session {
  token: string;
  domain: string;
  conversationId: string;
  streamUrl: string;
}

/** Token from the page's route, then the conversation; undefined when refused. */
async function startSession(address: string, baseUrl: string, kind: string): Promise<Session | undefined> {
  const issued = await send(address, 'POST', `${baseUrl}/api/directline/token`);
  count(`${kind} token`, issued.status);
  if (issued.status !== 200) return undefined;
  const { token, domain } = json<{ token: string; domain: string }>(issued) ?? { token: '', domain: '' };
  const started = await send(address, 'POST', `${domain}/conversations`, token);
  count(`${kind} conversation`, started.status);
  if (started.status !== 201) return undefined;
  const body = json<{ conversationId: string; streamUrl: string; token: string }>(started);
  if (!body) return undefined;
  return { token: body.token, domain, conversationId: body.conversationId, streamUrl: body.streamUrl };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface TurnRecord {
  at: number;
  ms: number;
}

/** A legitimate customer: full order conversations, paced, on its own address. */
async function customer(address: string, baseUrl: string, until: () => boolean, turns: TurnRecord[], failures: { n: number }): Promise<void> {
  while (!until()) {
    const session = await startSession(address, baseUrl, 'legit');
    if (!session) {
      failures.n++;
      await sleep(PACE_MS);
      continue;
    }
    const received: Array<{ replyToId?: string; text?: string }> = [];
    let wake: (() => void) | undefined;
    const socket = new WebSocket(session.streamUrl, { localAddress: address });
    socket.on('message', (data) => {
      const text = data.toString();
      if (!text) return;
      received.push(...(JSON.parse(text) as { activities: Array<{ replyToId?: string; text?: string }> }).activities);
      wake?.();
    });
    socket.on('error', () => undefined);
    const opened = await new Promise<boolean>((resolve) => {
      socket.once('open', () => resolve(true));
      socket.once('error', () => resolve(false));
    });
    const waitFor = async (replyTo: string, pattern: RegExp): Promise<boolean> => {
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        if (received.some((a) => a.replyToId === replyTo && pattern.test(a.text ?? ''))) return true;
        const left = deadline - Date.now();
        if (left <= 0) return false;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    };
    const say = async (text: string, pattern: RegExp): Promise<boolean> => {
      const answer = await send(
        address,
        'POST',
        `${session.domain}/conversations/${session.conversationId}/activities`,
        session.token,
        JSON.stringify({ type: 'message', text }),
      );
      count('legit post', answer.status);
      const id = json<{ id?: string }>(answer)?.id;
      return answer.status === 200 && id !== undefined && (await waitFor(id, pattern));
    };
    for (let k = 0; opened && k < TURNS_PER_CONVERSATION && !until(); k++) {
      const slot = Date.now() + PACE_MS;
      const t0 = performance.now();
      // The order check (ORDER_VERIFICATION=knowledge) is asked on a conversation's first order
      // turn; the bot remembers it for the later ones, which go from "yes" straight to the status.
      const ok =
        (await say('where is my order 12345', /Is that correct/)) &&
        (k === 0
          ? (await say('yes', /e-mail address or the postcode/)) && (await say('alex.morgan@example.com', /^Order 12345/))
          : await say('yes', /^Order 12345/));
      if (ok) turns.push({ at: Date.now(), ms: performance.now() - t0 });
      else failures.n++;
      await sleep(Math.max(0, slot - Date.now()));
    }
    socket.close();
  }
}

/** Bodies the attackers send, built once. */
function attackBodies(): Array<{ kind: string; body: Buffer }> {
  const deep = `{"type":"message","text":"hi","value":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
  return [
    { kind: 'post 255KB text', body: Buffer.from(JSON.stringify({ type: 'message', text: 'x'.repeat(255 * 1024) })) },
    { kind: 'post 200KB value', body: Buffer.from(JSON.stringify({ type: 'event', name: 'blob', value: { blob: 'y'.repeat(200 * 1024) } })) },
    {
      kind: 'post 5000 attachments',
      body: Buffer.from(
        JSON.stringify({
          type: 'message',
          text: 'see',
          attachments: Array.from({ length: 5000 }, (_, i) => ({ contentType: 'text/plain', content: `a${i}` })),
        }),
      ),
    },
    {
      kind: 'post 10x20KB attachments',
      body: Buffer.from(
        JSON.stringify({
          type: 'message',
          text: 'see',
          attachments: Array.from({ length: 10 }, () => ({ contentType: 'text/plain', content: 'z'.repeat(20 * 1024) })),
        }),
      ),
    },
    { kind: 'post 5000-deep JSON', body: Buffer.from(deep) },
    { kind: 'post plain message', body: Buffer.from(JSON.stringify({ type: 'message', text: 'where is my order 12345' })) },
  ];
}

/** One attacker address: a token flood, and every granted token used to stuff a new conversation. */
async function attacker(address: string, baseUrl: string, until: () => boolean): Promise<void> {
  const bodies = attackBodies();
  const sessions: Session[] = [];
  const flood = async (): Promise<void> => {
    while (!until()) {
      const issued = await send(address, 'POST', `${baseUrl}/api/directline/token`);
      count('attack token', issued.status);
      if (issued.status === 200) {
        const { token, domain } = json<{ token: string; domain: string }>(issued) ?? { token: '', domain: '' };
        const started = await send(address, 'POST', `${domain}/conversations`, token);
        count('attack conversation', started.status);
        const body = json<{ conversationId: string; token: string; streamUrl: string }>(started);
        if (started.status === 201 && body) sessions.push({ token: body.token, domain, conversationId: body.conversationId, streamUrl: body.streamUrl });
      }
      if (issued.status === 0) await sleep(100);
    }
  };
  const stuff = async (): Promise<void> => {
    let i = 0;
    while (!until()) {
      const session = sessions[sessions.length - 1 - (i % Math.max(1, Math.min(sessions.length, 5)))];
      if (!session) {
        await sleep(50);
        continue;
      }
      const { kind, body } = bodies[i++ % bodies.length] as { kind: string; body: Buffer };
      const answer = await send(address, 'POST', `${session.domain}/conversations/${session.conversationId}/activities`, session.token, body);
      count(`attack ${kind}`, answer.status);
      if (answer.status === 0) await sleep(100);
    }
  };
  await Promise.all([flood(), stuff(), stuff()]);
}

async function metricValue(baseUrl: string, name: string): Promise<number> {
  const answer = await send('127.0.0.1', 'GET', `${baseUrl}/metrics`);
  const line = answer.body.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').at(-1)) : NaN;
}

async function main(): Promise<void> {
  const env: Record<string, string> = {
    DIRECTLINE_SECRET: randomBytes(33).toString('base64url'),
    LOG_LEVEL: 'error',
    ...(HEAP_MB > 0 ? { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` } : {}),
  };
  let bot: ServerProcess | undefined;
  try {
    bot = await startServer('bot', 'src/index.ts', env, BOT_ROOT);
    const baseUrl = bot.url;
    const rssStart = bot.rssMb();
    console.log(`abuse: bot from ${BOT_ROOT === ROOT ? 'this checkout' : BOT_ROOT}, default limits, memory storage${HEAP_MB ? `, heap ${HEAP_MB} MB` : ''}`);
    console.log(
      `${LEGIT} customers (127.0.1.x, one order turn per ${PACE_MS} ms each), ${ATTACKERS} attackers (127.0.2.x); baseline ${BASELINE_S} s, then abuse ${DURATION_S} s\n`,
    );
    const t0 = Date.now();
    const abuseStart = t0 + BASELINE_S * 1000;
    const end = abuseStart + DURATION_S * 1000;
    const turns: TurnRecord[] = [];
    const failures = { n: 0 };
    const legit = Array.from({ length: LEGIT }, (_, i) => customer(`127.0.1.${i + 1}`, baseUrl, () => Date.now() >= end, turns, failures));
    const samples: Array<{ s: number; rss: number }> = [];
    let exited = false;
    bot.child.once('exit', () => {
      exited = true;
    });
    const sampler = setInterval(() => samples.push({ s: Math.round((Date.now() - t0) / 1000), rss: bot?.rssMb() ?? NaN }), 1000);
    const reporter = setInterval(
      () => {
        const s = Math.round((Date.now() - t0) / 1000);
        const attack = [...statuses].filter(([k]) => k.startsWith('attack')).reduce((n, [, v]) => n + v, 0);
        console.log(
          `  t=${String(s).padStart(4)} s  ${Date.now() < abuseStart ? 'baseline' : 'abuse   '}  RSS ${fmt(bot?.rssMb() ?? NaN, 0)} MB  legit order turns ${turns.length}  attack requests ${attack}${exited ? '  BOT EXITED' : ''}`,
        );
      },
      Math.max(5000, Math.round(((BASELINE_S + DURATION_S) * 1000) / 12)),
    );
    await new Promise((r) => setTimeout(r, Math.max(0, abuseStart - Date.now())));
    const attacks = Array.from({ length: ATTACKERS }, (_, i) => attacker(`127.0.2.${i + 1}`, baseUrl, () => Date.now() >= end || exited));
    await Promise.all([...legit, ...attacks]);
    clearInterval(sampler);
    clearInterval(reporter);

    const rssPeak = Math.max(...samples.map((x) => x.rss).filter(Number.isFinite));
    // Memory held once the abuse stopped (after the bot's own timers had a moment).
    await sleep(3000);
    const rssEnd = bot.rssMb();
    const heapUsed = exited ? NaN : (await metricValue(baseUrl, 'supportbot_nodejs_heap_size_used_bytes')) / 1024 / 1024;

    const inBaseline = turns.filter((t) => t.at < abuseStart);
    const inAbuse = turns.filter((t) => t.at >= abuseStart);
    const rateBase = inBaseline.length / BASELINE_S;
    const rateAbuse = inAbuse.length / DURATION_S;
    const lb = summarize(inBaseline.map((t) => t.ms));
    const la = summarize(inAbuse.map((t) => t.ms));

    console.log('\nRSS over time (MB):');
    const step = Math.max(1, Math.round(samples.length / 20));
    console.log(
      `  ${samples
        .filter((_, i) => i % step === 0)
        .map((x) => `${x.s}s:${fmt(x.rss, 0)}`)
        .join('  ')}`,
    );
    console.log(
      `\nmemory: RSS at start ${fmt(rssStart, 0)} MB, peak ${fmt(rssPeak, 0)} MB, 3 s after the abuse ${exited ? `n/a (the bot exited: ${String(bot.child.exitCode)})` : `${fmt(rssEnd, 0)} MB, V8 heap used ${fmt(heapUsed, 1)} MB`}`,
    );
    console.log('\nstatus codes (request kind, status: count):');
    for (const [key, n] of [...statuses].sort(([a], [b]) => a.localeCompare(b))) console.log(`  ${key.padEnd(40)} ${n}`);
    console.log('\nlegitimate order turns (two messages each, reply over the WebSocket):');
    console.log('| phase | seconds | order turns | per second | p50 ms | p99 ms |');
    console.log('|---|---|---|---|---|---|');
    console.log(`| baseline (no abuse) | ${BASELINE_S} | ${inBaseline.length} | ${fmt(rateBase, 2)} | ${fmt(lb.p50, 1)} | ${fmt(lb.p99, 1)} |`);
    console.log(`| under abuse | ${DURATION_S} | ${inAbuse.length} | ${fmt(rateAbuse, 2)} | ${fmt(la.p50, 1)} | ${fmt(la.p99, 1)} |`);
    console.log(`\nlegitimate throughput ratio (abuse / baseline): ${fmt(rateAbuse / rateBase, 3)}; failed legit turns or sessions: ${failures.n}`);
  } finally {
    for (const agent of agents.values()) agent.destroy();
    await bot?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
