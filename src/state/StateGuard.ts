import { createHash } from 'node:crypto';
import { ActivityTypes, type BotState, type Middleware, type TurnContext } from 'botbuilder';
import type { Dialog } from 'botbuilder-dialogs';
import type { ConversationEvents, StateResetReason } from '../../dialogs/conversationEvents';
import type { NewerStatePolicy } from '../config/state';
import { isStorageUnavailable, StorageErrorCode } from '../storage/errors';
import type { Logger } from '../telemetry/logger';
import { clearStaleDialogVersions, findUnreadableDialogState } from './dialogStack';
import { StateMessages } from './messages';
import { MIGRATIONS, migrationPath, type StateMigration, type StoredState } from './migrations';
import { BASELINE_VERSION, STATE_VERSION, STATE_VERSION_KEY, TURN_FAILURE_KEY } from './schema';
import { UNREADABLE_ITEM_KEY } from './UnreadableItemStorage';

export interface StateGuardOptions {
  conversationState: BotState;
  userState: BotState;
  /** The root dialog (MainDialog): stored stacks are checked against its tree. */
  root: Dialog;
  /** The conversation-state property holding the dialog stack. */
  dialogStateProperty: string;
  /** Conversation-state properties that belong to the dialogs and are cleared on a reset (the stack's included). */
  dialogProperties: readonly string[];
  /** The user-state property holding the profile (dropped if unreadable). */
  profileProperty: string;
  events: ConversationEvents;
  logger: Logger;
  newerVersion: NewerStatePolicy;
  /** Defaults to STATE_VERSION and MIGRATIONS (tests pass others). */
  version?: number;
  migrations?: readonly StateMigration[];
  /** Failed turns in a row, for the same reason, that reset the dialogs. Default 2. */
  failuresBeforeReset?: number;
}

/** What the last failed turn of a conversation failed on, kept in conversation state. */
interface TurnFailure {
  /** Hash of the error's kind and message, numbers masked: never the text itself. */
  reason: string;
  count: number;
}

type Verdict =
  | { kind: 'ok'; migratedFrom?: number }
  | { kind: 'reset'; reason: StateResetReason; detail: string; migratedFrom?: number }
  | { kind: 'newer'; version: number };

/**
 * Versioned state and poison-state recovery, as one middleware placed after the storage layer
 * (which loads state before the turn and saves it after) and before the bot.
 *
 * Before a message is handled, conversation and user state are checked: an older version is
 * migrated; state this code cannot read (unknown version, an ID on the dialog stack the code
 * no longer has, a broken shape) is started afresh with one true notice; state written by a
 * newer version is left untouched, and the customer is asked to resend (a rolling update's
 * newer instance will answer), unless STATE_NEWER_VERSION=restart.
 *
 * If handling a message fails twice in a row for the same reason, the conversation's dialogs
 * are reset (profile, transcript and handoff ticket kept) and the customer is told once. Storage
 * outages, lease timeouts and eTag conflicts are transient: they are never counted.
 */
export class StateGuard implements Middleware {
  private readonly version: number;
  private readonly migrations: readonly StateMigration[];
  private readonly failuresBeforeReset: number;

  constructor(private readonly options: StateGuardOptions) {
    this.version = options.version ?? STATE_VERSION;
    this.migrations = options.migrations ?? MIGRATIONS;
    this.failuresBeforeReset = options.failuresBeforeReset ?? 2;
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    // Only customers' messages: proactive turns (agent replies, timers) and membership updates
    // must never be held back, and they do not run the dialogs.
    if (context.activity.type !== ActivityTypes.Message) return next();
    const { conversationState, userState } = this.options;
    const conversation = (await conversationState.load(context)) as StoredState;
    const user = (await userState.load(context)) as StoredState;

    const userVerdict = this.inspectUser(user);
    const verdict = userVerdict.kind === 'newer' ? userVerdict : this.inspectConversation(conversation);
    if (verdict.kind === 'newer' && this.options.newerVersion === 'wait') {
      await this.leaveNewer(context, verdict.version);
      return;
    }
    if (verdict.kind === 'newer') {
      // Rollback: no newer instance is left to answer, so start afresh in this version's shape
      // (a profile this version can read is kept).
      if (!isProfile(user[this.options.profileProperty])) this.resetUser(user);
      this.resetConversation(conversation);
      await this.announceReset(context, 'newer_version', `state version ${verdict.version} is newer than ${this.version}`);
    } else {
      if (verdict.migratedFrom !== undefined) {
        await this.options.events.record(context, { name: 'state.migrated', from: verdict.migratedFrom, to: this.version });
      }
      if (verdict.kind === 'reset') {
        this.resetConversation(conversation);
        await this.announceReset(context, verdict.reason, verdict.detail);
      }
    }

    // Stamped and cleared before the turn, so whoever saves state (the storage layer after the
    // turn, or the bot itself) writes it this version's way. A failed turn is not saved: the
    // failure path reloads the stored state, failure record included.
    conversation[STATE_VERSION_KEY] = this.version;
    user[STATE_VERSION_KEY] = this.version;
    delete conversation[TURN_FAILURE_KEY];
    try {
      await next();
    } catch (error) {
      if (await this.recoverFromRepeatedFailure(context, error)) return;
      throw error;
    }
  }

