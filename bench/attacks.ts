import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { arg } from './lib/args';
import { fmt } from './lib/driver';
import { ROOT, startServer, type ServerProcess } from './lib/processes';

/**
 * `npm run bench:attacks`: the attacks of issue 13 on the public Web Chat edge, one after the
 * other against one bot process with the default limits, printing what each got (status codes,
 * the bot's RSS, what was stored, turns answered). Run it with `--root <checkout>` to get the
 * same figures from an older build ("before").
 *
 *   npm run bench:attacks -- [--root <checkout>]
 */

const BOT_ROOT = arg('root', ROOT);

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(
  localAddress: string,
  method: string,
  url: string,
  options: { token?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const req = http.request(url, { method, headers, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', () => resolve({ status: 0, headers: {}, body: '' }));
    req.end(options.body);
  });
}

function tally(statuses: number[]): string {
  const counts = new Map<number, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${n}× ${s}`).join(', ');
}

async function session(address: string, baseUrl: string): Promise<{ token: string; url: string } | undefined> {
  const issued = await send(address, 'POST', `${baseUrl}/api/directline/token`);
  if (issued.status !== 200) return undefined;
  const { token, domain } = JSON.parse(issued.body) as { token: string; domain: string };
  const started = await send(address, 'POST', `${domain}/conversations`, { token });
  if (started.status !== 201) return undefined;
  const { conversationId } = JSON.parse(started.body) as { conversationId: string };
  return { token, url: `${domain}/conversations/${conversationId}` };
}

async function logged(s: { token: string; url: string }): Promise<Array<{ text?: string; replyToId?: string; id: string }>> {
  const all: Array<{ text?: string; replyToId?: string; id: string }> = [];
  let watermark = '0';
  for (;;) {
    const page = await send('127.0.0.1', 'GET', `${s.url}/activities?watermark=${watermark}`, { token: s.token });
    const body = JSON.parse(page.body) as { activities: Array<{ text?: string; replyToId?: string; id: string }>; watermark: string };
    all.push(...body.activities);
    if (body.activities.length < 100) return all;
    watermark = body.watermark;
  }
}

async function main(): Promise<void> {
  let bot: ServerProcess | undefined;
  try {
    bot = await startServer('bot', 'src/index.ts', { DIRECTLINE_SECRET: randomBytes(33).toString('base64url'), LOG_LEVEL: 'error' }, BOT_ROOT);
    const base = bot.url;
    console.log(`attacks of issue 13 against the bot from ${BOT_ROOT === ROOT ? 'this checkout' : BOT_ROOT} (default limits, memory storage)\n`);

    // 1. 200 posts of 255 KB into one conversation.
    {
      const s = await session('127.0.3.1', base);
      if (!s) throw new Error('no session');
      const rss0 = bot.rssMb();
      const text = 'x'.repeat(255 * 1024);
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++)
        statuses.push((await send('127.0.3.1', 'POST', `${s.url}/activities`, { token: s.token, body: JSON.stringify({ type: 'message', text }) })).status);
      const kept = (await logged(s)).filter((a) => (a.text ?? '').length > 100_000).length;
      console.log(`1. 200 posts of 255 KB: ${tally(statuses)}; 255 KB activities kept in the log: ${kept}; RSS ${fmt(rss0, 0)} -> ${fmt(bot.rssMb(), 0)} MB`);
    }
    // 2. 100 token requests from one address, then an order turn with each granted token.
    {
      const statuses: number[] = [];
      const tokens: string[] = [];
      for (let i = 0; i < 100; i++) {
        const issued = await send('127.0.3.2', 'POST', `${base}/api/directline/token`);
        statuses.push(issued.status);
        if (issued.status === 200) tokens.push(issued.body);
      }
      let answered = 0;
      const postStatuses: number[] = [];
      for (const raw of tokens) {
        const { token, domain } = JSON.parse(raw) as { token: string; domain: string };
        const started = await send('127.0.3.2', 'POST', `${domain}/conversations`, { token });
        if (started.status !== 201) {
          postStatuses.push(started.status);
          continue;
        }
        const { conversationId } = JSON.parse(started.body) as { conversationId: string };
        const s = { token, url: `${domain}/conversations/${conversationId}` };
        const first = await send('127.0.3.2', 'POST', `${s.url}/activities`, {
          token,
          body: JSON.stringify({ type: 'message', text: 'where is my order 12345' }),
        });
        const second = await send('127.0.3.2', 'POST', `${s.url}/activities`, { token, body: JSON.stringify({ type: 'message', text: 'yes' }) });
        postStatuses.push(first.status, second.status);
        // Answered: the status (builds without the order check) or the check's question (with it).
        if ((await logged(s)).some((a) => /^Order 12345|e-mail address or the postcode/.test(a.text ?? ''))) answered++;
      }
      console.log(
        `2. 100 token requests from one address: ${tally(statuses)}; then per granted token an order turn: posts ${tally(postStatuses)}, order turns answered ${answered}`,
      );
    }
    // 3. 5,000 attachments in one activity.
    {
      const s = await session('127.0.3.3', base);
      if (!s) throw new Error('no session');
      const body = JSON.stringify({
        type: 'message',
        text: 'see',
        attachments: Array.from({ length: 5000 }, (_, i) => ({ contentType: 'text/plain', content: `a${i}` })),
      });
      const answer = await send('127.0.3.3', 'POST', `${s.url}/activities`, { token: s.token, body });
      const kept = (await logged(s)).length;
      console.log(`3. 5,000 attachments: ${answer.status} ${answer.body.slice(0, 120)}; activities in the log afterwards: ${kept} (the greeting is 1)`);
    }
    // 4. JSON nested 5,000 deep.
    {
      const s = await session('127.0.3.4', base);
      if (!s) throw new Error('no session');
      const body = `{"type":"message","text":"hi","value":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
      const answer = await send('127.0.3.4', 'POST', `${s.url}/activities`, { token: s.token, body });
      console.log(`4. JSON nested 5,000 deep: ${answer.status} ${answer.body.slice(0, 140)}`);
    }
    // 5. CORS preflight from an allowed or foreign origin, and the session id route.
    {
      const preflight = await send('127.0.3.5', 'OPTIONS', `${base}/v3/directline/conversations`, {
        headers: { origin: base, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      });
      const foreign = await send('127.0.3.5', 'OPTIONS', `${base}/v3/directline/conversations`, {
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      const s = await session('127.0.3.5', base);
      const sessionId = await send('127.0.3.5', 'GET', `${base}/v3/directline/session/getsessionid`, { token: s?.token ?? '' });
      console.log(
        `5. preflight (own origin): ${preflight.status}, Access-Control-Allow-Origin ${String(preflight.headers['access-control-allow-origin'])}; foreign origin: ${foreign.status}; GET session/getsessionid: ${sessionId.status}`,
      );
    }
    console.log(`\nRSS at the end: ${fmt(bot.rssMb(), 0)} MB`);
  } finally {
    await bot?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
