import { readFileSync } from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import type { TeamsConfig } from '../../src/config/teams';
import { manifestValues, renderManifest, TeamsPackageError, validateManifest } from './manifest';
import { manifestSchemaProblems } from './manifestSchema';

/** Size Teams requires of each icon. */
export const ICON_SIZES = { color: 192, outline: 32 } as const;

export interface TeamsPackageInput {
  teams: TeamsConfig;
  microsoftAppId: string;
  /** Folder holding manifest.template.json, color.png and outline.png (the repository's teams/). */
  sourceDir: string;
}

export interface TeamsPackage {
  zip: Buffer;
  manifest: Record<string, unknown>;
}

/** Width and height from a PNG's IHDR chunk; throws for anything that is not a PNG. */
export function pngSize(png: Buffer): { width: number; height: number; colorType: number } {
  const signature = '89504e470d0a1a0a';
  if (png.length < 26 || png.subarray(0, 8).toString('hex') !== signature || png.subarray(12, 16).toString('ascii') !== 'IHDR') {
    throw new TeamsPackageError('an icon is not a PNG file');
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colorType: png[25] as number };
}

/**
 * Builds the zip Teams accepts in "Upload a custom app": manifest.json and the two icons at the
 * root of the archive. The manifest is validated first, by our checks and against Microsoft's
 * JSON schema for its manifestVersion; every problem is reported at once.
 */
export async function buildTeamsPackage(input: TeamsPackageInput): Promise<TeamsPackage> {
  const values = manifestValues(input.teams, input.microsoftAppId);
  const template = JSON.parse(readFileSync(path.join(input.sourceDir, 'manifest.template.json'), 'utf8')) as unknown;
  const manifest = renderManifest(template, values);
  // Our checks name the setting to fix; the official schema catches everything else Teams would refuse.
  const problems = [...validateManifest(manifest, { botId: values.BOT_ID }), ...manifestSchemaProblems(manifest)];

  const icons = manifest.icons as { color: string; outline: string };
  const files = new Map<string, Buffer>();
  for (const kind of ['color', 'outline'] as const) {
    const file = icons[kind];
    let png: Buffer;
    try {
      png = readFileSync(path.join(input.sourceDir, file));
    } catch {
      problems.push(`icons.${kind}: ${file} is missing in ${input.sourceDir}`);
      continue;
    }
    const { width, height, colorType } = pngSize(png);
    const size = ICON_SIZES[kind];
    if (width !== size || height !== size) problems.push(`icons.${kind}: ${file} must be ${size}x${size} pixels, is ${width}x${height}`);
    // The outline icon is white on a transparent background: it needs an alpha channel.
    if (kind === 'outline' && colorType !== 6) problems.push(`icons.outline: ${file} must be RGBA (transparent background)`);
    files.set(file, png);
  }
  if (problems.length > 0) throw new TeamsPackageError(`the Teams manifest is not valid:\n- ${problems.join('\n- ')}`);

  const zip = new JSZip();
  // A fixed date keeps the archive byte-for-byte reproducible.
  const date = new Date('2024-01-01T00:00:00Z');
  zip.file('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`, { date });
  for (const [name, png] of files) zip.file(name, png, { date });
  const buffer = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
  return { zip: buffer, manifest };
}
