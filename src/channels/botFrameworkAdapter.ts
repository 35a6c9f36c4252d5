import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import { Activity } from 'botbuilder-core';
import { AuthenticationError, type AuthenticateRequestResult } from 'botframework-connector';
import { StatusCodes } from 'botframework-schema';
import type { BotAuthConfig } from '../config/config';

/**
 * Bot Framework authentication that answers every bad token with 401. The SDK throws the JWT
 * library's own errors for a wrong signature or a malformed token, which CloudAdapter turns
 * into 500; a caller with a bad token must hear "unauthorized", not "server error".
 */
class StrictBotFrameworkAuthentication extends ConfigurationBotFrameworkAuthentication {
  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
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
export function createCloudAdapter(auth: BotAuthConfig): CloudAdapter {
  const options: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppType: auth.MicrosoftAppType,
    MicrosoftAppId: auth.MicrosoftAppId,
    MicrosoftAppPassword: auth.MicrosoftAppPassword,
    MicrosoftAppTenantId: auth.MicrosoftAppTenantId,
  };
  if (auth.ToBotFromChannelOpenIdMetadataUrl) options.ToBotFromChannelOpenIdMetadataUrl = auth.ToBotFromChannelOpenIdMetadataUrl;
  if (auth.ToBotFromChannelTokenIssuer) options.ToBotFromChannelTokenIssuer = auth.ToBotFromChannelTokenIssuer;
  if (auth.ToBotFromEmulatorOpenIdMetadataUrl) options.ToBotFromEmulatorOpenIdMetadataUrl = auth.ToBotFromEmulatorOpenIdMetadataUrl;
  return new CloudAdapter(new StrictBotFrameworkAuthentication(options));
}
