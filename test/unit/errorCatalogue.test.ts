import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CATALOGUE, renderErrorTable } from '../../src/errors';

const root = join(__dirname, '..', '..');

/** The Markdown table right under the README's "## Error codes" heading. */
function readmeErrorTable(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  const heading = readme.indexOf('## Error codes');
  assert.ok(heading >= 0, 'README.md has no "## Error codes" section');
  const start = readme.findIndex((line, i) => i > heading && line.startsWith('|'));
  const end = readme.findIndex((line, i) => i > start && !line.startsWith('|'));
  return readme.slice(start, end).join('\n');
}

describe('error catalogue', () => {
  it("should match the README's error table row for row (regenerate it with renderErrorTable())", () => {
    assert.equal(readmeErrorTable(), renderErrorTable());
  });

  it('should say where and what to do for every code', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      assert.match(code, /^[A-Z][A-Z_]+$/, code);
      assert.ok(entry.where.trim() && entry.action.trim(), `${code} needs "where" and "action"`);
    }
  });

  it('should list every code an HTTP answer or a SupportBotError in src/ uses', () => {
    const used = new Set<string>();
    for (const file of listSources(join(root, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:sendHttpError\([^,]+,\s*\d+,\s*|httpErrorBody\(|SupportBotError\(\s*|code: )'([A-Z][A-Z_]+)'/g))
        used.add(match[1] as string);
    }
    assert.ok(used.size > 10, `found only ${used.size} codes: the scan is broken`);
    const missing = [...used].filter((code) => !(code in ERROR_CATALOGUE));
    assert.deepEqual(missing, []);
  });
});

function listSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}
