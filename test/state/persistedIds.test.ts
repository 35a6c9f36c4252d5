import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConversationState, MemoryStorage } from 'botbuilder';
import { WaterfallDialog } from 'botbuilder-dialogs';
import { DialogIds, WaterfallSteps } from '../../dialogs/dialogIds';
import type { MainDialog } from '../../dialogs/MainDialog';
import { createStateAccessors } from '../../src/bot/SupportBot';
import { allDialogs, waterfallLength } from '../../src/state/dialogStack';
import { forEachStackEntry, MIGRATIONS, migrationPath, type StoredState } from '../../src/state/migrations';
import { currentSchema, STATE_VERSION, type PersistedSchema } from '../../src/state/schema';
import { createTestMainDialog } from '../support/testBot';

/**
 * The guard rail of versioned state: persisted identifiers (dialog and prompt IDs, waterfall
 * steps, state property names) may only change together with a STATE_VERSION bump, an entry
 * appended to src/state/schemaHistory.json and a migration (docs/operations.md, "Upgrading").
 */
const HISTORY_FILE = path.join(__dirname, '../../src/state/schemaHistory.json');
const history = (JSON.parse(readFileSync(HISTORY_FILE, 'utf8')) as { versions: PersistedSchema[] }).versions;
const HOW_TO =
  'See docs/operations.md, "Upgrading": bump STATE_VERSION in src/state/schema.ts, register a migration in src/state/migrations.ts, then `npm run state:schema -- --append` (records the new schema in src/state/schemaHistory.json).';

function buildMainDialog(): MainDialog {
  const accessors = createStateAccessors(new ConversationState(new MemoryStorage()));
  return createTestMainDialog(accessors);
}

function diff(before: readonly string[], after: readonly string[]): string {
  const removed = before.filter((x) => !after.includes(x));
  const added = after.filter((x) => !before.includes(x));
  return `removed [${removed.join(', ')}], added [${added.join(', ')}]`;
}

describe('persisted identifiers and the state version', () => {
  it('should declare in DialogIds exactly the dialogs the running dialog tree has', () => {
    const inTree = allDialogs(buildMainDialog())
      .map((d) => d.id)
      .sort();
    const declared = Object.values(DialogIds).sort();
    assert.deepEqual(inTree, declared, `dialogs/dialogIds.ts and the dialog tree disagree: ${diff(declared, inTree)}`);
  });

  it('should declare in WaterfallSteps as many steps as each waterfall has', () => {
    const waterfalls = allDialogs(buildMainDialog()).filter((d): d is WaterfallDialog => d instanceof WaterfallDialog);
    assert.ok(waterfalls.length >= 2, 'the tree has the main and order-status waterfalls');
    for (const waterfall of waterfalls) {
      assert.equal(
        WaterfallSteps[waterfall.id]?.length,
        waterfallLength(waterfall),
        `WaterfallSteps['${waterfall.id}'] in dialogs/dialogIds.ts must list the waterfall's steps in order`,
      );
    }
    assert.deepEqual(Object.keys(WaterfallSteps).sort(), waterfalls.map((w) => w.id).sort(), 'WaterfallSteps names only waterfalls the tree has');
  });

  it('should keep one history entry per version, in order, ending at STATE_VERSION', () => {
    const versions = history.map((h) => h.version);
    assert.deepEqual(
      versions,
      [...versions].sort((a, b) => a - b),
      'versions are in ascending order',
    );
    assert.equal(new Set(versions).size, versions.length, 'each version appears once');
    assert.equal(versions.at(-1), STATE_VERSION, `the newest entry of schemaHistory.json is STATE_VERSION ${STATE_VERSION}. ${HOW_TO}`);
  });

  it('should match the newest committed schema, so no identifier changes without a version bump', () => {
    const newest = history.at(-1);
    const current = currentSchema();
    if (newest?.version === current.version) {
      assert.deepEqual(
        current,
        newest,
        `Persisted identifiers changed but STATE_VERSION is still ${current.version}: dialogs ${diff(newest.dialogs, current.dialogs)}; ` +
          `conversation properties ${diff(newest.conversationProperties, current.conversationProperties)}. Conversations in flight would break. ${HOW_TO}`,
      );
    } else {
      assert.fail(`STATE_VERSION is ${current.version} but schemaHistory.json ends at ${String(newest?.version)}: append the current schema. ${HOW_TO}`);
    }
  });

  it('should have a migration chain from every committed version to STATE_VERSION', () => {
    for (const entry of history) {
      assert.ok(migrationPath(entry.version, STATE_VERSION), `no migration chain from state version ${entry.version} to ${STATE_VERSION}. ${HOW_TO}`);
    }
    for (const migration of MIGRATIONS) assert.ok(migration.from < STATE_VERSION, `migration from ${migration.from} goes past STATE_VERSION`);
  });

  it('should migrate every dialog ID and waterfall step of older versions to ones the code has', () => {
    const current = currentSchema();
    for (const old of history.filter((h) => h.version < STATE_VERSION)) {
      const steps = Object.entries(old.waterfallSteps).flatMap(([id, names]) => names.map((name, stepIndex) => ({ id, name, stepIndex })));
      const state: StoredState = {
        dialogState: {
          dialogStack: [
            ...old.dialogs.map((id) => ({ id, state: {} })),
            ...steps.map(({ id, stepIndex }, probe) => ({ id, state: { stepIndex, values: { probe } } })),
          ],
        },
      };
      for (const migration of migrationPath(old.version, STATE_VERSION) ?? []) migration.conversation?.(state);
      const unknown: string[] = [];
      const stepEntries = new Map<unknown, { id: string; stepIndex: unknown }>();
      forEachStackEntry(state.dialogState, (entry) => {
        if (typeof entry.id !== 'string' || !current.dialogs.includes(entry.id)) unknown.push(String(entry.id));
        const instance = entry.state as { stepIndex?: unknown; values?: { probe?: unknown } } | undefined;
        if (instance?.values?.probe !== undefined) stepEntries.set(instance.values.probe, { id: String(entry.id), stepIndex: instance.stepIndex });
      });
      assert.deepEqual(unknown, [], `after migrating from version ${old.version}, stacks still name dialogs the code does not have. ${HOW_TO}`);
      // A step that still exists under the same name must be found at its new index.
      steps.forEach(({ name }, i) => {
        const migrated = stepEntries.get(i);
        if (!migrated) return; // the migration removed that instance: a deliberate choice
        const newSteps = current.waterfallSteps[migrated.id] ?? [];
        if (!newSteps.includes(name)) return;
        assert.equal(newSteps[migrated.stepIndex as number], name, `step '${name}' of version ${old.version} lands on another step after migration. ${HOW_TO}`);
      });
    }
  });
});
