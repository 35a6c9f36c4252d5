import type { Activity } from 'botbuilder';

let counter = 0;

/** Drives whole turns over HTTP with deliveryMode "expectReplies", as the Emulator would post them. */
export class BotClient {
  readonly conversationId: string;

  constructor(
    private readonly baseUrl: string,
    conversationId?: string,
    private readonly channelId = 'emulator',
  ) {
    this.conversationId = conversationId ?? `conv-${process.pid}-${Date.now()}-${++counter}`;
  }

  activity(fields: Partial<Activity>): Record<string, unknown> {
    return {
      type: 'message',
      id: `act-${++counter}`,
      channelId: this.channelId,
      serviceUrl: 'http://127.0.0.1:1',
      deliveryMode: 'expectReplies',
      from: { id: `user-${this.conversationId}`, name: 'Test customer', role: 'user' },
      recipient: { id: 'bot', name: 'Order bot', role: 'bot' },
      conversation: { id: this.conversationId },
      timestamp: new Date().toISOString(),
      ...fields,
    };
  }

  /** Posts any body; returns the status and the parsed JSON response (if any). */
  async post(body: unknown, contentType = 'application/json'): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${this.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: response.status, json };
  }

  /** Sends one activity and returns the bot's message replies. */
  async send(fields: Partial<Activity>): Promise<Partial<Activity>[]> {
    const { status, json } = await this.post(this.activity(fields));
    if (status !== 200) throw new Error(`POST /api/messages answered ${status}: ${JSON.stringify(json)}`);
    const activities = (json as { activities?: Partial<Activity>[] } | undefined)?.activities ?? [];
    return activities.filter((a) => a.type === 'message');
  }

  async say(text: string): Promise<Partial<Activity>[]> {
    return this.send({ text });
  }
}
