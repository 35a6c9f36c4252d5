import pino from 'pino';
import { createApp, type AppOverrides, type BotApp } from '../../../src/app';
import { loadConfig } from '../../../src/config/config';
import type { HandoffLayer } from '../../../src/handoff/createHandoffLayer';
import type { Ticket } from '../../../src/handoff/ticket';
import type { SlackApiCall, SlackApiStub } from '../../support/slackApiStub';
import { BotClient } from '../../support/botClient';
import { channelMessage, click, SlackSender, slackTestEnv } from '../../channels/slack/support/slackTraffic';

export const DESK = 'CHANDOFF';

/** Slack display names the users.info stand-in reports. */
export const AGENT_NAMES: Record<string, string> = { UALICE: 'Alice', UBOB: 'Bob' };

/** Teaches the Slack stand-in the two calls only the desk makes. */
export function teachDeskCalls(stub: SlackApiStub): void {
  stub.on('chat.postEphemeral', () => ({ body: { ok: true, message_ts: '1.000001' } }));
  stub.on('users.info', ({ params }) => {
    const id = String(params.user);
    return { body: { ok: true, user: { id, name: id.toLowerCase(), profile: { display_name: AGENT_NAMES[id] ?? '' } } } };
  });
}

/** The real bot with Slack (HTTP mode, stand-in Web API) and the agent desk in DESK. */
export class HandoffApp {
  private constructor(
    readonly app: BotApp,
    readonly url: string,
    readonly sender: SlackSender,
    private readonly stub: SlackApiStub,
  ) {}

  static async start(stub: SlackApiStub, env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<HandoffApp> {
    const config = loadConfig({
      ...slackTestEnv(stub),
      SLACK_HANDOFF_CHANNEL: DESK,
      // The tests drive the sweeper themselves.
      HANDOFF_SWEEP_INTERVAL_MS: '600000',
      DIRECTLINE_ENABLED: 'false',
      ...env,
    });
    const app = await createApp(config, { logger: pino({ level: 'silent' }), ...overrides });
    const { url } = await app.listen();
    return new HandoffApp(app, url, new SlackSender(url), stub);
  }

  get desk(): HandoffLayer {
    if (!this.app.handoffDesk) throw new Error('the handoff desk is not configured');
    return this.app.handoffDesk;
  }

  /** A customer on /api/messages whose channel connector is `serviceUrl`. */
  customer(serviceUrl: string, conversationId?: string, channelId = 'emulator'): EmulatorCustomer {
    return new EmulatorCustomer(new BotClient(this.url, conversationId, channelId), serviceUrl);
  }

  /** Waits until every Slack delivery accepted so far was processed (desk work included). */
  idle(): Promise<void> {
    return this.app.slack?.idle() ?? Promise.resolve();
  }

  /** The ticket message the desk posted for a ticket. */
  ticketPost(ticketId: string): SlackApiCall {
    const post = this.stub
      .succeeded('chat.postMessage')
      .find((c) => c.params.channel === DESK && !c.params.thread_ts && String(c.params.text).startsWith(`Ticket ${ticketId}`));
    if (!post) throw new Error(`no ticket message for ${ticketId}`);
    return post;
  }

  /** An agent clicks a ticket button (signed block_actions). */
  async clickTicket(ticketId: string, label: 'Claim' | 'Resolve', agent: string): Promise<void> {
    const { status } = await this.sender.interaction(click(this.ticketPost(ticketId), label, agent));
    if (status !== 200) throw new Error(`Slack interaction answered ${status}`);
    await this.idle();
  }

  /** An agent writes in the ticket's thread (signed message event). */
  async replyInThread(ticket: Ticket, agent: string, text: string, extra: Record<string, unknown> = {}): Promise<void> {
    const { status } = await this.sender.event(channelMessage(agent, DESK, text, { thread_ts: ticket.thread?.ts, ...extra }));
    if (status !== 200) throw new Error(`Slack event answered ${status}`);
    await this.idle();
  }

  /** Thread posts (customer messages, notes) of one ticket. */
  threadTexts(ticket: Ticket): string[] {
    return this.stub
      .succeeded('chat.postMessage')
      .filter((c) => c.params.thread_ts === ticket.thread?.ts)
      .map((c) => String(c.params.text));
  }

  close(): Promise<void> {
    return this.app.close();
  }
}

/** A Bot Framework customer (Emulator by default) posting with expectReplies. */
export class EmulatorCustomer {
  constructor(
    readonly client: BotClient,
    private readonly serviceUrl: string,
  ) {}

  get conversationId(): string {
    return this.client.conversationId;
  }

  /** Sends a message and returns every activity of the reply (events included). */
  async say(
    text: string,
  ): Promise<Array<{ type?: string; text?: string; name?: string; value?: unknown; suggestedActions?: { actions: Array<{ title?: string }> } }>> {
    const { status, json } = await this.client.post(this.client.activity({ text, serviceUrl: this.serviceUrl }));
    if (status !== 200) throw new Error(`POST /api/messages answered ${status}: ${JSON.stringify(json)}`);
    return (json as { activities?: [] } | undefined)?.activities ?? [];
  }

  async texts(text: string): Promise<string[]> {
    return (await this.say(text)).filter((a) => a.type === 'message').map((a) => a.text ?? '');
  }
}

/** The newest ticket of a conversation, straight from the store. */
export async function ticketOfConversation(desk: HandoffLayer, conversationId: string, tickets: string[]): Promise<Ticket> {
  for (const id of [...tickets].reverse()) {
    const ticket = await desk.store.get(id);
    if (ticket?.reference.conversation?.id === conversationId) return ticket;
  }
  throw new Error(`no ticket for conversation ${conversationId}`);
}

/** Ticket ids of the ticket messages posted to the desk so far, oldest first. */
export function postedTicketIds(stub: SlackApiStub): string[] {
  return stub
    .succeeded('chat.postMessage')
    .filter((c) => c.params.channel === DESK && !c.params.thread_ts)
    .map((c) => /^Ticket (T-[A-Z0-9]+)/.exec(String(c.params.text))?.[1])
    .filter((id): id is string => id !== undefined);
}
