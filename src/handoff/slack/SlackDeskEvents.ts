import type { Logger } from '../../telemetry/logger';
import { asArray as arr, asRecord as obj, type JsonObject, nonEmptyString as str } from '../../util/json';
import type { AgentHandoff } from '../AgentHandoff';
import type { AgentRef } from '../ticket';
import { AgentAuthorizer, type DeskRefusal } from './AgentAuthorizer';
import type { SlackDeskApi } from './SlackDeskApi';
import { DeskActionIds } from './ticketBlocks';

type Json = JsonObject;

/** Message subtypes that are a person writing. */
const SPOKEN = new Set([undefined, 'thread_broadcast', 'file_share', 'me_message']);
/** Display names change rarely; look each agent up at most this often. */
const NAME_TTL_MS = 10 * 60_000;

export interface SlackDeskEventsOptions {
  agents: AgentHandoff;
  api: SlackDeskApi;
  /** SLACK_HANDOFF_CHANNEL. */
  channel: string;
  logger: Logger;
  /** Who may act at the desk (HANDOFF_AGENT_USER_IDS / HANDOFF_AGENT_USERGROUP); default: anyone in the channel. */
  authorizer?: AgentAuthorizer;
  now?: () => number;
}

/** What a refused person is told, privately. */
const REFUSALS: Record<DeskRefusal, string> = {
  wrong_channel: "Tickets can only be handled in the agents' support channel; nothing was done.",
  not_an_agent: 'Only support agents can act on tickets; nothing was done and the customer saw nothing.',
  agent_list_unavailable: 'The list of support agents cannot be checked right now; nothing was done. Please try again in a minute.',
};

/**
 * The desk's inbound side: Slack traffic from the agents' channel (thread replies, Claim and
 * Resolve clicks), which the Slack bridge hands here instead of to the customer bot.
 * It only translates Slack payloads into {@link AgentHandoff} calls; the rules live there.
 */
export class SlackDeskEvents {
  /** The bridge routes clicks on `handoff_*` buttons here. */
  readonly actionPrefix = DeskActionIds.prefix;
  private readonly names = new Map<string, { name: string; until: number }>();
  private readonly now: () => number;
  private readonly authorizer: AgentAuthorizer;

  constructor(private readonly options: SlackDeskEventsOptions) {
    this.now = options.now ?? Date.now;
    this.authorizer = options.authorizer ?? new AgentAuthorizer({ userIds: [], usergroupMembers: async () => [], logger: options.logger });
  }

  /** True when the payload belongs to the desk rather than to a customer conversation. */
  owns(body: Json): boolean {
    if (body.type === 'block_actions') return actionIdOf(body)?.startsWith(DeskActionIds.prefix) ?? false;
    const event = obj(body.event);
    return body.type === 'event_callback' && event !== undefined && str(event.channel) === this.options.channel;
  }

  /** Acts on a desk payload; logs instead of throwing (Slack has been acked already). */
  async handle(body: Json): Promise<void> {
    try {
      if (body.type === 'block_actions') await this.onAction(body);
      else if (body.type === 'event_callback') await this.onEvent(body);
    } catch (error) {
      this.options.logger.error({ err: error, type: body.type }, 'handoff desk: could not handle a Slack payload');
    }
  }

  private async onEvent(body: Json): Promise<void> {
    const event = obj(body.event) ?? {};
    const type = str(event.type);
    if (type !== 'message' && type !== 'app_mention') return;
    if (!SPOKEN.has(str(event.subtype)) || event.bot_id !== undefined) return;
    const user = str(event.user);
    const ts = str(event.ts);
    const threadTs = str(event.thread_ts);
    const channel = str(event.channel);
    // Only replies inside a ticket's thread concern the desk; channel chatter is the agents' own.
    if (!user || !ts || !channel || !threadTs || threadTs === ts) return;
    // Files are not relayed: Slack file links need a Slack login the customer does not have.
    const text = slackToPlain(str(event.text) ?? '');
    if (text === '') return;
    const refusal = await this.authorizer.check(user);
    if (refusal) return this.refuse(refusal, 'thread_message', channel, user, threadTs);
    const agent = await this.agent(user);
    await this.options.agents.onThreadMessage({ channel, ts: threadTs }, agent, text, `slack:${channel}:${ts}`);
  }

  private async onAction(body: Json): Promise<void> {
    const action = obj(arr(body.actions)[0]);
    const user = obj(body.user);
    const userId = str(user?.id);
    const channel = str(obj(body.channel)?.id) ?? str(obj(body.container)?.channel_id);
    const messageTs = str(obj(body.message)?.ts) ?? str(obj(body.container)?.message_ts);
    const ticketId = str(action?.value);
    if (!action || !userId || !channel || !messageTs || !ticketId) return;
    // Slack signs clicks from any channel the button reaches (a forwarded or shared ticket, a
    // crafted message): only clicks in the desk channel, by an agent, count.
    const refusal = channel !== this.options.channel ? 'wrong_channel' : await this.authorizer.check(userId);
    if (refusal) return this.refuse(refusal, 'action', channel, userId, str(obj(body.container)?.thread_ts));
    const agent = await this.agent(userId, str(user?.name));
    const where = { channel, ts: messageTs };
    if (action.action_id === DeskActionIds.claim) await this.options.agents.claim(ticketId, agent, where);
    else if (action.action_id === DeskActionIds.resolve) await this.options.agents.resolve(ticketId, agent, where);
  }

  /** Logs a refused desk action (the reason, never who or what) and tells the person privately. */
  private async refuse(reason: DeskRefusal, kind: 'action' | 'thread_message', channel: string, user: string, threadTs?: string): Promise<void> {
    this.options.logger.warn({ code: 'HANDOFF_NOT_AN_AGENT', reason, kind }, 'handoff desk: refused a desk action from outside the desk');
    try {
      await this.options.api.postEphemeral(channel, user, REFUSALS[reason], threadTs);
    } catch (error) {
      // e.g. the bot is not in that channel: the refusal stands, only the notice is missing.
      this.options.logger.debug({ err: error, reason }, 'handoff desk: could not tell the refused person');
    }
  }

  /** The agent with a display name, from a short-lived cache or users.info. */
  private async agent(id: string, fallbackName?: string): Promise<AgentRef> {
    const cached = this.names.get(id);
    if (cached && cached.until > this.now()) return { id, name: cached.name };
    let name: string | undefined;
    try {
      name = await this.options.api.displayName(id);
    } catch (error) {
      this.options.logger.debug({ err: error, user: id }, 'handoff desk: users.info failed; using the id (add the users:read scope)');
    }
    const resolved = name ?? fallbackName ?? id;
    this.names.set(id, { name: resolved, until: this.now() + NAME_TTL_MS });
    return { id, name: resolved };
  }
}

function actionIdOf(body: Json): string | undefined {
  return str(obj(arr(body.actions)[0])?.action_id);
}

/** What the agent typed, as the customer should read it: Slack's markup and escaping undone. */
export function slackToPlain(text: string): string {
  return text
    .replace(/<([^<>]*)>/g, (_all, inner: string) => {
      const bar = inner.indexOf('|');
      const target = bar < 0 ? inner : inner.slice(0, bar);
      const label = bar < 0 ? undefined : inner.slice(bar + 1);
      if (target.startsWith('@') || target.startsWith('#')) return label ? `${target[0]}${label}` : target;
      if (target.startsWith('!')) return label ?? '';
      if (target.startsWith('mailto:')) return label ?? target.slice(7);
      return label && label !== target ? `${label} (${target})` : target;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}
