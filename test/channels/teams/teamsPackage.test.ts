import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { deriveTeamsAppId, TeamsPackageError, validateManifest } from '../../../scripts/teams/manifest';
import {
  gaManifestVersions,
  loadManifestSchema,
  manifestSchemaProblems,
  manifestSchemaUrl,
  newestGaManifestVersion,
  teamsSchemaDir,
} from '../../../scripts/teams/manifestSchema';
import { buildTeamsPackage } from '../../../scripts/teams/teamsPackage';
import { loadConfig } from '../../../src/config/config';
import { fromRoot } from '../../../src/paths';
import { decodeRgbaPng } from './png';

const BOT_ID = '6f1c2a4e-1b2c-4d5e-8f90-123456789abc';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function configFor(env: Record<string, string>) {
  return loadConfig({ NODE_ENV: 'test', MicrosoftAppId: BOT_ID, MicrosoftAppPassword: 'p', BOT_DOMAIN: 'bot.example.com', ...env });
}

describe('Teams app package', () => {
  it('should build an uploadable zip: manifest.json and both icons at the root, bot id from configuration', async () => {
    const config = configFor({});
    const { zip } = await buildTeamsPackage({ teams: config.teams, microsoftAppId: config.auth.MicrosoftAppId, sourceDir: fromRoot('teams') });
    const archive = await JSZip.loadAsync(zip);
    assert.deepEqual(Object.keys(archive.files).sort(), ['color.png', 'manifest.json', 'outline.png']);
    // biome-ignore lint/suspicious/noExplicitAny: free-form JSON under test
    const manifest = JSON.parse(await archive.file('manifest.json')!.async('string')) as Record<string, any>;
    assert.equal(manifest.manifestVersion, newestGaManifestVersion());
    assert.equal(manifest.$schema, manifestSchemaUrl(manifest.manifestVersion));
    assert.deepEqual(manifestSchemaProblems(manifest), [], 'valid against the official schema of its version');
    assert.match(manifest.id, GUID);
    assert.notEqual(manifest.id, BOT_ID, 'the Teams app id is its own GUID');
    assert.equal(manifest.id, deriveTeamsAppId(BOT_ID), 'and stable across builds');
    assert.equal(manifest.bots[0].botId, BOT_ID);
    assert.deepEqual(manifest.bots[0].scopes, ['personal', 'team', 'groupChat']);
    assert.deepEqual(manifest.validDomains, ['bot.example.com']);
    assert.equal(manifest.developer.privacyUrl, 'https://bot.example.com/privacy');
    assert.deepEqual(validateManifest(manifest, { botId: BOT_ID }), []);
    assert.ok(!JSON.stringify(manifest).includes('{{'), 'every placeholder is filled');
  });

  it('should ship icons Teams accepts: 192x192 colour, 32x32 white-on-transparent outline', async () => {
    const color = decodeRgbaPng(readFileSync(fromRoot('teams/color.png')));
    assert.deepEqual([color.width, color.height], [192, 192]);
    const outline = decodeRgbaPng(readFileSync(fromRoot('teams/outline.png')));
    assert.deepEqual([outline.width, outline.height], [32, 32]);
    let transparent = 0;
    let drawn = 0;
    for (let i = 0; i < outline.pixels.length; i += 4) {
      const [r, g, b, a] = [outline.pixels[i], outline.pixels[i + 1], outline.pixels[i + 2], outline.pixels[i + 3]];
      if (a === 0) transparent++;
      else {
        drawn++;
        assert.deepEqual([r, g, b], [255, 255, 255], `outline pixel ${i / 4} is not white`);
      }
    }
    assert.ok(transparent > 500 && drawn > 50, `transparent ${transparent}, drawn ${drawn}`);
  });

  it('should use TEAMS_APP_ID and the TEAMS_* settings when given', async () => {
    const config = configFor({
      TEAMS_APP_ID: 'AAAAAAAA-1111-4222-8333-444444444444',
      TEAMS_APP_NAME: 'Acme Orders',
      TEAMS_APP_VERSION: '2.3.4',
      TEAMS_PRIVACY_URL: 'https://acme.example/privacy',
    });
    const { manifest } = await buildTeamsPackage({ teams: config.teams, microsoftAppId: config.auth.MicrosoftAppId, sourceDir: fromRoot('teams') });
    assert.equal(manifest.id, 'aaaaaaaa-1111-4222-8333-444444444444');
    assert.equal((manifest.name as { short: string }).short, 'Acme Orders');
    assert.equal(manifest.version, '2.3.4');
    assert.equal((manifest.developer as { privacyUrl: string }).privacyUrl, 'https://acme.example/privacy');
  });

  it('should refuse to build without a bot id or domain, naming the setting', async () => {
    const noBot = loadConfig({ NODE_ENV: 'test', BOT_DOMAIN: 'bot.example.com' });
    await assert.rejects(
      buildTeamsPackage({ teams: noBot.teams, microsoftAppId: '', sourceDir: fromRoot('teams') }),
      (err: Error) => err instanceof TeamsPackageError && /^MicrosoftAppId is empty/.test(err.message),
    );
    const noDomain = loadConfig({ NODE_ENV: 'test', MicrosoftAppId: BOT_ID, MicrosoftAppPassword: 'p' });
    await assert.rejects(buildTeamsPackage({ teams: noDomain.teams, microsoftAppId: BOT_ID, sourceDir: fromRoot('teams') }), /BOT_DOMAIN is empty/);
    assert.throws(() => loadConfig({ NODE_ENV: 'test', BOT_DOMAIN: 'https://bot.example.com/' }), /BOT_DOMAIN: expected a host name/);
    assert.throws(() => loadConfig({ NODE_ENV: 'test', TEAMS_APP_ID: 'not-a-guid' }), /TEAMS_APP_ID: expected a GUID/);
  });

  it('should report every problem of a broken manifest and icons at once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'teams-'));
    // biome-ignore lint/suspicious/noExplicitAny: free-form JSON under test
    const template = JSON.parse(readFileSync(fromRoot('teams/manifest.template.json'), 'utf8')) as Record<string, any>;
    template.validDomains = ['https://{{BOT_DOMAIN}}/', '*.com'];
    template.bots[0].scopes = ['everywhere'];
    template.accentColor = 'blue';
    writeFileSync(path.join(dir, 'manifest.template.json'), JSON.stringify(template));
    copyFileSync(fromRoot('teams/color.png'), path.join(dir, 'outline.png'));
    copyFileSync(fromRoot('teams/color.png'), path.join(dir, 'color.png'));
    const config = configFor({});
    await assert.rejects(buildTeamsPackage({ teams: config.teams, microsoftAppId: BOT_ID, sourceDir: dir }), (err: Error) => {
      for (const expected of [
        /validDomains: "https:\/\/bot\.example\.com\/"/,
        /validDomains: "\*\.com"/,
        /bots\[0\]\.scopes/,
        /accentColor/,
        /icons\.outline: outline\.png must be 32x32/,
      ]) {
        assert.match(err.message, expected);
      }
      return true;
    });
  });

  it('should catch a bot id that is not the configured MicrosoftAppId', () => {
    // biome-ignore lint/suspicious/noExplicitAny: free-form JSON under test
    const manifest = JSON.parse(readFileSync(fromRoot('teams/manifest.template.json'), 'utf8')) as Record<string, any>;
    manifest.bots[0].botId = '00000000-0000-4000-8000-000000000000';
    assert.ok(validateManifest(manifest, { botId: BOT_ID }).some((p) => /bots\[0\]\.botId must be MicrosoftAppId/.test(p)));
  });
  describe('official manifest schema (from @microsoft/app-manifest)', () => {
    /** A manifest as JSON, with the one bot's fields open to change. */
    type EditableManifest = Record<string, unknown> & { manifestVersion: string; bots: Record<string, unknown>[] };

    async function validManifest(): Promise<EditableManifest> {
      const config = configFor({});
      return (await buildTeamsPackage({ teams: config.teams, microsoftAppId: BOT_ID, sourceDir: fromRoot('teams') })).manifest as EditableManifest;
    }

    it('should target the newest generally available schema the package carries, never the developer preview', () => {
      const template = JSON.parse(readFileSync(fromRoot('teams/manifest.template.json'), 'utf8')) as { manifestVersion: string; $schema: string };
      const versions = gaManifestVersions();
      const folders = readdirSync(teamsSchemaDir());
      assert.ok(folders.includes('vDevPreview'), `the package also carries the preview schema: ${folders.join(', ')}`);
      assert.ok(!versions.includes('DevPreview') && versions.every((v) => /^\d+\.\d+$/.test(v)), `only numbered versions: ${versions.join(', ')}`);
      assert.ok(versions.indexOf('1.9') < versions.indexOf('1.17'), 'ordered numerically, not as text');
      assert.equal(
        template.manifestVersion,
        versions[versions.length - 1],
        'after upgrading @microsoft/app-manifest, move teams/manifest.template.json to its newest version',
      );
      assert.equal(template.$schema, manifestSchemaUrl(template.manifestVersion));
      assert.equal(
        (loadManifestSchema(template.manifestVersion).properties as { manifestVersion: { const?: string } }).manifestVersion.const,
        template.manifestVersion,
        'the schema file is the one for that version',
      );
    });

    it('should report what the official schema rejects and our own checks do not look at', async () => {
      const manifest = await validManifest();
      manifest.unknownField = true;
      (manifest.bots[0] as Record<string, unknown>).supportsCalling = 'yes';
      manifest.permissions = ['identity', 'readEverything'];
      const problems = manifestSchemaProblems(manifest);
      const version = manifest.manifestVersion;
      assert.ok(problems.includes(`schema v${version}: (manifest) must NOT have additional properties (unknownField)`), problems.join('\n'));
      assert.ok(problems.includes(`schema v${version}: /bots/0/supportsCalling must be boolean`), problems.join('\n'));
      assert.ok(
        problems.some((p) => p.startsWith(`schema v${version}: /permissions/1 must be equal to one of the allowed values`)),
        problems.join('\n'),
      );
      assert.deepEqual(validateManifest(manifest, { botId: BOT_ID }), [], 'none of these is caught by the hand-written checks alone');
    });

    it('should hold a manifest to the schema of its own manifestVersion and refuse the preview or unknown versions', async () => {
      const manifest = await validManifest();
      const older = { ...manifest, manifestVersion: '1.17' };
      assert.deepEqual(manifestSchemaProblems(older), [`$schema must be ${manifestSchemaUrl('1.17')} for manifestVersion 1.17`]);
      assert.deepEqual(
        manifestSchemaProblems({ ...older, $schema: manifestSchemaUrl('1.17').replace('/json-schemas', '/en-us/json-schemas') }),
        [],
        'a locale segment in the URL is fine',
      );
      assert.match(manifestSchemaProblems({ ...manifest, manifestVersion: 'devPreview' }).join('\n'), /developer preview/);
      assert.match(
        manifestSchemaProblems({ ...manifest, manifestVersion: '1.18' }).join('\n'),
        /manifestVersion "1\.18": @microsoft\/app-manifest has no schema for it/,
      );
    });

    it('should refuse to build a package the official schema rejects, listing the schema problems with ours', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'teams-schema-'));
      const template = JSON.parse(readFileSync(fromRoot('teams/manifest.template.json'), 'utf8')) as EditableManifest;
      (template.bots[0] as Record<string, unknown>).isNotificationOnly = 'no';
      template.accentColor = 'blue';
      writeFileSync(path.join(dir, 'manifest.template.json'), JSON.stringify(template));
      for (const icon of ['color.png', 'outline.png']) copyFileSync(fromRoot(`teams/${icon}`), path.join(dir, icon));
      await assert.rejects(buildTeamsPackage({ teams: configFor({}).teams, microsoftAppId: BOT_ID, sourceDir: dir }), (err: Error) => {
        assert.ok(err instanceof TeamsPackageError);
        assert.match(err.message, /^- accentColor must be #RRGGBB$/m, 'our check');
        assert.match(err.message, /^- schema v[\d.]+: \/bots\/0\/isNotificationOnly must be boolean$/m, 'the schema');
        return true;
      });
    });
  });

  it('should keep the packaging tool out of the running bot: the built code imports no dev dependency and nothing it does not build', () => {
    const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const devOnly = new Set([...Object.keys(pkg.devDependencies), 'jszip']); // jszip: the packaging tool's, whichever list it sits in
    for (const tool of ['@microsoft/app-manifest', 'ajv-draft-04', 'ajv-formats']) assert.ok(devOnly.has(tool), `${tool} is a dev dependency`);
    // What `npm run build` compiles into dist/ is what the running bot can load.
    const roots = (JSON.parse(readFileSync(fromRoot('tsconfig.build.json'), 'utf8')) as { include: string[] }).include.map((dir) => fromRoot(dir));
    assert.ok(roots.includes(fromRoot('src')) && !roots.includes(fromRoot('scripts')), `built folders: ${roots.join(', ')}`);
    const built = (file: string): boolean => roots.some((root) => !path.relative(root, file).startsWith('..'));
    const offending: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
        // Static value imports only: `import type` is erased, and an optional require() in a try
        // (pino-pretty for local logs) is allowed to be missing.
        for (const match of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\s+from\s+)?'([^']+)'/gm)) {
          const specifier = match[1] as string;
          const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string);
          const outside = specifier.startsWith('.') && !built(path.resolve(path.dirname(file), specifier));
          if (devOnly.has(name) || outside) offending.push(`${path.relative(fromRoot('.'), file)} imports ${specifier}`);
        }
      }
    };
    roots.forEach(walk);
    assert.ok(offending.length === 0, `runtime code must not load the Teams packaging tool or dev dependencies:\n${offending.join('\n')}`);
  });
});
