import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { currentSchema, type PersistedSchema } from '../src/state/schema';

/**
 * `npm run state:schema`: compares the persisted identifiers of the code with the newest entry
 * of src/state/schemaHistory.json and says what changed. `-- --append` records the current
 * schema once STATE_VERSION has been bumped (never rewrites an older entry).
 * Step by step: docs/operations.md, "Upgrading".
 */
const FILE = path.join(__dirname, '../src/state/schemaHistory.json');
const history = JSON.parse(readFileSync(FILE, 'utf8')) as { comment?: string; versions: PersistedSchema[] };
const current = currentSchema();
const newest = history.versions.at(-1);

function changes(before: PersistedSchema | undefined, after: PersistedSchema): string[] {
  if (!before) return ['(no committed version yet)'];
  const lines: string[] = [];
  const list = (label: string, a: string[], b: string[]): void => {
    for (const x of a.filter((v) => !b.includes(v))) lines.push(`- ${label} ${x}`);
    for (const x of b.filter((v) => !a.includes(v))) lines.push(`+ ${label} ${x}`);
  };
  list('dialog', before.dialogs, after.dialogs);
  list('conversation property', before.conversationProperties, after.conversationProperties);
  list('user property', before.userProperties, after.userProperties);
  for (const id of new Set([...Object.keys(before.waterfallSteps), ...Object.keys(after.waterfallSteps)])) {
    const a = (before.waterfallSteps[id] ?? []).join(' → ');
    const b = (after.waterfallSteps[id] ?? []).join(' → ');
    if (a !== b) lines.push(`~ steps of ${id}: ${a || '(none)'}  ⇒  ${b || '(none)'}`);
  }
  return lines;
}

const diff = changes(newest, current);
if (diff.length === 0 && newest?.version === current.version) {
  console.log(`State version ${current.version}: the code matches schemaHistory.json.`);
} else if (newest && current.version === newest.version) {
  console.log(`Persisted identifiers changed, STATE_VERSION is still ${current.version}:\n${diff.join('\n')}`);
  console.log('\nBump STATE_VERSION (src/state/schema.ts), add a migration (src/state/migrations.ts), then run this with --append.');
  process.exitCode = 1;
} else if (newest && current.version < newest.version) {
  console.log(`STATE_VERSION ${current.version} is older than the newest committed version ${newest.version}: versions only go up.`);
  process.exitCode = 1;
} else if (process.argv.includes('--append')) {
  history.versions.push(current);
  writeFileSync(FILE, `${JSON.stringify(history, null, 2)}\n`);
  console.log(`Recorded state version ${current.version}:\n${diff.join('\n') || '(no identifier changed)'}`);
} else {
  console.log(
    `STATE_VERSION is ${current.version}, schemaHistory.json ends at ${String(newest?.version)}. Changes:\n${diff.join('\n') || '(none)'}\nRun with --append to record it.`,
  );
  process.exitCode = 1;
}
