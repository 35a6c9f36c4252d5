import { strict as assert } from 'node:assert';
import type { Activity, TestAdapter } from 'botbuilder';

/** What one bot reply must look like: exact text, a pattern, or a full check. */
export type ReplyExpectation = string | RegExp | ((reply: Partial<Activity>) => void);

/** One user message and the bot messages it must produce, in order. */
export type TranscriptTurn = [user: string, replies: ReplyExpectation[]];

/** Sends one message and returns the bot's message replies (typing indicators dropped). */
export async function say(adapter: TestAdapter, text: string): Promise<Partial<Activity>[]> {
  await adapter.receiveActivity(text);
  const sent = adapter.activeQueue.splice(0, adapter.activeQueue.length);
  return sent.filter((a) => a.type === 'message');
}

export function buttonsOf(reply: Partial<Activity>): string[] {
  return (reply.suggestedActions?.actions ?? []).map((a) => String(a.title ?? a.value));
}

/** Plays a transcript and checks every reply; the message names the turn that went wrong. */
export async function playTranscript(adapter: TestAdapter, turns: TranscriptTurn[]): Promise<void> {
  for (const [index, [user, expected]] of turns.entries()) {
    const replies = await say(adapter, user);
    const texts = replies.map((r) => r.text);
    assert.equal(replies.length, expected.length, `turn ${index + 1} ("${user}"): expected ${expected.length} replies, got ${JSON.stringify(texts)}`);
    expected.forEach((e, i) => {
      const reply = replies[i] as Partial<Activity>;
      const where = `turn ${index + 1} ("${user}"), reply ${i + 1}`;
      if (typeof e === 'string') assert.equal(reply.text, e, where);
      else if (e instanceof RegExp) assert.match(reply.text ?? '', e, where);
      else e(reply);
    });
  }
}

/** A reply check: text matches and the given buttons are offered, in order. */
export function withButtons(pattern: RegExp, buttons: string[]): (reply: Partial<Activity>) => void {
  return (reply) => {
    assert.match(reply.text ?? '', pattern);
    assert.deepEqual(buttonsOf(reply), buttons);
  };
}
