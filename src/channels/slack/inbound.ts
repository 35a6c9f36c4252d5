import { ActivityTypes, type Activity, type Attachment } from 'botbuilder';
import { conversationIdOf, isDirectMessage, userIdOf, type SlackAddress } from './address';
import { slackTextToPlain } from './mrkdwn';
import { ActionIds, offeredToOf } from './render';
import { SLACK_CHANNEL_ID, type SlackChannelData } from './SlackAdapter';

/** Who the bot is in Slack, from auth.test at start-up. */
export interface BotIdentity {
  /** The bot's user id (U...), as it appears in mentions and in `event.user`. */
  botUserId: string;
  /** The bot's bot id (B...), as it appears in `event.bot_id` of its own messages. */
  botId: string;
  /** Web API base URL, used as the activities' serviceUrl. */
  apiUrl: string;
}

/** A Slack payload that becomes a turn. */
export interface InboundTurn {
  kind: 'turn';
  activity: Partial<Activity>;
  /** Key under which this delivery is claimed, so retries and duplicates run no second turn. */
  dedupeKey: string;
  /** Only run the turn if the bot was asked in this thread by this person (channel follow-ups). */
  requiresActiveThread?: string;
  /** Mark this thread active for this person (they asked the bot here). */
  remembersThread?: string;
  /** For a button click: the message whose buttons were clicked, to show the choice taken. */
  clicked?: { channel: string; ts: string; text: string; blocks: unknown[]; label: string; slackUser: string };
}

/** A Slack payload the bot deliberately does not answer, and why (for debug logs). */
export interface InboundIgnored {
  kind: 'ignore';
  reason: string;
}

/** A click on buttons offered to someone else: they get a private notice, nothing else happens. */
export interface InboundForeignClick {
  kind: 'foreignClick';
  channel: string;
  threadTs?: string;
  /** Who clicked (Slack user id) and whom the buttons were for. */
  slackUser: string;
  offeredTo: string;
}

export type Inbound = InboundTurn | InboundIgnored | InboundForeignClick;

type Json = Record<string, unknown>;

const ignore = (reason: string): InboundIgnored => ({ kind: 'ignore', reason });

/** Message subtypes that are a person saying something. */
const SPOKEN_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast', 'me_message']);

/** The key a person's channel thread is remembered under. */
export function threadKeyOf(team: string, channel: string, threadTs: string, user: string): string {
  return `thread:${team}:${channel}:${threadTs}:${user}`;
}

/**
 * Maps an Events API envelope (`type: "event_callback"`) to a turn, or says why not.
 *
 * - DMs (`message.im`): every message from a person is a turn; the DM is one conversation.
 * - Channels: an @mention (`app_mention`) is a turn in the thread it was asked in; later messages
 *   in that thread from the same person are turns too (no need to mention again). A channel
 *   message that mentions the bot is skipped here because its `app_mention` twin carries it.
 * - The bot's own messages and other bots' messages are ignored.
 * - Edits become `messageUpdate` and deletions `messageDelete` activities: the bot sees them
 *   like on Teams, and answers neither (re-answering an edited question would confuse more than
 *   help). Edits that do not change the text (link previews) are ignored.
 * - A file share becomes a message with attachments, which the bot answers in words.
 */
export function fromEventCallback(body: Json, identity: BotIdentity): Inbound {
  const event = obj(body.event);
  const team = str(body.team_id);
  const eventId = str(body.event_id);
  if (!event || !team || !eventId) return ignore('malformed event envelope');
  const dedupeKey = `event:${team}:${eventId}`;
  const type = str(event.type);
  if (type === 'app_mention') return fromMention(event, body, team, eventId, dedupeKey, identity);
  if (type !== 'message') return ignore(`event type ${type ?? '?'}`);

  const subtype = str(event.subtype);
  if (subtype === 'message_changed') return fromEdit(event, body, team, eventId, dedupeKey, identity);
  if (subtype === 'message_deleted') return fromDeletion(event, body, team, eventId, dedupeKey, identity);
  if (!SPOKEN_SUBTYPES.has(subtype)) return ignore(`message subtype ${subtype}`);
  if (isFromBot(event, identity)) return ignore('message from a bot');

  const channel = str(event.channel);
  const user = str(event.user);
  const ts = str(event.ts);
  if (!channel || !user || !ts) return ignore('message without channel, user or ts');
  const threadTs = str(event.thread_ts);
  const text = str(event.text) ?? '';
  const common = { team, channel, user, userTeam: str(event.user_team) ?? team, ts, eventId, payload: body };

  if (isDirectMessage(channel, str(event.channel_type))) {
    return turn(dedupeKey, messageActivity(event, text, { ...common, threadTs, address: { team, channel } }, identity));
  }
  if (text.includes(`<@${identity.botUserId}`)) return ignore('channel message mentioning the bot (answered as app_mention)');
  if (!threadTs) return ignore('channel message without a mention');
  const activity = messageActivity(event, text, { ...common, threadTs, address: { team, channel, threadTs } }, identity);
  return { ...turn(dedupeKey, activity), requiresActiveThread: threadKeyOf(team, channel, threadTs, user) };
}

