/**
 * State migrations: how state stored by an older version becomes state the running code reads.
 *
 * Each migration takes one state item from version `from` to `from + 1`, in place. The guard
 * (./StateGuard.ts) runs the chain from the stored version up to STATE_VERSION before a turn,
 * then checks the result against the running dialogs; a version with no chain to the current
 * one, or a result the dialogs cannot read, starts the conversation afresh instead.
 *
 * A migration must be a pure function of the stored item (no I/O, no clock): older and newer
 * instances run side by side during a rollout, and the same item may be migrated more than once
 * when a turn fails before it is saved.
 */

/** A stored state item (botbuilder's ConversationState or UserState object), minus its eTag. */
import { DialogIds } from '../../dialogs/dialogIds';

export type StoredState = Record<string, unknown>;

export interface StateMigration {
  /** The version this migration reads; it produces `from + 1`. */
  from: number;
  /** One line for logs and reviewers: what changed in that version. */
  description: string;
  /** Rewrites conversation state (dialog stacks, form values, flags, handoff gate). */
  conversation?: (state: StoredState) => void;
  /** Rewrites user state (the profile). */
  user?: (state: StoredState) => void;
}

/**
 * Every migration the code knows, oldest first. Add one entry per STATE_VERSION bump, for
 * example `{ from: 1, description: 'confirm prompt renamed', conversation: renameDialogIds({ ... }) }`.
 */
export const MIGRATIONS: readonly StateMigration[] = [
  {
    from: 1,
    description: 'order check added: the confirmation is now read by "access" (same index as "lookup" was), "answer" and the verification prompt are new',
    // Identity map, kept explicit: a stack waiting at step 0 or 1 resumes where it did.
    conversation: remapWaterfallSteps(DialogIds.orderStatusWaterfall, [0, 1, 2]),
  },
  {
    from: 2,
    description:
      "group conversations keep one form per person (src/groups): one-to-one items are unchanged; a group conversation's old shared form moves to its last speaker (GroupStateSplit, which needs storage and so runs before the guard)",
    // Nothing to rewrite inside an item: the keys change, which GroupStateSplit handles.
    conversation: () => undefined,
  },
];

/**
 * The migrations that take `from` to `to`, in order; undefined when a link of the chain is
 * missing (that stored version cannot be read).
 */
export function migrationPath(from: number, to: number, migrations: readonly StateMigration[] = MIGRATIONS): StateMigration[] | undefined {
  const path: StateMigration[] = [];
  for (let version = from; version < to; version++) {
    const step = migrations.find((m) => m.from === version);
    if (!step) return undefined;
    path.push(step);
  }
  return path;
}

interface StackEntry {
  id?: unknown;
  state?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Calls `visit` for every entry of every dialog stack in `dialogState`, nested ones included. */
export function forEachStackEntry(dialogState: unknown, visit: (entry: StackEntry) => void): void {
  if (!isRecord(dialogState) || !Array.isArray(dialogState.dialogStack)) return;
  for (const entry of dialogState.dialogStack as unknown[]) {
    if (!isRecord(entry)) continue;
    visit(entry);
    // ComponentDialog keeps its inner stack under `dialogs` in its own instance state.
    if (isRecord(entry.state)) forEachStackEntry(entry.state.dialogs, visit);
  }
}

/**
 * A conversation migration that renames dialog, prompt or waterfall IDs wherever they sit on the
 * stored stacks (the dialog state property is `dialogState` unless told otherwise).
 */
export function renameDialogIds(renames: Readonly<Record<string, string>>, property = 'dialogState'): (state: StoredState) => void {
  return (state) =>
    forEachStackEntry(state[property], (entry) => {
      if (typeof entry.id === 'string' && Object.hasOwn(renames, entry.id)) entry.id = renames[entry.id];
    });
}

/**
 * A conversation migration for a waterfall whose steps changed: `map[old index]` is the new
 * index of the step an instance was waiting in.
 */
export function remapWaterfallSteps(waterfallId: string, map: readonly number[], property = 'dialogState'): (state: StoredState) => void {
  return (state) =>
    forEachStackEntry(state[property], (entry) => {
      if (entry.id !== waterfallId || !isRecord(entry.state)) return;
      const index = entry.state.stepIndex;
      if (typeof index === 'number' && map[index] !== undefined) entry.state.stepIndex = map[index];
    });
}
