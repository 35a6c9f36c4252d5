/**
 * What the Slack app must grant for the bridge to work. slack-app-manifest.yml at the repository
 * root declares these; a test keeps the two in step.
 */

/** Bot events the bridge listens to: mentions, DMs, and follow-ups in channel threads. */
export const REQUIRED_BOT_EVENTS = ['app_mention', 'message.im', 'message.channels', 'message.groups', 'message.mpim'] as const;

/**
 * Bot token scopes: read those events and post, update and delete the bot's messages;
 * `users:read` gives agents' display names in handoff threads; `usergroups:read` checks
 * HANDOFF_AGENT_USERGROUP membership; `im:write` opens a DM when someone asks to continue a channel
 * question privately (src/groups).
 */
export const REQUIRED_BOT_SCOPES = [
  'app_mentions:read',
  'chat:write',
  'im:history',
  'channels:history',
  'groups:history',
  'mpim:history',
  'users:read',
  'usergroups:read',
  'im:write',
] as const;