/**
 * Maps a `block_actions` interaction (a click on one of our suggested-action buttons) to a
 * message turn whose text is the button's value: to the dialogs, a tap is the same as typing
 * the answer. Only the first click on a message counts.
 */
export function fromBlockActions(body: Json, identity: BotIdentity): Inbound {
  const action = obj(arr(body.actions)[0]);
  const actionId = str(action?.action_id) ?? '';
  if (!action || !actionId.startsWith(ActionIds.replyPrefix)) return ignore(`action ${actionId || '?'}`);
  const user = obj(body.user);
  const container = obj(body.container);
  const message = obj(body.message);
  const slackUser = str(user?.id);
  const team = str(obj(body.team)?.id) ?? str(user?.team_id);
  const channel = str(obj(body.channel)?.id) ?? str(container?.channel_id);
  const messageTs = str(message?.ts) ?? str(container?.message_ts);
  const value = str(action.value);
  if (!slackUser || !team || !channel || !messageTs || value === undefined) return ignore('block_actions without user, team, channel, message or value');

  const threadTs = str(message?.thread_ts) ?? str(container?.thread_ts);
  const offeredTo = offeredToOf(actionId);
  if (offeredTo && offeredTo !== slackUser) {
    return { kind: 'foreignClick', channel, threadTs: threadTs ?? messageTs, slackUser, offeredTo };
  }
  const direct = isDirectMessage(channel);
  const address: SlackAddress = direct ? { team, channel } : { team, channel, threadTs: threadTs ?? messageTs };
  const ts = `${messageTs}:${str(action.action_ts) ?? ''}`;
  const activity = baseActivity(
    ActivityTypes.Message,
    {
      team,
      channel,
      user: slackUser,
      userTeam: str(user?.team_id) ?? team,
      ts,
      threadTs: address.threadTs ?? threadTs,
      eventId: actionId,
      address,
      payload: body,
    },
    identity,
  );
  activity.text = value;
  activity.textFormat = 'plain';
  const label = str(obj(action.text)?.text) ?? value;
  return {
    kind: 'turn',
    activity,
    dedupeKey: `action:${team}:${channel}:${messageTs}`,
    ...(direct ? {} : { remembersThread: threadKeyOf(team, channel, address.threadTs ?? messageTs, slackUser) }),
    clicked: { channel, ts: messageTs, text: str(message?.text) ?? '', blocks: arr(message?.blocks), label, slackUser },
  };
}

function fromMention(event: Json, body: Json, team: string, eventId: string, dedupeKey: string, identity: BotIdentity): Inbound {
  if (isFromBot(event, identity)) return ignore('mention by a bot');
  const channel = str(event.channel);
  const user = str(event.user);
  const ts = str(event.ts);
  if (!channel || !user || !ts) return ignore('app_mention without channel, user or ts');
  const direct = isDirectMessage(channel);
  const threadTs = str(event.thread_ts) ?? (direct ? undefined : ts);
  const address: SlackAddress = direct ? { team, channel } : { team, channel, threadTs: threadTs ?? ts };
  const activity = messageActivity(
    event,
    str(event.text) ?? '',
    {
      team,
      channel,
      user,
      userTeam: str(event.user_team) ?? team,
      ts,
      threadTs,
      eventId,
      address,
      payload: body,
    },
    identity,
  );
  return {
    ...turn(dedupeKey, activity),
    ...(direct ? {} : { remembersThread: threadKeyOf(team, channel, address.threadTs ?? ts, user) }),
  };
}

