import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/importGraph';

const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');

describe('docs/architecture.md', () => {
  it('should name only files and folders that exist', () => {
    const named = [...doc.matchAll(/`((?:src|dialogs|recognizers|test|scripts|bench)\/[A-Za-z0-9_./*-]*)`/g)].map((match) => match[1] as string);
    assert.ok(named.length > 30, `found only ${named.length} paths: the scan is broken`);
    const missing = named.filter((path) => !path.includes('*') && !existsSync(join(ROOT, path)));
    assert.deepEqual(missing, []);
  });

  it('should list every channel the composition root builds', () => {
    const app = readFileSync(join(ROOT, 'src', 'app.ts'), 'utf8');
    const list = /const CHANNELS[^=]*=\s*\[([^\]]*)\]/.exec(app);
    assert.ok(list, 'src/app.ts has no CHANNELS list');
    const modules = (list[1] as string)
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    assert.ok(modules.length >= 3, modules.join(', '));
    for (const module of modules) {
      const file = new RegExp(`^import \\{[^}]*\\b${module}\\b[^}]*\\} from '\\./(channels/[^']+)'`, 'm').exec(app)?.[1];
      assert.ok(file, `${module} is not imported from src/channels`);
      assert.ok(doc.includes(`src/${file}`), `docs/architecture.md does not name src/${file} (${module})`);
    }
  });
});
