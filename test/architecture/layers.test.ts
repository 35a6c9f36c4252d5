import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { importsOf, resolveImport, ROOT, runtimeGraph } from '../support/importGraph';

/** Every TypeScript file under a repository folder, as absolute paths. */
function sourcesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** `from → to` for every relative import (type-only ones too) of the files under `folder` that lands outside `allowed`. */
function importsOutside(folder: string, allowed: readonly string[]): string[] {
  const problems: string[] = [];
  for (const file of sourcesUnder(folder)) {
    for (const specifier of importsOf(file)) {
      const target = resolveImport(file, specifier);
      if (!target) continue;
      const rel = relative(ROOT, target);
      if (!allowed.some((prefix) => rel === prefix || rel.startsWith(prefix))) problems.push(`${relative(ROOT, file)} → ${rel}`);
    }
  }
  return problems;
}

/** The app's layers, bottom up: each may import the ones below it, never one above. */
const DOMAIN = ['dialogs/', 'recognizers/'];
const BASE = ['src/errors.ts', 'src/paths.ts'];

describe('layers only point down', () => {
  it('should keep the dialogs and the recognizer free of the app (they import nothing from src/)', () => {
    assert.deepEqual(importsOutside('dialogs', DOMAIN), []);
    assert.deepEqual(importsOutside('recognizers', DOMAIN), []);
  });

  it('should keep src/config importing only itself, the errors, paths and the domain vocabulary', () => {
    assert.deepEqual(importsOutside('src/config', ['src/config/', ...BASE, ...DOMAIN]), []);
  });

  it('should keep observability below the server and the channels', () => {
    assert.deepEqual(importsOutside('src/telemetry', ['src/telemetry/', 'src/config/', ...BASE, ...DOMAIN]), []);
  });

  it('should keep the HTTP server (lifecycle, request context, errors, inbound gate) below the channels', () => {
    assert.deepEqual(importsOutside('src/server', ['src/server/', 'src/telemetry/', 'src/config/', ...BASE, ...DOMAIN]), []);
  });

  it('should let only the entry points import the composition root', () => {
    const top = ['src/app.ts', 'src/composition/'];
    const problems: string[] = [];
    for (const folder of [
      'src/bot',
      'src/channels',
      'src/config',
      'src/handoff',
      'src/orders',
      'src/server',
      'src/state',
      'src/storage',
      'src/telemetry',
      'src/verification',
    ]) {
      for (const file of sourcesUnder(folder)) {
        for (const specifier of importsOf(file)) {
          const target = resolveImport(file, specifier);
          const rel = target && relative(ROOT, target);
          if (rel && top.some((prefix) => rel.startsWith(prefix))) problems.push(`${relative(ROOT, file)} → ${rel}`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });
});

describe('what the running bot loads', () => {
  const graph = runtimeGraph('src/index.ts');

  it('should follow src/index.ts through the composition root to every channel', () => {
    // The scan itself: a broken resolver would find nothing and let everything pass.
    for (const file of [
      'src/app.ts',
      'src/composition/stores.ts',
      'src/channels/botframework/index.ts',
      'src/channels/directline/routes.ts',
      'src/channels/slack/SlackBridge.ts',
      'dialogs/MainDialog.ts',
    ]) {
      assert.ok(graph.has(file), `${file} is not in the runtime graph`);
    }
  });

  it('should load no offline tool: analytics reports, CLIs, conversation tests, Teams packaging, scripts, benchmarks', () => {
    const offline = ['src/analytics/', 'src/cli/', 'src/conversationTests/', 'scripts/', 'teams/', 'tools/', 'bench/', 'test/'];
    assert.deepEqual(
      [...graph].filter((file) => offline.some((prefix) => file.startsWith(prefix))),
      [],
    );
  });

  it('should import no dev dependency statically (npm ci --omit=dev in the image)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const devDeps = Object.keys(pkg.devDependencies);
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const file of graph) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const match of text.matchAll(/^\s*import\s+(?!type\s)[^'";]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm)) {
        const specifier = (match[1] ?? match[2]) as string;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string);
        seen.add(name);
        if (devDeps.includes(name)) problems.push(`${file} → ${specifier}`);
      }
    }
    assert.ok(seen.has('botbuilder') && seen.has('restify'), 'the scan found no package imports');
    assert.deepEqual(problems, []);
  });
});
