import { DialogIds, WaterfallSteps } from '../../dialogs/dialogIds';
import { StateKeys, UserStateKeys } from '../bot/SupportBot';
import { OFFERED_CHOICES_PROPERTY } from '../channels/channelMiddleware';
import { HandoffStateKeys } from '../handoff/stateKeys';
import { PARTICIPANTS_SPLIT_KEY } from '../groups/GroupStateSplit';

/**
 * The version of what the bot stores: conversation state (dialog stacks with their form values,
 * the main dialog's flags, the handoff gate's pointer and recent lines) and user state (the
 * profile). Every state item carries it in {@link STATE_VERSION_KEY}.
 *
 * Bump it whenever a persisted identifier below changes or a stored shape changes, and register
 * a migration from the previous version in ./migrations.ts. test/state/persistedIds.test.ts
 * compares {@link currentSchema} with the committed history in ./schemaHistory.json and fails
 * until both are done. Step by step: docs/operations.md, "Upgrading".
 */
export const STATE_VERSION = 3;

/** State written before versioning existed carries no stamp and has this version's shape. */
export const BASELINE_VERSION = 1;

/** Property of every state item that holds its schema version. */
export const STATE_VERSION_KEY = 'stateVersion';

/** Property of conversation state that remembers the last failed turn (poison-state recovery). */
export const TURN_FAILURE_KEY = 'turnFailure';

/** Everything the running code persists by name, as compared against the committed history. */
export interface PersistedSchema {
  version: number;
  /** Dialog, prompt and waterfall IDs (they appear on stored dialog stacks). */
  dialogs: string[];
  /** Waterfall ID → step names in order (a stored step is an index into this list). */
  waterfallSteps: Record<string, string[]>;
  /** Property names inside conversation state. */
  conversationProperties: string[];
  /** Property names inside user state. */
  userProperties: string[];
}

/** The schema of the running code. */
export function currentSchema(): PersistedSchema {
  return {
    version: STATE_VERSION,
    dialogs: Object.values(DialogIds).sort(),
    waterfallSteps: Object.fromEntries(
      Object.entries(WaterfallSteps)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([id, steps]) => [id, [...steps]]),
    ),
    conversationProperties: [
      ...Object.values(StateKeys),
      ...Object.values(HandoffStateKeys),
      OFFERED_CHOICES_PROPERTY,
      PARTICIPANTS_SPLIT_KEY,
      STATE_VERSION_KEY,
      TURN_FAILURE_KEY,
    ].sort(),
    userProperties: [...Object.values(UserStateKeys), STATE_VERSION_KEY].sort(),
  };
}
