import type { CloudAdapter } from 'botbuilder';
import type { Channel, ChannelModule } from '../Channel';
import { verifiedIdentityMiddleware } from '../identity';
import { AzureSlackChannelMiddleware } from '../slack/azureSlackChannel';
import { createCloudAdapter } from './adapter';
import { MESSAGES_PATH, messagesHandler } from './messagesRoute';

/** The Bot Framework channel: `/api/messages` for Azure Bot Service (Teams, Azure Web Chat) and the Emulator. */
export interface BotFrameworkChannel extends Channel {
  readonly adapter: CloudAdapter;
}

/** Always on: the Emulator and every Azure Bot Service channel post here. */
export const botFrameworkChannel: ChannelModule<BotFrameworkChannel> = {
  name: 'botframework',
  enabled: () => true,
  // Every conversation no other channel owns (its proactive sender is the fallback).
  ownedChannelIds: () => [],
  async create({ config, logger, bot, limits, reservedChannelIds }) {
    const adapter = createCloudAdapter(config.auth, reservedChannelIds);
    if (!config.auth.MicrosoftAppId && config.auth.serviceUrlAllowedHosts.length === 0) {
      logger.warn(
        'MicrosoftAppId is not set: /api/messages accepts unauthenticated activities and posts replies to any serviceUrl they name (an open relay). ' +
          'Fine for the Emulator on this machine; elsewhere set MicrosoftAppId, or SERVICE_URL_ALLOWED_HOSTS (e.g. localhost,127.0.0.1) to limit where replies go.',
      );
    }
    return {
      name: 'botframework',
      adapter,
      ownMiddleware: [
        // Teams identities are trusted only when /api/messages checks Bot Framework tokens.
        verifiedIdentityMiddleware('botframework', Boolean(config.auth.MicrosoftAppId)),
        // Slack through Azure Bot Service's Slack channel arrives here too.
        new AzureSlackChannelMiddleware(),
      ],
      // Proactive handoff messages: the CloudAdapter for Azure Bot Service channels and the Emulator.
      proactive: { continueConversation: (reference, logic) => adapter.continueConversationAsync(config.auth.MicrosoftAppId, reference, logic) },
      mount: (server) => {
        server.post(MESSAGES_PATH, messagesHandler({ adapter, logic: (context) => bot.run(context), logger, limits }));
      },
      start: async () => undefined,
      close: async () => undefined,
    };
  },
};
