import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { MemoryTranscriptStore, type Activity, type TranscriptStore } from 'botbuilder-core';
import type { ConversationTranscript } from './analyze';

export interface ReadTranscriptsOptions {
  /** Channel ids to read (the TranscriptStore interface lists conversations per channel). */
  channels: readonly string[];
  /** Only activities from this time on. */
  since?: Date;
}

/**
 * Streams every stored conversation through botbuilder's `TranscriptStore` interface, page by
 * page, so the same code reads the MongoDB store in production and the memory store in tests.
 */
export async function* readTranscripts(store: TranscriptStore, options: ReadTranscriptsOptions): AsyncGenerator<ConversationTranscript> {
  for (const channelId of options.channels) {
    let listToken: string | undefined;
    do {
      const page = await store.listTranscripts(channelId, listToken);
      for (const info of page.items) {
        const activities = await readActivities(store, channelId, info.id, options.since);
        if (activities.length > 0) yield { channelId, conversationId: info.id, activities };
      }
      listToken = page.continuationToken || undefined;
    } while (listToken);
  }
}

async function readActivities(store: TranscriptStore, channelId: string, conversationId: string, since?: Date): Promise<Activity[]> {
  const activities: Activity[] = [];
  let token: string | undefined;
  do {
    const page = await store.getTranscriptActivities(channelId, conversationId, token, since);
    activities.push(...page.items);
    token = page.continuationToken || undefined;
  } while (token);
  return activities;
}

/** Channel ids the bot serves; used when the store cannot list its channels itself. */
export const KNOWN_CHANNELS = ['emulator', 'msteams', 'webchat', 'directline', 'slack', 'shell', 'test'] as const;

/**
 * Loads transcript files (a JSON array of activities per file, as the Bot Framework Emulator
 * saves `.transcript` files, or JSON Lines with one activity per line) into a memory store.
 * `location` is a file or a directory (read recursively). Returns the store and its channels.
 */
export async function loadTranscriptFiles(location: string): Promise<{ store: TranscriptStore; channels: string[] }> {
  const store = new MemoryTranscriptStore();
  const channels = new Set<string>();
  for (const file of transcriptFiles(location)) {
    const activities = parseActivities(readFileSync(file, 'utf8'), file);
    for (const [index, activity] of activities.entries()) {
      if (!activity.channelId || !activity.conversation?.id) continue;
      channels.add(activity.channelId);
      // The memory store sorts by Date and pages by activity id: give it both.
      const timestamp = activity.timestamp ? new Date(activity.timestamp) : new Date(0);
      await store.logActivity({ ...activity, timestamp, id: activity.id ?? `${path.basename(file)}#${index}` });
    }
  }
  return { store, channels: [...channels].sort() };
}

function transcriptFiles(location: string): string[] {
  if (!statSync(location).isDirectory()) return [location];
  return readdirSync(location, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(location, name))
    .filter((file) => /\.(transcript|json|jsonl)$/i.test(file) && statSync(file).isFile())
    .sort();
}

function parseActivities(text: string, file: string): Activity[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    if (trimmed.startsWith('[')) return JSON.parse(trimmed) as Activity[];
    return trimmed
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Activity);
  } catch (err) {
    throw new Error(`${file}: not a transcript (a JSON array of activities, or one activity per line): ${(err as Error).message}`);
  }
}