  /** Migrates in place; says what is wrong when the result cannot be read. */
  private inspectConversation(state: StoredState): Verdict {
    // Nothing stored yet (a new conversation): already this version's shape, nothing to migrate.
    // Without this, every new conversation reported a migration from the baseline version.
    if (isEmpty(state)) return { kind: 'ok' };
    if (UNREADABLE_ITEM_KEY in state) {
      delete state[UNREADABLE_ITEM_KEY];
      return { kind: 'reset', reason: 'unreadable', detail: 'the stored item cannot be decoded' };
    }
    const stored = versionOf(state);
    if (stored === 'unreadable') return { kind: 'reset', reason: 'unknown_version', detail: `state version ${String(state[STATE_VERSION_KEY])}` };
    if (stored > this.version) return { kind: 'newer', version: stored };
    let migratedFrom: number | undefined;
    if (stored < this.version) {
      const path = migrationPath(stored, this.version, this.migrations);
      if (!path) return { kind: 'reset', reason: 'unknown_version', detail: `no migration from state version ${stored} to ${this.version}` };
      try {
        for (const migration of path) migration.conversation?.(state);
      } catch (error) {
        return { kind: 'reset', reason: 'unreadable', detail: `migration from ${stored} failed: ${(error as Error).message}` };
      }
      migratedFrom = stored;
      state[STATE_VERSION_KEY] = this.version;
    }
    for (const property of this.options.dialogProperties) {
      const value = state[property];
      if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
        return { kind: 'reset', reason: 'unreadable', detail: `conversation property '${property}' is not an object`, migratedFrom };
      }
    }
    const dialogState = state[this.options.dialogStateProperty];
    const problem = findUnreadableDialogState(this.options.root, dialogState);
    if (problem) return { kind: 'reset', reason: 'unreadable', detail: problem, migratedFrom };
    const stale = clearStaleDialogVersions(this.options.root, dialogState);
    if (stale > 0 && migratedFrom === undefined) {
      // The dialog tree changed without a STATE_VERSION bump (test/state/persistedIds.test.ts
      // should have caught it); the IDs and steps still fit, so the conversation goes on.
      this.options.logger.warn({ stale }, 'stored dialogs were saved by a different dialog tree of the same state version');
    }
    return { kind: 'ok', migratedFrom };
  }

  /** Migrates the profile in place; an unreadable one is dropped (it only holds counters and a name). */
  private inspectUser(state: StoredState): Verdict {
    if (UNREADABLE_ITEM_KEY in state) {
      this.options.logger.warn('user state cannot be decoded; starting a new profile');
      delete state[UNREADABLE_ITEM_KEY];
      this.resetUser(state);
      return { kind: 'ok' };
    }
    const stored = versionOf(state);
    if (stored !== 'unreadable' && stored > this.version) return { kind: 'newer', version: stored };
    const path = stored === 'unreadable' ? undefined : migrationPath(stored, this.version, this.migrations);
    try {
      if (!path) throw new Error(`no migration from user state version ${String(state[STATE_VERSION_KEY])}`);
      for (const migration of path) migration.user?.(state);
      if (path.length > 0) state[STATE_VERSION_KEY] = this.version;
    } catch (error) {
      this.options.logger.warn({ err: error }, 'user profile unreadable; starting a new profile');
      this.resetUser(state);
    }
    const profile = state[this.options.profileProperty];
    if (profile !== undefined && !isProfile(profile)) this.resetUser(state);
    return { kind: 'ok' };
  }

  private resetConversation(state: StoredState): void {
    for (const property of this.options.dialogProperties) delete state[property];
    delete state[TURN_FAILURE_KEY];
    state[STATE_VERSION_KEY] = this.version;
  }

  private resetUser(state: StoredState): void {
    delete state[this.options.profileProperty];
    state[STATE_VERSION_KEY] = this.version;
  }

  private async announceReset(context: TurnContext, reason: StateResetReason, detail: string): Promise<void> {
    this.options.logger.warn({ conversationId: context.activity.conversation?.id, reason, detail }, 'conversation state unreadable; dialogs started afresh');
    await this.options.events.record(context, { name: 'state.reset', reason });
    await context.sendActivity(StateMessages.startedAfresh);
  }

  private async leaveNewer(context: TurnContext, version: number): Promise<void> {
    this.options.logger.info(
      { conversationId: context.activity.conversation?.id, storedVersion: version, version: this.version },
      'state written by a newer version left untouched',
    );
    await this.options.events.record(context, { name: 'state.left_newer', version });
    await context.sendActivity(StateMessages.newerVersion);
  }

  /**
   * Called with the error of a failed turn. Records it in conversation state (the failed turn's
   * own changes are discarded) and, when it is the same failure as last time, resets the
   * dialogs and returns true: the error is handled. Transient errors are never recorded.
   */
  private async recoverFromRepeatedFailure(context: TurnContext, error: unknown): Promise<boolean> {
    if (isTransient(error)) return false;
    const { conversationState, logger } = this.options;
    const reason = failureReason(error);
    let state: StoredState;
    try {
      // Reload: what the failed turn changed must not be saved, only the failure record.
      state = (await conversationState.load(context, true)) as StoredState;
    } catch {
      return false;
    }
    const verdict = this.inspectConversation(state);
    if (verdict.kind === 'newer') return false;
    if (verdict.kind === 'reset') this.resetConversation(state);
    const previous = state[TURN_FAILURE_KEY] as TurnFailure | undefined;
    const count = previous?.reason === reason ? previous.count + 1 : 1;
    const reset = count >= this.failuresBeforeReset;
    if (reset) this.resetConversation(state);
    else state[TURN_FAILURE_KEY] = { reason, count } satisfies TurnFailure;
    try {
      await conversationState.saveChanges(context);
    } catch (saveError) {
      logger.warn({ err: saveError, conversationId: context.activity.conversation?.id }, 'could not record a failed turn');
      return false;
    }
    if (!reset) return false;
    logger.error(
      { err: error, conversationId: context.activity.conversation?.id, failures: count },
      'turn failed again for the same reason; conversation dialogs reset',
    );
    await this.options.events.record(context, { name: 'state.reset', reason: 'repeated_failure' });
    await context.sendActivity(StateMessages.repeatedFailure);
    return true;
  }
}

