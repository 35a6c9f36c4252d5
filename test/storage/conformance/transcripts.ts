import assert from 'node:assert/strict';
import { type Activity, ActivityTypes, type TranscriptStore } from 'botbuilder';

export const BASE = Date.parse('2025-03-01T10:00:00Z');

export function activity(conversationId: string, i: number, overrides: Partial<Activity> = {}): Activity {
  return {
    type: ActivityTypes.Message,
    id: `${conversationId}-${i}`,
    channelId: 'webchat',
    conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
    from: { id: 'user-1', name: 'Ada', role: 'user' },
    recipient: { id: 'bot', name: 'bot', role: 'bot' },
    text: `message ${i}`,
    timestamp: new Date(BASE + i * 1000),
    ...overrides,
  } as Activity;
}

export async function readAll(store: TranscriptStore, conversationId: string, startDate?: Date): Promise<Activity[]> {
  const all: Activity[] = [];
  let token: string | undefined;
  do {
    const page = await store.getTranscriptActivities('webchat', conversationId, token, startDate);
    all.push(...page.items);
    token = page.continuationToken || undefined;
  } while (token);
  return all;
}

export function runTranscriptStoreTests(name: string, factory: () => TranscriptStore | Promise<TranscriptStore>): void {
  describe(`${name} (transcript conformance)`, () => {
    let store: TranscriptStore;
    beforeEach(async () => {
      store = await factory();
    });

    it('should return every activity of a conversation in order across pages', async () => {
      for (let i = 0; i < 45; i++) await store.logActivity(activity('paged', i));
      await store.logActivity(activity('other', 0));
      const read = await readAll(store, 'paged');
      assert.deepEqual(
        read.map((a) => a.id),
        Array.from({ length: 45 }, (_, i) => `paged-${i}`),
      );
      assert.ok(read[0]!.timestamp instanceof Date);
    });

    it('should start at startDate', async () => {
      for (let i = 0; i < 5; i++) await store.logActivity(activity('dated', i));
      const read = await readAll(store, 'dated', new Date(BASE + 3000));
      assert.deepEqual(
        read.map((a) => a.text),
        ['message 3', 'message 4'],
      );
    });

    it('should list the conversations of a channel', async () => {
      await store.logActivity(activity('list-a', 0));
      await store.logActivity(activity('list-b', 1));
      await store.logActivity(activity('list-b', 2));
      const page = await store.listTranscripts('webchat');
      const ids = page.items
        .map((t) => t.id)
        .filter((id) => id.startsWith('list-'))
        .sort();
      assert.deepEqual(ids, ['list-a', 'list-b']);
      assert.equal((await store.listTranscripts('nowhere')).items.length, 0);
    });

    it('should delete one conversation and keep the others', async () => {
      await store.logActivity(activity('gone', 0));
      await store.logActivity(activity('kept', 0));
      await store.deleteTranscript('webchat', 'gone');
      assert.equal((await readAll(store, 'gone')).length, 0);
      assert.equal((await readAll(store, 'kept')).length, 1);
    });
  });
}
