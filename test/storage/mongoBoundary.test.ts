import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Every TypeScript/JavaScript source file under `dir`. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(c|m)?[jt]s$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** `import ... from 'mongodb'`, `export ... from 'mongodb/x'`, `import('bson')`, `require("mongodb")`. */
const DRIVER_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](?:mongodb|bson)(?:\/[^'"]*)?['"]/m;

/** Files that name the driver, relative to the repository, with `/` separators. */
function driverImporters(dirs: readonly string[]): string[] {
  return dirs
    .flatMap((dir) => sourceFiles(join(ROOT, dir)))
    .filter((file) => DRIVER_IMPORT.test(readFileSync(file, 'utf8')))
    .map((file) => relative(ROOT, file).split('\\').join('/'))
    .sort();
}

describe('the MongoDB boundary', () => {
  it('should import mongodb only inside src/storage/ (the store factory and its Mongo stores)', () => {
    const outside = driverImporters(['src', 'dialogs']).filter((file) => !file.startsWith('src/storage/'));
    assert.deepEqual(outside, [], 'choose and build stores in src/storage/createStores.ts; pass the store interfaces in');
  });

  it('should recognise every way of importing the driver, so the check above can fail', () => {
    for (const line of [
      "import type { Db } from 'mongodb';",
      'import { MongoClient } from "mongodb";',
      "export { ObjectId } from 'bson';",
      "const m = await import('mongodb');",
      "const { MongoClient } = require('mongodb');",
      "import 'mongodb/lib/something';",
    ]) {
      assert.ok(DRIVER_IMPORT.test(line), line);
    }
    assert.equal(DRIVER_IMPORT.test("import { MongoStorage } from '../storage/MongoStorage';"), false);
    assert.ok(driverImporters(['src']).includes('src/storage/createStorageLayer.ts'), 'the scan sees the files that do import it');
  });
});
