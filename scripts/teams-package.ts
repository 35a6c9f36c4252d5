import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildTeamsPackage } from './teams/teamsPackage';
import { loadConfig } from '../src/config/config';
import { SupportBotError } from '../src/errors';
import { fromRoot } from '../src/paths';

/**
 * `npm run teams:package`: writes dist/teams/order-bot-teams.zip, the app package to upload in
 * Teams (Apps > Manage your apps > Upload an app) or the Teams admin center. Reads MicrosoftAppId,
 * BOT_DOMAIN and the TEAMS_* settings like the bot does (environment or .env via your shell).
 *
 *   npm run teams:package                      # build the zip
 *   npm run teams:package -- --out my.zip      # somewhere else
 *   npm run teams:package -- --icons           # first redraw teams/*.png from teams/*.svg
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outFlag = args.indexOf('--out');
  const out = outFlag >= 0 && args[outFlag + 1] ? path.resolve(args[outFlag + 1] as string) : fromRoot('dist/teams/order-bot-teams.zip');
  const sourceDir = fromRoot('teams');
  if (args.includes('--icons')) await drawIcons(sourceDir);

  const config = loadConfig();
  const { zip, manifest } = await buildTeamsPackage({ teams: config.teams, microsoftAppId: config.auth.MicrosoftAppId, sourceDir });
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, zip);
  const bot = (manifest.bots as { botId: string }[])[0];
  console.log(`Teams app package written to ${out} (${zip.length} bytes)`);
  console.log(`  app id ${String(manifest.id)}, bot id ${bot?.botId}, version ${String(manifest.version)}, domains ${JSON.stringify(manifest.validDomains)}`);
  console.log(`  manifest schema v${String(manifest.manifestVersion)}, validated against the official schema from @microsoft/app-manifest`);
  console.log('  Upload it in Teams: Apps > Manage your apps > Upload an app (or in the Teams admin center).');
}

/** Renders the SVG sources to the PNG sizes Teams wants (resvg is a dev dependency). */
async function drawIcons(dir: string): Promise<void> {
  const { Resvg } = await import('@resvg/resvg-js');
  for (const [name, size] of [
    ['color', 192],
    ['outline', 32],
  ] as const) {
    const svg = readFileSync(path.join(dir, `${name}.svg`), 'utf8');
    const png = new Resvg(svg, { fitTo: { mode: 'width', value: size }, background: 'rgba(0,0,0,0)' }).render().asPng();
    writeFileSync(path.join(dir, `${name}.png`), png);
    console.log(`drew ${name}.png (${size}x${size}, ${png.length} bytes)`);
  }
}

main().catch((err: unknown) => {
  if (err instanceof SupportBotError) {
    console.error(`Cannot build the Teams package [${err.code}]: ${err.message}`);
  } else {
    console.error('Cannot build the Teams package:', err);
  }
  process.exit(1);
});