function fromEdit(event: Json, body: Json, team: string, eventId: string, dedupeKey: string, identity: BotIdentity): Inbound {
  const edited = obj(event.message);
  const before = obj(event.previous_message);
  if (!edited || isFromBot(edited, identity)) return ignore('edit of a bot message');
  if (str(edited.text) === str(before?.text)) return ignore('edit without a text change');
  return changeTurn(ActivityTypes.MessageUpdate, edited, str(edited.ts), event, body, team, eventId, dedupeKey, identity);
}

function fromDeletion(event: Json, body: Json, team: string, eventId: string, dedupeKey: string, identity: BotIdentity): Inbound {
  const before = obj(event.previous_message);
  if (!before || isFromBot(before, identity)) return ignore('deletion of a bot message');
  return changeTurn(ActivityTypes.MessageDelete, before, str(event.deleted_ts) ?? str(before.ts), event, body, team, eventId, dedupeKey, identity);
}

/** An edit or deletion, as a turn in the conversation the original message belonged to. */
function changeTurn(
  type: string,
  message: Json,
  ts: string | undefined,
  event: Json,
  body: Json,
  team: string,
  eventId: string,
  dedupeKey: string,
  identity: BotIdentity,
): Inbound {
  const channel = str(event.channel);
  const user = str(message.user);
  if (!channel || !user || !ts) return ignore(`${type} without channel, user or ts`);
  const threadTs = str(message.thread_ts);
  const direct = isDirectMessage(channel, str(event.channel_type));
  if (!direct && !threadTs) return ignore(`${type} of a channel message outside a thread`);
  const address: SlackAddress = direct ? { team, channel } : { team, channel, threadTs };
  const activity = baseActivity(type, { team, channel, user, userTeam: team, ts, threadTs, eventId, address, payload: body }, identity);
  if (type === ActivityTypes.MessageUpdate) activity.text = slackTextToPlain(str(message.text) ?? '', identity.botUserId);
  const result = turn(dedupeKey, activity);
  return direct || !threadTs ? result : { ...result, requiresActiveThread: threadKeyOf(team, channel, threadTs, user) };
}

interface ActivityFields {
  team: string;
  channel: string;
  user: string;
  userTeam: string;
  ts: string;
  threadTs?: string;
  eventId: string;
  address: SlackAddress;
  payload: unknown;
}

function messageActivity(event: Json, text: string, fields: ActivityFields, identity: BotIdentity): Partial<Activity> {
  const activity = baseActivity(ActivityTypes.Message, fields, identity);
  activity.text = slackTextToPlain(text, identity.botUserId);
  activity.textFormat = 'plain';
  const attachments = filesOf(event);
  if (attachments.length > 0) activity.attachments = attachments;
  return activity;
}

function baseActivity(type: string, f: ActivityFields, identity: BotIdentity): Partial<Activity> {
  const direct = !f.address.threadTs;
  const channelData: SlackChannelData = {
    team: f.team,
    channel: f.channel,
    ts: f.ts,
    ...(f.threadTs ? { threadTs: f.threadTs } : {}),
    eventId: f.eventId,
    payload: f.payload,
  };
  const seconds = Number.parseFloat(f.ts);
  return {
    type,
    id: f.ts,
    channelId: SLACK_CHANNEL_ID,
    serviceUrl: identity.apiUrl,
    timestamp: Number.isFinite(seconds) ? new Date(seconds * 1000) : new Date(),
    from: { id: userIdOf(f.userTeam, f.user), name: f.user, role: 'user' },
    recipient: { id: userIdOf(f.team, identity.botUserId), name: 'bot', role: 'bot' },
    conversation: {
      id: conversationIdOf(f.address),
      isGroup: !direct,
      conversationType: direct ? 'personal' : 'channel',
      tenantId: f.team,
      name: f.channel,
    },
    channelData: { slack: channelData },
  };
}

function filesOf(event: Json): Attachment[] {
  return arr(event.files)
    .map(obj)
    .filter((f): f is Json => f !== undefined)
    .map((file) => ({
      contentType: str(file.mimetype) ?? 'application/octet-stream',
      ...(str(file.url_private) ? { contentUrl: str(file.url_private) } : {}),
      ...(str(file.name) ? { name: str(file.name) } : {}),
    }));
}

function isFromBot(message: Json, identity: BotIdentity): boolean {
  return message.bot_id !== undefined || str(message.subtype) === 'bot_message' || str(message.user) === identity.botUserId;
}

function turn(dedupeKey: string, activity: Partial<Activity>): InboundTurn {
  return { kind: 'turn', activity, dedupeKey };
}

function obj(value: unknown): Json | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
