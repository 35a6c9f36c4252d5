import type { Middleware } from 'botbuilder';
import { RateLimiter } from '../bot/RateLimiter';
import { createChannelMiddleware } from '../channels/channelMiddleware';
import type { AppConfig } from '../config/config';
import { createStateGuard } from '../state/createStateGuard';
import { createGroupLayer } from '../groups/createGroupLayer';
import type { Logger } from '../telemetry/logger';
import type { Observability } from '../telemetry/observability';
import type { BotCore } from './core';
import type { AppStores } from './stores';

/**
 * The one middleware list every channel's adapter runs, in this order: outermost turn ids,
 * latency and activity telemetry; the rate limits; the storage outage guard, one turn at a time
 * per conversation (loads and saves the states) and the transcript logger; channel-aware
 * replies and stored conversation references; last, the state guard.
 */
export function buildMiddleware(config: AppConfig, core: BotCore, stores: AppStores, observability: Observability, logger: Logger): Middleware[] {
  const { conversationState, userState } = core;
  const rateLimiter = new RateLimiter({
    perUserPerMinute: config.limits.perUserPerMinute,
    perConversationPerMinute: config.limits.perConversationPerMinute,
    perAddressPerMinute: config.limits.perAddressPerMinute,
    store: stores.rateLimits,
  });
  // Group conversations (src/groups): one form per person, whose buttons, private chats and details.
  const groups = createGroupLayer({
    config: config.groups,
    storage: core.stateStorage,
    conversationState,
    dialog: core.dialog,
    dialogState: core.dialogState,
    appId: config.auth.MicrosoftAppId,
    latestReference: (conversationId) => stores.references.get(conversationId),
    logger,
  });
  return [
    ...observability.middleware,
    // Before state, locks and transcripts: a dropped message is neither stored nor run.
    rateLimiter,
    ...stores.layer.middleware([conversationState, userState]),
    groups.split, // before the reference recorder: a group's old shared form goes to its last speaker
    ...createChannelMiddleware(conversationState, stores.references, logger).middleware,
    // Last before the bot: migrates or resets stored state it cannot read, leaves newer state
    // alone during rolling updates, and resets dialogs that fail twice alike (src/state).
    createStateGuard({ conversationState, userState, root: core.dialog, events: observability.events, logger, newerVersion: config.state.newerVersion }),
    groups.conversations, // after the guard, just before the bot
  ];
}
