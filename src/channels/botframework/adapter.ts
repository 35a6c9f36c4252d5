import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import type { Activity } from 'botbuilder-core';
import { AuthenticationError, type AuthenticateRequestResult } from 'botframework-connector';
import { StatusCodes } from 'botframework-schema';
import type { BotAuthConfig } from '../../config/config';

/**
 * Bot Framework authentication that answers every bad token with 401. The SDK throws the JWT
 * library's own errors for a wrong signature or a malformed token, which CloudAdapter turns
 * into 500; a caller with a bad token must hear "unauthorized", not "server error".
 */
class StrictBotFrameworkAuthentication extends ConfigurationBotFrameworkAuthentication {
  constructor(
    options: ConfigurationBotFrameworkAuthenticationOptions,
    private readonly serviceUrlAllowedHosts: readonly string[],
    private readonly reservedChannelIds: readonly string[],
  ) {
    super(options);
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    // Channels this process serves itself (native Slack, the self-hosted Direct Line) own their
    // conversations: a post here naming one could speak in, or read, one of those conversations.
    if (this.reservedChannelIds.includes(activity.channelId)) {
      throw new AuthenticationError(`channelId "${activity.channelId}" is served by this bot's own endpoint, not /api/messages`, StatusCodes.UNAUTHORIZED);
    }
    // Replies are posted to the activity's serviceUrl: refuse hosts outside the allow-list before
    // anything else, so no caller can point the bot at an address of its choosing.
    const refusal = serviceUrlRefusal(activity.serviceUrl, this.serviceUrlAllowedHosts);
    if (refusal) throw new AuthenticationError(refusal, StatusCodes.UNAUTHORIZED);
    try {
      return await super.authenticateRequest(activity, authHeader);
    } catch (err) {
      if (err instanceof AuthenticationError) throw err;
      throw new AuthenticationError(`Unauthorized: ${(err as Error).message}`, StatusCodes.UNAUTHORIZED);
    }
  }
}

/**
 * The adapter for every Azure Bot Service channel (Teams, Web Chat through Direct Line) and the
 * Emulator. Empty credentials mean unauthenticated local use, as Bot Framework defines it.
 */
/**
 * @param reservedChannelIds channel ids that must not arrive on /api/messages because this
 * process serves them itself (their conversations and state keys belong to that endpoint).
 */
export function createCloudAdapter(auth: BotAuthConfig, reservedChannelIds: readonly string[] = []): CloudAdapter {
  const options: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppType: auth.MicrosoftAppType,
    MicrosoftAppId: auth.MicrosoftAppId,
    MicrosoftAppPassword: auth.MicrosoftAppPassword,
    MicrosoftAppTenantId: auth.MicrosoftAppTenantId,
  };
  if (auth.ToBotFromChannelOpenIdMetadataUrl) options.ToBotFromChannelOpenIdMetadataUrl = auth.ToBotFromChannelOpenIdMetadataUrl;
  if (auth.ToBotFromChannelTokenIssuer) options.ToBotFromChannelTokenIssuer = auth.ToBotFromChannelTokenIssuer;
  if (auth.ToBotFromEmulatorOpenIdMetadataUrl) options.ToBotFromEmulatorOpenIdMetadataUrl = auth.ToBotFromEmulatorOpenIdMetadataUrl;
  return new CloudAdapter(new StrictBotFrameworkAuthentication(options, auth.serviceUrlAllowedHosts, reservedChannelIds));
}

/**
 * Why `serviceUrl` may not be used with this allow-list, or undefined when it may. An empty list
 * allows every host; `*.example.com` allows subdomains of example.com, not example.com itself.
 */
export function serviceUrlRefusal(serviceUrl: string | undefined, allowedHosts: readonly string[]): string | undefined {
  if (allowedHosts.length === 0) return undefined;
  let host: string;
  try {
    const url = new URL(serviceUrl ?? '');
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'serviceUrl must be an http(s) URL';
    host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return 'serviceUrl is missing or not a URL';
  }
  const allowed = allowedHosts.some((pattern) => (pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern));
  return allowed ? undefined : `serviceUrl host "${host}" is not in SERVICE_URL_ALLOWED_HOSTS`;
}
