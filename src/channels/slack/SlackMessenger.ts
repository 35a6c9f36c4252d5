import { webApi } from '@slack/bolt';
import { SupportBotError } from '../../errors';
import type { Logger } from '../../telemetry/logger';
import type { ChannelPacer } from './pacer';
import type { SlackMessageContent } from './render';
import { slackSdkLogger } from './slackLogger';

/** Where a message goes: a channel, and the thread inside it when there is one. */
export interface SlackTarget {
  channel: string;
  threadTs?: string;
}

export interface SlackWebClientOptions {
  token: string;
  apiUrl: string;
  retries: number;
  logger: Logger;
  /** First pause between retries; later ones double up to 30 s. Tests shorten it. */
  retryMinMs?: number;
}

/**
 * The Web API client every Slack call goes through. It never rejects a rate-limited call:
 * on 429 it waits the Retry-After time and tries again, and it retries 5xx and network errors
 * with exponential backoff, so a busy Slack delays messages instead of losing them.
 */
export function createSlackWebClient(options: SlackWebClientOptions): webApi.WebClient {
  const client = new webApi.WebClient(options.token, {
    slackApiUrl: options.apiUrl,
    logger: slackSdkLogger(options.logger),
    rejectRateLimitedCalls: false,
    timeout: 10_000,
    retryConfig: {
      retries: options.retries,
      factor: 2,
      minTimeout: options.retryMinMs ?? 500,
      maxTimeout: 30_000,
      randomize: true,
    },
  });
  client.on(webApi.WebClientEvent.RATE_LIMITED, (retryAfterSec: number, request: { url?: string }) => {
    options.logger.warn(
      { code: 'SLACK_RATE_LIMITED', method: methodOf(request.url), retryAfterSec },
      `Slack rate-limited ${methodOf(request.url)}; retrying after ${retryAfterSec}s (nothing is dropped)`,
    );
  });
  return client;
}

/**
 * Posts, edits and deletes the bot's Slack messages. Posts are paced per channel (FIFO), so a
 * turn's replies arrive in order and within Slack's per-channel rate; failures that survive
 * the client's retries are logged with SLACK_API_ERROR and raised to the turn.
 */
export class SlackMessenger {
  constructor(
    private readonly client: webApi.WebClient,
    private readonly pacer: ChannelPacer,
    private readonly logger: Logger,
  ) {}

  /** Posts a message and resolves its `ts` (Slack's message id). */
  async post(target: SlackTarget, content: SlackMessageContent): Promise<string> {
    return this.pacer.run(target.channel, async () => {
      const result = await this.call('chat.postMessage', target.channel, () =>
        this.client.chat.postMessage({
          channel: target.channel,
          text: content.text,
          ...(content.blocks ? { blocks: content.blocks } : {}),
          ...(content.metadata ? { metadata: content.metadata } : {}),
          ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
          unfurl_links: false,
          unfurl_media: false,
        }),
      );
      return result.ts ?? '';
    });
  }

  /**
   * The ts of a bot message at `target` (posted after `oldest`) whose metadata is `eventType`
   * with exactly `payload`, or undefined. Reads conversations.history (or .replies in a thread):
   * the history scopes the channel already needs.
   */
  async findTagged(target: SlackTarget, eventType: string, payload: Record<string, string>, oldest?: string): Promise<string | undefined> {
    const matches = (m: { ts?: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }): boolean =>
      m.metadata?.event_type === eventType && Object.entries(payload).every(([k, v]) => m.metadata?.event_payload?.[k] === v);
    let cursor: string | undefined;
    for (let page = 0; page < 5; page += 1) {
      const common = { channel: target.channel, include_all_metadata: true, limit: 200, ...(oldest ? { oldest } : {}), ...(cursor ? { cursor } : {}) };
      const result = target.threadTs
        ? await this.client.conversations.replies({ ...common, ts: target.threadTs })
        : await this.client.conversations.history(common);
      const found = (result.messages as Array<Parameters<typeof matches>[0]> | undefined)?.find(matches);
      if (found) return found.ts ?? '';
      cursor = result.response_metadata?.next_cursor || undefined;
      if (!cursor) return undefined;
    }
    return undefined;
  }

  /** Posts a message only `user` sees (chat.postEphemeral), in the thread when there is one. */
  async postEphemeral(target: SlackTarget, user: string, content: SlackMessageContent): Promise<string> {
    return this.pacer.run(target.channel, async () => {
      const result = await this.call('chat.postEphemeral', target.channel, () =>
        this.client.chat.postEphemeral({
          channel: target.channel,
          user,
          text: content.text,
          ...(content.blocks ? { blocks: content.blocks } : {}),
          ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
        }),
      );
      return result.message_ts ?? '';
    });
  }

  /** Opens (or finds) the bot's direct-message channel with one person (conversations.open). */
  async openDirect(user: string): Promise<string> {
    const result = await this.call('conversations.open', user, () => this.client.conversations.open({ users: user }));
    const channel = result.channel?.id;
    if (!channel) throw new SupportBotError('SLACK_API_ERROR', 'Slack conversations.open returned no channel');
    return channel;
  }

  async update(channel: string, ts: string, content: SlackMessageContent): Promise<void> {
    await this.call('chat.update', channel, () =>
      this.client.chat.update({ channel, ts, text: content.text, ...(content.blocks ? { blocks: content.blocks } : { blocks: [] }) }),
    );
  }

  async delete(channel: string, ts: string): Promise<void> {
    await this.call('chat.delete', channel, () => this.client.chat.delete({ channel, ts }));
  }

  private async call<T>(method: string, channel: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const slackError = (error as { data?: { error?: string } }).data?.error;
      const reason = slackError ?? (error as Error).message;
      this.logger.error(
        { code: 'SLACK_API_ERROR', method, channel, slackError, err: error },
        `Slack ${method} failed after retries (${reason}); the message was not delivered`,
      );
      throw new SupportBotError('SLACK_API_ERROR', `Slack ${method} failed: ${reason}`, { cause: error });
    }
  }
}

function methodOf(url: string | undefined): string {
  if (!url) return 'unknown';
  return url.split('/').filter(Boolean).pop() ?? url;
}
