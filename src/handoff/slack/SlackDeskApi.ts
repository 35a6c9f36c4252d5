import type { types, webApi } from '@slack/bolt';

/** A message for chat.postMessage / chat.update. */
export interface DeskMessage {
  text: string;
  blocks?: types.KnownBlock[];
  /** Message metadata (needs no extra scope); the desk tags outbox posts with their id. */
  metadata?: { event_type: string; event_payload: Record<string, string> };
}

/** The metadata event type of posts sent from the ticket outbox. */
export const OUTBOX_EVENT_TYPE = 'handoff_outbox_post';

/**
 * The Slack Web API calls the agent desk makes. Scopes: chat:write (post, update,
 * ephemeral), users:read (agents' display names), usergroups:read (HANDOFF_AGENT_USERGROUP).
 */
export interface SlackDeskApi {
  /** Posts to a channel (or into a thread); resolves the new message's ts. */
  post(channel: string, message: DeskMessage, threadTs?: string): Promise<string>;
  update(channel: string, ts: string, message: DeskMessage): Promise<void>;
  /** A message only `user` sees. */
  postEphemeral(channel: string, user: string, text: string, threadTs?: string): Promise<void>;
  /** The person's display name, or undefined when Slack does not say. */
  displayName(user: string): Promise<string | undefined>;
  /** Members (user ids) of a user group (usergroups.users.list; scope usergroups:read). */
  usergroupMembers(usergroup: string): Promise<string[]>;
  /** True when the thread holds a bot post tagged with outbox id `id` (conversations.replies; channels:history / groups:history). */
  threadHasOutboxPost(channel: string, threadTs: string, id: string): Promise<boolean>;
}

/** {@link SlackDeskApi} over Slack's WebClient (which retries 429s, 5xx and network errors). */
export class WebClientDeskApi implements SlackDeskApi {
  constructor(private readonly client: webApi.WebClient) {}

  async post(channel: string, message: DeskMessage, threadTs?: string): Promise<string> {
    const result = await this.client.chat.postMessage({
      channel,
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks } : {}),
      ...(message.metadata ? { metadata: message.metadata } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      unfurl_links: false,
      unfurl_media: false,
    });
    if (!result.ts) throw new Error('chat.postMessage returned no ts');
    return result.ts;
  }

  async update(channel: string, ts: string, message: DeskMessage): Promise<void> {
    await this.client.chat.update({ channel, ts, text: message.text, blocks: message.blocks ?? [] });
  }

  async postEphemeral(channel: string, user: string, text: string, threadTs?: string): Promise<void> {
    await this.client.chat.postEphemeral({ channel, user, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
  }

  async displayName(user: string): Promise<string | undefined> {
    const result = await this.client.users.info({ user });
    const profile = result.user?.profile;
    return profile?.display_name || profile?.real_name || result.user?.real_name || result.user?.name || undefined;
  }

  async threadHasOutboxPost(channel: string, threadTs: string, id: string): Promise<boolean> {
    let cursor: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const result = await this.client.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) });
      const found = (result.messages ?? []).some((m) => {
        const metadata = (m as { metadata?: { event_type?: string; event_payload?: { id?: unknown } } }).metadata;
        return metadata?.event_type === OUTBOX_EVENT_TYPE && metadata.event_payload?.id === id;
      });
      if (found) return true;
      cursor = result.response_metadata?.next_cursor || undefined;
      if (!cursor) return false;
    }
    return false;
  }

  async usergroupMembers(usergroup: string): Promise<string[]> {
    const result = await this.client.usergroups.users.list({ usergroup });
    return result.users ?? [];
  }
}
