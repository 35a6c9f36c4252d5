import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import type { BotAuthConfig } from '../config/config';

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
  return new CloudAdapter(new ConfigurationBotFrameworkAuthentication(options));
}
