import type { ChannelModule, Channel } from '../Channel';
import { verifiedIdentityMiddleware } from '../identity';
import type { SlackBridge } from './SlackBridge';

/** Native Slack (SLACK_* settings): Bolt on /api/slack/events or Socket Mode. */
export interface SlackChannel extends Channel {
  readonly bridge: SlackBridge;
}

export const slackChannel: ChannelModule<SlackChannel> = {
  name: 'slack',
  enabled: (config) => config.slack !== undefined,
  // Native Slack always owns channelId "slack".
  ownedChannelIds: () => ['slack'],
  async create({ config, logger, bot, stores, onTurnError, limits, metrics, desk }) {
    const slack = config.slack;
    if (!slack || !stores.slack) throw new Error('slackChannel: SLACK_* settings and the Slack stores are needed.');
    // Loaded only when Slack is configured: the Slack SDK is about 13 MB of idle memory
    // (docs/performance.md).
    const { createSlackBridge } = require('./SlackBridge') as typeof import('./SlackBridge.js');
    const bridge = await createSlackBridge({
      config: slack,
      bot,
      logger,
      onTurnError,
      stores: stores.slack,
      maxBodyBytes: limits.maxBodyBytes,
      maxJsonDepth: limits.maxJsonDepth,
      onAck: (ms) => metrics.slackAck(ms / 1000),
      deliveryLeaseMs: slack.deliveryLeaseMs,
      ...(desk ? { desk } : {}),
    });
    return {
      name: 'slack',
      bridge,
      adapter: bridge.adapter,
      // Slack user ids come from Slack's signed requests.
      ownMiddleware: [verifiedIdentityMiddleware('slack', true)],
      proactive: {
        owns: (reference) => reference.channelId === 'slack',
        continueConversation: (reference, logic) => bridge.adapter.continueConversationAsync('', reference, logic),
      },
      mount: (server) => bridge.mount(server),
      start: () => bridge.start(), // Socket Mode connects once the bot is up
      close: () => bridge.close(),
    };
  },
};
