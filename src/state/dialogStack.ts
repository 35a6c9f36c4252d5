import { ComponentDialog, type Dialog, Prompt, WaterfallDialog } from 'botbuilder-dialogs';
import { isRecord } from '../util/json';

/**
 * Checks that a stored dialog state can be continued by the running dialogs: every ID on every
 * stack (nested component stacks too) names a dialog the code has, waterfall step indexes are in
 * range, and instance states have the shapes botbuilder-dialogs reads. Returns what is wrong, or
 * undefined when the state is readable (an absent state is readable: the conversation is new).
 *
 * This is what turns "A dialog with an id of '…' wasn't found" on every message into one
 * "I've been updated" notice: the stack is judged before the dialogs touch it.
 */
export function findUnreadableDialogState(root: Dialog, dialogState: unknown): string | undefined {
  if (dialogState === undefined) return undefined;
  return checkStack(dialogState, 'dialogState', (id) => (id === root.id ? root : undefined));
}

type Lookup = (id: string) => Dialog | undefined;

function checkStack(value: unknown, where: string, find: Lookup): string | undefined {
  if (!isRecord(value) || !Array.isArray(value.dialogStack)) return `${where} is not a dialog stack`;
  const stack = value.dialogStack as unknown[];
  for (let i = 0; i < stack.length; i++) {
    const entry = stack[i];
    const at = `${where}[${i}]`;
    if (!isRecord(entry) || typeof entry.id !== 'string') return `${at} has no dialog id`;
    const dialog = find(entry.id);
    if (!dialog) return `unknown dialog id '${entry.id}' at ${at}`;
    const problem = checkInstance(dialog, entry.state, `${at} '${entry.id}'`, find);
    if (problem) return problem;
  }
  return undefined;
}

function checkInstance(dialog: Dialog, state: unknown, where: string, find: Lookup): string | undefined {
  if (!isRecord(state)) return `${where} has no instance state`;
  if (dialog instanceof ComponentDialog) {
    // DialogContext.findDialog looks in the component first, then in its parents.
    const inner: Lookup = (id) => dialog.dialogs.find(id) ?? find(id);
    return checkStack(state.dialogs, `${where}.dialogs`, inner);
  }
  if (dialog instanceof WaterfallDialog) {
    const steps = waterfallLength(dialog);
    const index = state.stepIndex;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= steps) {
      return `${where} is at step ${String(index)} of ${steps}`;
    }
    if (state.values !== undefined && !isRecord(state.values)) return `${where} has unreadable form values`;
    return undefined;
  }
  if (dialog instanceof Prompt) {
    if (!isRecord(state.options) || !isRecord(state.state)) return `${where} has an unreadable prompt state`;
  }
  return undefined;
}

/** Number of steps of a waterfall (botbuilder-dialogs keeps the list private). */
export function waterfallLength(dialog: WaterfallDialog): number {
  // `steps` is private in the typings but stable since 4.0; a missing list counts as no steps.
  const steps = (dialog as unknown as { steps?: unknown[] }).steps;
  return Array.isArray(steps) ? steps.length : 0;
}

/** Every dialog reachable from `root` (the root included), for the persisted-IDs test. */
export function allDialogs(root: Dialog): Dialog[] {
  const found: Dialog[] = [root];
  if (root instanceof ComponentDialog) {
    for (const child of root.dialogs.getDialogs()) found.push(...allDialogs(child));
  }
  return found;
}

/**
 * Clears the dialog-set fingerprints (`version`) that component dialogs keep on stored
 * instances where they no longer match the running code. botbuilder-dialogs compares them on
 * every turn and, on a mismatch, throws "Unhandled dialog event: versionChanged" for every
 * message; once a state has been migrated or checked readable by {@link findUnreadableDialogState},
 * that check has done its job. Returns how many were cleared. Call only on readable state.
 */
export function clearStaleDialogVersions(root: Dialog, dialogState: unknown): number {
  let cleared = 0;
  const walk = (value: unknown, find: Lookup): void => {
    if (!isRecord(value) || !Array.isArray(value.dialogStack)) return;
    for (const entry of value.dialogStack as unknown[]) {
      if (!isRecord(entry) || typeof entry.id !== 'string') continue;
      const dialog = find(entry.id);
      if (!(dialog instanceof ComponentDialog) || !isRecord(entry.state)) continue;
      if (entry.version !== undefined && entry.version !== dialog.dialogs.getVersion()) {
        delete entry.version;
        cleared += 1;
      }
      walk(entry.state.dialogs, (id) => dialog.dialogs.find(id) ?? find(id));
    }
  };
  walk(dialogState, (id) => (id === root.id ? root : undefined));
  return cleared;
}
