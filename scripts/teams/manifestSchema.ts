import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { fromRoot } from '../../src/paths';

/**
 * The official Teams app manifest JSON schemas, read from Microsoft's `@microsoft/app-manifest`
 * package (a dev dependency) rather than copied into the repository: upgrading the package is
 * how the schemas are updated. The package keeps one folder per schema version under
 * `build/json-schemas/teams/` (`v1.29`, `v1.30`, ..., and `vDevPreview` for the public developer
 * preview, which is never used here).
 */
export const SCHEMA_PACKAGE = '@microsoft/app-manifest';

const SCHEMA_FILE = 'MicrosoftTeams.schema.json';

/** The folder holding the package's Teams schemas, one subfolder per version. */
export function teamsSchemaDir(): string {
  const requireFromRoot = createRequire(fromRoot('package.json'));
  const packageJson = requireFromRoot.resolve(`${SCHEMA_PACKAGE}/package.json`);
  return path.join(path.dirname(packageJson), 'build', 'json-schemas', 'teams');
}

/** Numeric ordering of "1.9" < "1.17" < "1.30". */
function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/**
 * The generally available manifest versions the package carries, oldest first. Microsoft gives a
 * schema a number only when it is generally available; preview schemas live in `vDevPreview`.
 */
export function gaManifestVersions(dir = teamsSchemaDir()): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^v\d+\.\d+$/.test(entry.name) && existsSync(path.join(dir, entry.name, SCHEMA_FILE)))
    .map((entry) => entry.name.slice(1))
    .sort(compareVersions);
}

/** The newest generally available manifest version the installed package carries. */
export function newestGaManifestVersion(dir = teamsSchemaDir()): string {
  const versions = gaManifestVersions(dir);
  const newest = versions[versions.length - 1];
  if (!newest) throw new Error(`${SCHEMA_PACKAGE} carries no Teams manifest schema in ${dir}`);
  return newest;
}

/** The `$schema` URL Microsoft publishes a manifest version under. */
export function manifestSchemaUrl(version: string): string {
  return `https://developer.microsoft.com/json-schemas/teams/v${version}/${SCHEMA_FILE}`;
}

/** Microsoft's schema URL for a version, with or without a locale segment such as `en-us/`. */
function schemaUrlPattern(version: string): RegExp {
  return new RegExp(
    `^https://developer\\.microsoft\\.com/(?:[a-z]{2}-[a-z]{2}/)?json-schemas/teams/v${version.replace('.', '\\.')}/MicrosoftTeams\\.schema\\.json$`,
  );
}

/** The official JSON schema of one manifest version, as the package ships it. */
export function loadManifestSchema(version: string, dir = teamsSchemaDir()): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(dir, `v${version}`, SCHEMA_FILE), 'utf8')) as Record<string, unknown>;
}

const validators = new Map<string, ValidateFunction>();

function validatorFor(version: string, dir: string): ValidateFunction {
  const key = `${dir}#${version}`;
  let validate = validators.get(key);
  if (!validate) {
    // The Teams schemas are draft-04. strict: false because they carry annotations (such as
    // "deprecationMessage") that Ajv's strict mode would refuse as unknown keywords.
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validate = ajv.compile(loadManifestSchema(version, dir));
    validators.set(key, validate);
  }
  return validate;
}

function describeError(error: ErrorObject, version: string): string {
  const where = error.instancePath === '' ? '(manifest)' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  const detail =
    typeof params.additionalProperty === 'string'
      ? ` (${params.additionalProperty})`
      : Array.isArray(params.allowedValues)
        ? ` (${params.allowedValues.map(String).join(', ')})`
        : '';
  return `schema v${version}: ${where} ${error.message ?? 'is invalid'}${detail}`;
}

/**
 * Validates a manifest against the official schema of its own `manifestVersion`. Returns the
 * problems, each prefixed with the schema version; empty when the manifest conforms.
 */
export function manifestSchemaProblems(manifest: Record<string, unknown>, dir = teamsSchemaDir()): string[] {
  const version = manifest.manifestVersion;
  if (version === 'devPreview') return ['manifestVersion "devPreview" is the developer preview schema; use a generally available version'];
  const available = gaManifestVersions(dir);
  if (typeof version !== 'string' || !available.includes(version)) {
    return [
      `manifestVersion ${JSON.stringify(version)}: ${SCHEMA_PACKAGE} has no schema for it (it carries ${available[0]} to ${available[available.length - 1]})`,
    ];
  }
  const problems: string[] = [];
  if (!schemaUrlPattern(version).test(String(manifest.$schema))) problems.push(`$schema must be ${manifestSchemaUrl(version)} for manifestVersion ${version}`);
  const validate = validatorFor(version, dir);
  if (!validate(manifest)) problems.push(...(validate.errors ?? []).map((error) => describeError(error, version)));
  return problems;
}
