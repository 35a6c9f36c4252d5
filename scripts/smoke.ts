/**
 * Smoke test of a deployed bot: `npm run smoke -- --url https://<app>-staging.azurewebsites.net`.
 *
 * 1. waits (up to --wait seconds, default 300) until GET /readyz answers 200;
 * 2. holds one conversation through the bot's own Direct Line endpoint (the path Web Chat uses,
 *    which needs no Bot Framework credentials): token, conversation, "where is my order 12345",
 *    and expects the bot to confirm that order ID.
 *
 * Exits 0 on success, 1 with the step that failed. Used by the CI/CD pipelines after a deployment.
 */
interface Options {
  url: string;
  waitSeconds: number;
}

function parseArgs(argv: string[]): Options {
  const url = argv[argv.indexOf('--url') + 1];
  const waitIndex = argv.indexOf('--wait');
  const waitSeconds = waitIndex >= 0 ? Number(argv[waitIndex + 1]) : 300;
  if (argv.indexOf('--url') < 0 || !url || !/^https?:\/\//.test(url) || !Number.isFinite(waitSeconds) || waitSeconds < 0) {
    throw new Error('usage: npm run smoke -- --url https://bot.example.com [--wait seconds]');
  }
  return { url: url.replace(/\/+$/, ''), waitSeconds };
}

async function json(response: Response, step: string): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${step}: HTTP ${response.status} ${text.slice(0, 200)}`);
  return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
}

async function waitUntilReady(url: string, waitSeconds: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + waitSeconds * 1000;
  let last = '';
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) });
      last = `HTTP ${response.status} ${(await response.text()).slice(0, 200)}`;
      if (response.status === 200) {
        log(`readyz: ${last}`);
        return;
      }
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() >= deadline) throw new Error(`readyz: not ready after ${waitSeconds} s (last answer: ${last})`);
    // Back off 1, 2, 4 ... 15 s: a fresh slot needs tens of seconds to start.
    await new Promise((resolve) => setTimeout(resolve, Math.min(15_000, 1000 * 2 ** Math.min(attempt - 1, 4))));
  }
}

/** Runs the smoke test; resolves with the bot's reply. */
export async function smoke(options: Options, log: (line: string) => void = console.log): Promise<string> {
  const { url } = options;
  await waitUntilReady(url, options.waitSeconds, log);
  const { token } = await json(await fetch(`${url}/api/directline/token`, { method: 'POST' }), 'POST /api/directline/token');
  if (typeof token !== 'string') throw new Error('POST /api/directline/token: no token in the answer');
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const { conversationId } = await json(
    await fetch(`${url}/v3/directline/conversations`, { method: 'POST', headers: auth, body: '{}' }),
    'POST /v3/directline/conversations',
  );
  if (typeof conversationId !== 'string') throw new Error('POST /v3/directline/conversations: no conversationId');
  const base = `${url}/v3/directline/conversations/${encodeURIComponent(conversationId)}/activities`;
  const { id: sentId } = await json(
    await fetch(base, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ type: 'message', from: { id: 'smoke-test' }, text: 'where is my order 12345' }),
    }),
    'POST activities',
  );
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { activities } = await json(await fetch(base, { headers: auth }), 'GET activities');
    const all = (activities ?? []) as { id?: string; type?: string; text?: string; from?: { id?: string } }[];
    // Only what the bot said after our message (the greeting mentions an example ID too).
    const sentAt = all.findIndex((a) => a.id === sentId);
    const after = sentAt >= 0 ? all.slice(sentAt + 1) : [];
    const replies = after.filter((a) => a.type === 'message' && a.from?.id !== 'smoke-test' && a.text);
    const confirmation = replies.find((a) => a.text?.includes('12345'));
    if (confirmation?.text) {
      log(`conversation: bot answered "${confirmation.text}"`);
      return confirmation.text;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('conversation: the bot did not confirm order 12345 within 30 s');
}

if (require.main === module) {
  Promise.resolve()
    .then(() => smoke(parseArgs(process.argv.slice(2))))
    .then(
      () => console.log('smoke test passed'),
      (error: unknown) => {
        console.error(`smoke test FAILED: ${(error as Error).message}`);
        process.exit(1);
      },
    );
}
