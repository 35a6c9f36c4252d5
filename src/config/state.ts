import { type Env, readEnum } from './env';

/** What an instance does with conversation state written by a newer version of the bot. */
export type NewerStatePolicy = 'wait' | 'restart';

export interface StateConfig {
  /**
   * `wait` (default, for rolling updates): leave newer state untouched and ask the customer to
   * send the message again, so a newer instance can answer it. `restart`: start such
   * conversations afresh, for a rollback once no newer instance is left.
   */
  newerVersion: NewerStatePolicy;
}

export function readStateConfig(env: Env): StateConfig {
  return { newerVersion: readEnum(env, 'STATE_NEWER_VERSION', ['wait', 'restart'], 'wait') };
}
