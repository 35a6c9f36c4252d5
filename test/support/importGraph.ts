import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(__dirname, '..', '..');

/** Relative module specifiers a TypeScript file imports or re-exports (type-only imports included unless `valuesOnly`). */
export function importsOf(file: string, valuesOnly = false): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  const pattern = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|require\('([^']+)'\)|import\('([^']+)'\)/gm;
  for (const match of text.matchAll(pattern)) {
    if (valuesOnly && match[2]) continue;
    const specifier = match[3] ?? match[4] ?? match[5] ?? match[6];
    if (specifier) found.push(specifier);
  }
  return found;
}

/** The file a relative specifier names (`./x` → `./x.ts` or `./x/index.ts`), or undefined for packages. */
export function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Every repository file `entry` loads at run time (value imports, followed transitively), as paths relative to the root. */
export function runtimeGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [resolve(ROOT, entry)];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    const rel = relative(ROOT, file);
    if (seen.has(rel)) continue;
    seen.add(rel);
    if (!file.endsWith('.ts')) continue;
    for (const specifier of importsOf(file, true)) {
      const target = resolveImport(file, specifier);
      if (target) queue.push(target);
    }
  }
  return seen;
}
