/** Latency figures in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  mean: number;
}

export function summarize(samples: number[]): LatencySummary {
  if (samples.length === 0) return { count: 0, p50: NaN, p99: NaN, mean: NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), mean: sorted.reduce((s, x) => s + x, 0) / sorted.length };
}

export interface TurnReply {
  texts: string[];
}

let sequence = 0;

/** Posts one message turn with expectReplies and returns the reply texts. */
export async function sendTurn(baseUrl: string, conversationId: string, userId: string, text: string): Promise<TurnReply> {
  const response = await fetch(`${baseUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      id: `b${++sequence}`,
      channelId: 'emulator',
      serviceUrl: 'http://127.0.0.1:1',
      deliveryMode: 'expectReplies',
      from: { id: userId, name: 'bench' },
      recipient: { id: 'bot' },
      conversation: { id: conversationId },
      text,
    }),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
  const body = (await response.json()) as { activities?: { type: string; text?: string }[] };
  return { texts: (body.activities ?? []).filter((a) => a.type === 'message').map((a) => a.text ?? '') };
}

/** One full order-status conversation: greet, ask with an ID, confirm, answer the order check. */
export const ORDER_CONVERSATION = ['hi', 'where is my order 12345?', 'yes', 'alex.morgan@example.com'];

/** Checks the last reply of an order conversation really is the status. */
export function isOrderStatus(reply: TurnReply): boolean {
  return reply.texts.some((t) => t.startsWith('Order 12345 is'));
}

export interface LoadResult {
  turns: number;
  conversations: number;
  errors: number;
  wrongAnswers: number;
  seconds: number;
  turnsPerSecond: number;
  latency: LatencySummary;
}

/**
 * Runs `concurrency` virtual customers for `seconds`, each repeating whole conversations.
 * `checkAnswers` verifies the final reply (off for the echo baseline).
 */
export async function runLoad(
  baseUrl: string,
  concurrency: number,
  seconds: number,
  label: string,
  checkAnswers: boolean,
  /** When set, each worker cycles through this many conversation ids instead of new ones. */
  conversationsPerWorker?: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let turns = 0;
  let conversations = 0;
  let errors = 0;
  let wrongAnswers = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async (w: number): Promise<void> => {
    let n = 0;
    while (performance.now() < deadline) {
      const conversationId = conversationsPerWorker ? `${label}-${w}-${n++ % conversationsPerWorker}` : `${label}-${w}-${n++}-${Date.now()}`;
      let last: TurnReply | undefined;
      for (const text of ORDER_CONVERSATION) {
        const t0 = performance.now();
        try {
          last = await sendTurn(baseUrl, conversationId, `user-${conversationId}`, text);
          latencies.push(performance.now() - t0);
          turns += 1;
        } catch {
          errors += 1;
          last = undefined;
          break;
        }
      }
      conversations += 1;
      if (checkAnswers && last && !isOrderStatus(last)) wrongAnswers += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const elapsed = (performance.now() - started) / 1000;
  return { turns, conversations, errors, wrongAnswers, seconds: elapsed, turnsPerSecond: turns / elapsed, latency: summarize(latencies) };
}

export function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}
