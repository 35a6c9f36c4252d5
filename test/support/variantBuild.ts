import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
/** What a bot process needs to run from source; tests, tools and deployment files are left out. */
const COPIED = ['package.json', 'tsconfig.json', 'src', 'dialogs', 'recognizers', 'data', 'public', 'teams', 'models'];

export interface VariantBuild {
  /** Project root of the copy (the cwd to run it from). */
  dir: string;
  /** Its entry point. */
  script: string;
  stateVersion: number;
  remove(): void;
}

export interface VariantChanges {
  /** Renames one dialog ID value in dialogs/dialogIds.ts, as a deploy that renames a prompt does. */
  renameDialogId: { from: string; to: string };
  /** Also register the migration a careful developer would write (renameDialogIds). */
  withMigration: boolean;
}

function patch(file: string, edit: (text: string) => string): void {
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`variantBuild: the patch of ${file} changed nothing; the source no longer looks as expected`);
  writeFileSync(file, after);
}

/**
 * A second build of the bot, as the next release would be: a copy of this source tree with a
 * dialog ID renamed and STATE_VERSION bumped (and, optionally, the migration). Runs as its own
 * process with spawnBotProcess(variant.script, env, timeout, variant.dir), so two builds really
 * serve one database side by side, as old and new pods do during a rolling update.
 */
export function createVariantBuild(changes: VariantChanges): VariantBuild {
  const dir = mkdtempSync(path.join(tmpdir(), 'supportbot-variant-'));
  for (const entry of COPIED) {
    try {
      cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const { from, to } = changes.renameDialogId;
  patch(path.join(dir, 'dialogs/dialogIds.ts'), (text) => text.replace(`'${from}'`, `'${to}'`));
  let stateVersion = 0;
  patch(path.join(dir, 'src/state/schema.ts'), (text) =>
    text.replace(/export const STATE_VERSION = (\d+);/, (_m, v: string) => {
      stateVersion = Number(v) + 1;
      return `export const STATE_VERSION = ${stateVersion};`;
    }),
  );
  if (changes.withMigration) {
    patch(path.join(dir, 'src/state/migrations.ts'), (text) =>
      text.replace(
        'export const MIGRATIONS: readonly StateMigration[] = [',
        `$&\n  { from: ${stateVersion - 1}, description: 'test variant: ${from} renamed', conversation: renameDialogIds({ '${from}': '${to}' }) },`,
      ),
    );
  }
  return { dir, script: path.join(dir, 'src/index.ts'), stateVersion, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
