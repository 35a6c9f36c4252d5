import { SupportBotError } from '../../errors';
import { DIRECTLINE_BASE_PATH } from './routes';
import { newConversationId, newUserId, type DirectLineTokens } from './tokens';

/** What the Web Chat page receives from POST /api/directline/token. */
export interface WebChatToken {
  token: string;
  conversationId: string;
  userId: string;
  expiresIn: number;
  /** The Direct Line base URL the page must talk to (ours, or Azure's). */
  domain: string;
}

/** Where Web Chat tokens come from: the secret never leaves the server. */
export interface WebChatTokenSource {
  /**
   * `publicBase` is this bot's public URL as the browser sees it; `userId` a signed-in user's id
   * (checked by the token route), otherwise an anonymous one is made.
   */
  issue(publicBase: string, userId?: string): Promise<WebChatToken>;
}

/** Tokens for the bot's own Direct Line endpoint, signed locally. */
export class SelfHostedTokenSource implements WebChatTokenSource {
  constructor(private readonly tokens: DirectLineTokens) {}

  async issue(publicBase: string, verifiedUserId?: string): Promise<WebChatToken> {
    const userId = verifiedUserId ?? newUserId();
    const issued = this.tokens.issue(newConversationId(), userId);
    return {
      token: issued.token,
      conversationId: issued.claims.conv,
      userId,
      expiresIn: issued.expiresIn,
      domain: `${publicBase}${DIRECTLINE_BASE_PATH}`,
    };
  }
}

export interface AzureTokenSourceOptions {
  /** e.g. https://directline.botframework.com/v3/directline */
  endpoint: string;
  /** The Direct Line channel secret of the Azure Bot resource. */
  secret: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * Tokens from Azure Bot Service's Direct Line (POST {endpoint}/tokens/generate with the
 * channel secret), for deployments that use Azure instead of the self-hosted endpoint. The
 * user id is chosen here and embedded in the token, so the page cannot pick someone else's.
 */
export class AzureTokenSource implements WebChatTokenSource {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: AzureTokenSourceOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  async issue(_publicBase?: string, verifiedUserId?: string): Promise<WebChatToken> {
    const userId = verifiedUserId ?? newUserId();
    let response: Response;
    try {
      response = await this.fetch(`${this.options.endpoint}/tokens/generate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user: { id: userId } }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
    } catch (err) {
      throw new SupportBotError('DIRECTLINE_UPSTREAM_FAILED', `Azure Direct Line did not answer: ${(err as Error).message}`, { cause: err });
    }
    if (!response.ok) {
      throw new SupportBotError(
        'DIRECTLINE_UPSTREAM_FAILED',
        `Azure Direct Line refused the token request with HTTP ${response.status}; check DIRECTLINE_AZURE_SECRET.`,
      );
    }
    const body = (await response.json().catch(() => undefined)) as { token?: unknown; conversationId?: unknown; expires_in?: unknown } | undefined;
    if (typeof body?.token !== 'string' || typeof body.conversationId !== 'string') {
      throw new SupportBotError('DIRECTLINE_UPSTREAM_FAILED', 'Azure Direct Line answered without a token.');
    }
    return {
      token: body.token,
      conversationId: body.conversationId,
      userId,
      expiresIn: typeof body.expires_in === 'number' ? body.expires_in : 1800,
      domain: this.options.endpoint,
    };
  }
}
