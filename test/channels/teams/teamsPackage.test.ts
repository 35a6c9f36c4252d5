import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { deriveTeamsAppId, TeamsPackageError, validateManifest } from '../../../src/channels/teams/manifest';
import { buildTeamsPackage } from '../../../src/channels/teams/teamsPackage';
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
    const manifest = JSON.parse(await archive.file('manifest.json')!.async('string')) as Record<string, any>; // any: free-form JSON under test
    assert.equal(manifest.manifestVersion, '1.17');
    assert.match(manifest.$schema, /v1\.17\/MicrosoftTeams\.schema\.json$/);
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
    const config = configFor({ TEAMS_APP_ID: 'AAAAAAAA-1111-4222-8333-444444444444', TEAMS_APP_NAME: 'Acme Orders', TEAMS_APP_VERSION: '2.3.4', TEAMS_PRIVACY_URL: 'https://acme.example/privacy' });
    const { manifest } = await buildTeamsPackage({ teams: config.teams, microsoftAppId: config.auth.MicrosoftAppId, sourceDir: fromRoot('teams') });
    assert.equal(manifest.id, 'aaaaaaaa-1111-4222-8333-444444444444');
    assert.equal((manifest.name as { short: string }).short, 'Acme Orders');
    assert.equal(manifest.version, '2.3.4');
    assert.equal((manifest.developer as { privacyUrl: string }).privacyUrl, 'https://acme.example/privacy');
  });

  it('should refuse to build without a bot id or domain, naming the setting', async () => {
    const noBot = loadConfig({ NODE_ENV: 'test', BOT_DOMAIN: 'bot.example.com' });
    await assert.rejects(buildTeamsPackage({ teams: noBot.teams, microsoftAppId: '', sourceDir: fromRoot('teams') }), (err: Error) => err instanceof TeamsPackageError && /^MicrosoftAppId is empty/.test(err.message));
    const noDomain = loadConfig({ NODE_ENV: 'test', MicrosoftAppId: BOT_ID, MicrosoftAppPassword: 'p' });
    await assert.rejects(buildTeamsPackage({ teams: noDomain.teams, microsoftAppId: BOT_ID, sourceDir: fromRoot('teams') }), /BOT_DOMAIN is empty/);
    assert.throws(() => loadConfig({ NODE_ENV: 'test', BOT_DOMAIN: 'https://bot.example.com/' }), /BOT_DOMAIN: expected a host name/);
    assert.throws(() => loadConfig({ NODE_ENV: 'test', TEAMS_APP_ID: 'not-a-guid' }), /TEAMS_APP_ID: expected a GUID/);
  });

  it('should report every problem of a broken manifest and icons at once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'teams-'));
    const template = JSON.parse(readFileSync(fromRoot('teams/manifest.template.json'), 'utf8')) as Record<string, any>; // any: free-form JSON under test
    template.validDomains = ['https://{{BOT_DOMAIN}}/', '*.com'];
    template.bots[0].scopes = ['everywhere'];
    template.accentColor = 'blue';
    writeFileSync(path.join(dir, 'manifest.template.json'), JSON.stringify(template));
    copyFileSync(fromRoot('teams/color.png'), path.join(dir, 'outline.png'));
    copyFileSync(fromRoot('teams/color.png'), path.join(dir, 'color.png'));
    const config = configFor({});
    await assert.rejects(buildTeamsPackage({ teams: config.teams, microsoftAppId: BOT_ID, sourceDir: dir }), (err: Error) => {
      for (const expected of [/validDomains: "https:\/\/bot\.example\.com\/"/, /validDomains: "\*\.com"/, /bots\[0\]\.scopes/, /accentColor/, /icons\.outline: outline\.png must be 32x32/]) {
        assert.match(err.message, expected);
      }
      return true;
    });
  });

  it('should catch a bot id that is not the configured MicrosoftAppId', () => {
    const manifest = JSON.parse(readFileSync(fromRoot('teams/manifest.template.json'), 'utf8')) as Record<string, any>; // any: free-form JSON under test
    manifest.bots[0].botId = '00000000-0000-4000-8000-000000000000';
    assert.ok(validateManifest(manifest, { botId: BOT_ID }).some((p) => /bots\[0\]\.botId must be MicrosoftAppId/.test(p)));
  });
});
