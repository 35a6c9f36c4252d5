import { ConfigError } from '../errors';
import { assertTimeZone, BusinessHours, BusinessHoursSyntaxError } from './businessHours';
import { type Env, readInt, readOptional, readString } from './env';

/** Human handoff to agents in a Slack channel. */
export interface HandoffConfig {
  /** The agents' Slack channel id; undefined means no agent desk (the logging fallback). */
  slackChannel?: string;
  /** HANDOFF_BUSINESS_HOURS as written; empty means always open. */
  businessHours: string;
  /** The schedule parsed once from businessHours, timeZone and closedDates (the handoff layer uses it). */
  hours: BusinessHours;
  timeZone: string;
  closedDates: string[];
  queueTimeoutMs: number;
  idleTimeoutMs: number;
  /** How long the bot waits for a left message or a rating after a handoff ends. */
  followUpMs: number;
  sweepIntervalMs: number;
  /** Lines of recent conversation shown on the ticket. */
  transcriptLines: number;
  /** Channels that receive handoff.initiate / handoff.status event activities. */
  eventChannels: string[];
  /** HANDOFF_AGENT_USER_IDS: Slack user ids allowed to act at the desk (empty: anyone in the channel, unless a user group is set). */
  agentUserIds: string[];
  /** HANDOFF_AGENT_USERGROUP: a Slack user group (S…) whose members may act at the desk. */
  agentUsergroup?: string;
  /** How long notifications being sent stay one instance's before another (re)sends them. */
  outboxLeaseMs: number;
  /** New tickets per conversation per hour (HANDOFF_REQUESTS_PER_CONVERSATION_PER_HOUR; 0: no limit). */
  requestsPerConversationPerHour: number;
  /** New tickets per Web Chat client address per hour (HANDOFF_REQUESTS_PER_ADDRESS_PER_HOUR; 0: no limit). */
  requestsPerAddressPerHour: number;
}

/** Reads the HANDOFF_* settings and SLACK_HANDOFF_CHANNEL. */
export function readHandoffConfig(env: Env): HandoffConfig {
  const slackChannel = readOptional(env, 'SLACK_HANDOFF_CHANNEL');
  if (slackChannel !== undefined) {
    if (!/^[CG][A-Z0-9]{2,}$/.test(slackChannel)) {
      throw new ConfigError(
        'SLACK_HANDOFF_CHANNEL',
        `expected a Slack channel id such as C0123ABCD (not a #name), got "${slackChannel}". In Slack: channel details → About → Channel ID.`,
      );
    }
    // The Slack channel's own reader checks the rest (signing secret or Socket Mode app token).
    if (!readOptional(env, 'SLACK_BOT_TOKEN')) {
      throw new ConfigError(
        'SLACK_HANDOFF_CHANNEL',
        'is set but SLACK_BOT_TOKEN is empty; the agent desk needs the Slack app\'s credentials (see README, "Human handoff").',
      );
    }
  }
  const timeZone = readString(env, 'HANDOFF_TIME_ZONE', 'UTC');
  try {
    assertTimeZone(timeZone);
  } catch (error) {
    throw new ConfigError('HANDOFF_TIME_ZONE', (error as Error).message);
  }
  const closedDates = (readOptional(env, 'HANDOFF_CLOSED_DATES') ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  for (const date of closedDates) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
      throw new ConfigError('HANDOFF_CLOSED_DATES', `"${date}" is not a date; use YYYY-MM-DD, comma-separated.`);
    }
  }
  const businessHours = readString(env, 'HANDOFF_BUSINESS_HOURS', '');
  let hours: BusinessHours;
  try {
    hours = BusinessHours.parse(businessHours, { timeZone, closedDates });
  } catch (error) {
    if (error instanceof BusinessHoursSyntaxError) {
      throw new ConfigError('HANDOFF_BUSINESS_HOURS', `${error.message} Example: "Mon-Fri 09:00-17:00; Sat 10:00-14:00"; empty means always open.`);
    }
    throw error;
  }
  const eventChannels = readString(env, 'HANDOFF_EVENT_CHANNELS', 'emulator,directline,webchat,test')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  const agentUserIds = (readOptional(env, 'HANDOFF_AGENT_USER_IDS') ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  for (const id of agentUserIds) {
    if (!/^[UW][A-Z0-9]{2,}$/.test(id)) {
      throw new ConfigError(
        'HANDOFF_AGENT_USER_IDS',
        `"${id}" is not a Slack user id; use ids such as U0123ABCD, comma-separated (profile → ⋮ → Copy member ID).`,
      );
    }
  }
  const agentUsergroup = readOptional(env, 'HANDOFF_AGENT_USERGROUP');
  if (agentUsergroup !== undefined && !/^S[A-Z0-9]{2,}$/.test(agentUsergroup)) {
    throw new ConfigError('HANDOFF_AGENT_USERGROUP', `expected a Slack user group id such as S0123ABCD (not a @handle), got "${agentUsergroup}".`);
  }
  return {
    slackChannel,
    businessHours,
    hours,
    timeZone,
    closedDates,
    queueTimeoutMs: readInt(env, 'HANDOFF_QUEUE_TIMEOUT_SECONDS', 300, 1, 86_400) * 1000,
    idleTimeoutMs: readInt(env, 'HANDOFF_IDLE_TIMEOUT_SECONDS', 900, 1, 86_400) * 1000,
    followUpMs: readInt(env, 'HANDOFF_FOLLOW_UP_SECONDS', 600, 1, 86_400) * 1000,
    sweepIntervalMs: readInt(env, 'HANDOFF_SWEEP_INTERVAL_MS', 5000, 50, 600_000),
    transcriptLines: readInt(env, 'HANDOFF_TRANSCRIPT_LINES', 10, 0, 50),
    eventChannels,
    agentUserIds,
    outboxLeaseMs: readInt(env, 'HANDOFF_OUTBOX_LEASE_SECONDS', 30, 1, 3600) * 1000,
    requestsPerConversationPerHour: readInt(env, 'HANDOFF_REQUESTS_PER_CONVERSATION_PER_HOUR', 3, 0, 1000),
    requestsPerAddressPerHour: readInt(env, 'HANDOFF_REQUESTS_PER_ADDRESS_PER_HOUR', 10, 0, 100_000),
    ...(agentUsergroup ? { agentUsergroup } : {}),
  };
}
