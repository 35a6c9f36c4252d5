import type { Logger } from '../../telemetry/logger';

/** Why a desk action was refused; logged as `reason` (never who or what was written). */
export type DeskRefusal = 'wrong_channel' | 'not_an_agent' | 'agent_list_unavailable';

export interface AgentAuthorizerOptions {
  /** HANDOFF_AGENT_USER_IDS. */
  userIds: readonly string[];
  /** HANDOFF_AGENT_USERGROUP. */
  usergroup?: string;
  /** usergroups.users.list: the members of a user group. */
  usergroupMembers: (usergroup: string) => Promise<string[]>;
  logger: Logger;
  /** How long a fetched member list is trusted (default 60 s). */
  cacheMs?: number;
  /** How long a stale list may still be used while Slack does not answer (default 10 min). */
  staleMs?: number;
  now?: () => number;
}

/**
 * Who may act at the agent desk. With neither an allow-list nor a user group configured, every
 * member of SLACK_HANDOFF_CHANNEL is an agent (channel membership is the control). Otherwise a
 * user must be on HANDOFF_AGENT_USER_IDS or in HANDOFF_AGENT_USERGROUP. The group's members are
 * fetched with usergroups.users.list and cached; concurrent checks share one request. If Slack
 * cannot be asked and no recent list is known, the check fails closed.
 */
export class AgentAuthorizer {
  private readonly allowed: ReadonlySet<string>;
  private members: { ids: ReadonlySet<string>; at: number } | undefined;
  private fetching: Promise<ReadonlySet<string>> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: AgentAuthorizerOptions) {
    this.allowed = new Set(options.userIds);
    this.now = options.now ?? Date.now;
  }

  /** True when anyone in the desk channel counts as an agent. */
  get open(): boolean {
    return this.allowed.size === 0 && !this.options.usergroup;
  }

  /** @returns undefined when `userId` may act, else why not. */
  async check(userId: string): Promise<DeskRefusal | undefined> {
    if (this.open || this.allowed.has(userId)) return undefined;
    const group = this.options.usergroup;
    if (!group) return 'not_an_agent';
    const members = await this.groupMembers(group);
    if (!members) return 'agent_list_unavailable';
    return members.has(userId) ? undefined : 'not_an_agent';
  }

  private async groupMembers(group: string): Promise<ReadonlySet<string> | undefined> {
    const now = this.now();
    const cached = this.members;
    if (cached && now - cached.at < (this.options.cacheMs ?? 60_000)) return cached.ids;
    this.fetching ??= this.options
      .usergroupMembers(group)
      .then((ids) => {
        const set = new Set(ids);
        this.members = { ids: set, at: this.now() };
        return set;
      })
      .finally(() => {
        this.fetching = undefined;
      });
    try {
      return await this.fetching;
    } catch (error) {
      const stale = cached && now - cached.at < (this.options.staleMs ?? 600_000) ? cached.ids : undefined;
      this.options.logger.warn(
        { err: error, code: 'SLACK_API_ERROR', usingStaleList: stale !== undefined },
        'handoff desk: could not read HANDOFF_AGENT_USERGROUP members (scope usergroups:read?)',
      );
      return stale;
    }
  }
}
