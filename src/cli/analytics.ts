/**
 * `npm run analytics`: reads the stored transcripts and reports the order-form funnel, where
 * customers drop off, the misunderstood messages worth adding to the training data, the
 * handoff rate, satisfaction ratings and "Was this helpful?" answers. Prints a summary and
 * writes `analytics.json` and `analytics.html` (self-contained, inline SVG charts).
 *
 * Source: the MongoDB transcripts of the bot (same settings: MONGODB_URI, MONGODB_DB), or
 * transcript files given with --transcripts (Emulator `.transcript` files, JSON arrays or
 * JSON Lines of activities). Usage errors exit with 2, failures with 1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TranscriptStore } from 'botbuilder-core';
import { ConversationAnalytics } from '../analytics/analyze';
import { renderHtml } from '../analytics/html';
import { renderText } from '../analytics/text';
import { loadTranscriptFiles, readTranscripts } from '../analytics/transcriptSource';
import { loadConfig } from '../config/config';
import { SupportBotError } from '../errors';
import { createStorageLayer } from '../storage/createStorageLayer';
import { DEFAULT_COLLECTIONS } from '../storage/mongo/indexes';
import { MongoTranscriptStore, type TranscriptDocument } from '../storage/mongo/MongoTranscriptStore';

const USAGE = `usage: npm run analytics -- [options]

options:
  --since <date>         only activities from this day on (YYYY-MM-DD or ISO 8601)
  --days <n>             only the last n days (instead of --since)
  --channel <id>         only this channel (repeat for several); default: every channel
  --top <n>              how many misunderstood messages to list (default 20)
  --out <dir>            where to write analytics.json and analytics.html (default analytics-report)
  --transcripts <path>   read transcript files (a file or a directory) instead of MongoDB
Without --transcripts the bot's MongoDB transcripts are read (MONGODB_URI, MONGODB_DB).`;

interface Options {
  since?: Date;
  channels: string[];
  top: number;
  out: string;
  transcripts?: string;
}

/** Parses argv; returns a usage message instead of options when it is malformed. */
export function parseArgs(argv: string[], now: Date = new Date()): Options | string {
  const options: Options = { channels: [], top: 20, out: 'analytics-report' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) return `${flag ?? ''} needs a value\n\n${USAGE}`;
    i += 1;
    switch (flag) {
      case '--since': {
        const date = new Date(value);
        if (Number.isNaN(date.getTime())) return `--since: not a date: "${value}"\n\n${USAGE}`;
        options.since = date;
        break;
      }
      case '--days': {
        const days = Number(value);
        if (!Number.isInteger(days) || days <= 0) return `--days: expected a whole number above 0, got "${value}"\n\n${USAGE}`;
        options.since = new Date(now.getTime() - days * 86_400_000);
        break;
      }
      case '--channel':
        options.channels.push(value);
        break;
      case '--top': {
        const top = Number(value);
        if (!Number.isInteger(top) || top < 0) return `--top: expected a whole number, got "${value}"\n\n${USAGE}`;
        options.top = top;
        break;
      }
      case '--out':
        options.out = value;
        break;
      case '--transcripts':
        options.transcripts = value;
        break;
      default:
        return `unknown option "${flag}"\n\n${USAGE}`;
    }
  }
  return options;
}

/** Opens the transcript source; `close` releases it. */
async function openSource(options: Options): Promise<{ store: TranscriptStore; channels: string[]; close(): Promise<void> }> {
  if (options.transcripts) {
    const { store, channels } = await loadTranscriptFiles(options.transcripts);
    return { store, channels, close: async () => undefined };
  }
  const config = loadConfig();
  if (config.storage.kind !== 'mongodb') {
    throw new Error('no transcripts to read: set MONGODB_URI (the bot stores transcripts there), or pass --transcripts <file or directory>.');
  }
  const layer = await createStorageLayer(config.storage);
  const collection = layer.db!.collection<TranscriptDocument>(DEFAULT_COLLECTIONS.transcripts);
  const channels = (await collection.distinct('channelId')).filter((c): c is string => typeof c === 'string').sort();
  return { store: new MongoTranscriptStore(collection, { pageSize: 500 }), channels, close: () => layer.close() };
}

async function main(argv: string[]): Promise<number> {
  const options = parseArgs(argv);
  if (typeof options === 'string') {
    console.error(options);
    return 2;
  }
  const source = await openSource(options);
  try {
    const channels = options.channels.length > 0 ? options.channels : source.channels;
    const analytics = new ConversationAnalytics({ topUtterances: options.top });
    for await (const transcript of readTranscripts(source.store, { channels, since: options.since })) analytics.add(transcript);
    const report = analytics.report();

    process.stdout.write(renderText(report));
    mkdirSync(options.out, { recursive: true });
    const json = path.join(options.out, 'analytics.json');
    const html = path.join(options.out, 'analytics.html');
    writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(html, renderHtml(report));
    console.log(`\nwrote ${json} and ${html}`);
    return 0;
  } finally {
    await source.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const prefix = error instanceof SupportBotError ? `[${error.code}] ` : '';
      console.error(`analytics failed: ${prefix}${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
