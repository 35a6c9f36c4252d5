// Build step: copies botframework-webchat's self-contained browser bundle into dist/public, so
// the server serves one file without the package (about 480 MB of dependencies) in production.
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
// The package's "exports" hides dist/, so find the package from its main entry instead.
const main = require.resolve('botframework-webchat');
const packageDir = main.slice(0, main.lastIndexOf(`${path.sep}lib${path.sep}`));
const source = path.join(packageDir, 'dist', 'webchat.js');
const target = path.join(root, 'dist', 'public', 'webchat.js');
mkdirSync(path.dirname(target), { recursive: true });
copyFileSync(source, target);
const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
console.log(`Web Chat ${version} bundle → ${path.relative(root, target)} (${(statSync(target).size / 1e6).toFixed(1)} MB)`);
