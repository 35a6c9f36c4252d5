import { type Env, readEnum } from './env';

/** Where order details go when asked for in a group conversation (docs/teams.md, docs/slack.md). */
export const GROUP_ORDER_DETAILS_MODES = ['private', 'public'] as const;
export type GroupOrderDetails = (typeof GROUP_ORDER_DETAILS_MODES)[number];

/** Group conversations: Teams channels and group chats, Slack channels and multi-person DMs. */
export interface GroupsConfig {
  /**
   * `private` (default): an order's status, delivery date, carrier and tracking link go only to
   * the person who asked (Slack: ephemeral message in the thread; Teams: their personal chat),
   * with a public "I've sent you the details privately". `public`: answered in the thread.
   */
  orderDetails: GroupOrderDetails;
}

export function readGroupsConfig(env: Env): GroupsConfig {
  return { orderDetails: readEnum(env, 'GROUP_ORDER_DETAILS', GROUP_ORDER_DETAILS_MODES, 'private') };
}