function isEmpty(state: StoredState): boolean {
  for (const _ in state) return false;
  return true;
}

function versionOf(state: StoredState): number | 'unreadable' {
  const value = state[STATE_VERSION_KEY];
  if (value === undefined) return BASELINE_VERSION;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : 'unreadable';
}

function isProfile(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const profile = value as Record<string, unknown>;
  return typeof profile.firstSeen === 'string' && typeof profile.lastSeen === 'string' && typeof profile.messages === 'number';
}

/** Failures that pass by themselves: a database outage, a lease wait, a concurrent write, a timeout. */
export function isTransient(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  if (isStorageUnavailable(error)) return true;
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  if (name === 'TimeoutError' || name === 'AbortError') return true;
  // botbuilder wraps what a dialog step threw in a DialogContextError (`error`); others use `cause`.
  const { error: inner, cause } = error as { error?: unknown; cause?: unknown };
  return isTransient(inner, depth + 1) || isTransient(cause, depth + 1);
}

const TRANSIENT_CODES = new Set<string>([
  StorageErrorCode.Unavailable,
  StorageErrorCode.LockTimeout,
  StorageErrorCode.LockLost,
  StorageErrorCode.EtagConflict,
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EOPENBREAKER',
]);

/** The same failure gives the same reason: kind and message with numbers and ids masked, hashed. */
export function failureReason(error: unknown): string {
  const err = error instanceof Error ? error : new Error(String(error));
  const code = (err as { code?: unknown }).code;
  const text = `${err.name}|${typeof code === 'string' ? code : ''}|${err.message.replace(/[0-9a-f]{8,}|\d+/gi, '#')}`;
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
