import type { Collection, Document, Filter } from 'mongodb';
import { openTicketFields, sealTicketFields } from '../../handoff/store/ticketEncryption';
import type { TicketDocument } from '../mongo/MongoHandoffStore';
import { type BotStateRecord, type StateDocument, keyOfStateDocument } from '../mongo/mongoDocuments';
import { type TranscriptDocument, storedActivityJson, transcriptContext } from '../mongo/MongoTranscriptStore';
import { openStateItem } from './EncryptedStorage';
import { FieldCipher } from './FieldCipher';

/** The collections that hold field-encrypted personal data. */
export interface ReencryptTargets {
  state: Collection<BotStateRecord>;
  transcripts: Collection<TranscriptDocument>;
  tickets?: Collection<TicketDocument>;
}

export interface ReencryptCounts {
  scanned: number;
  rewritten: number;
  /** Changed by the bot between our read and our write: the bot's write already used the current key. */
  skipped: number;
  /** Could not be decrypted (changed, or a key that is not listed); left as they are. */
  failed: number;
}

export type ReencryptReport = Record<'state' | 'transcripts' | 'tickets', ReencryptCounts> & {
  /** The first failures: record and reason (no personal data: contexts are ids and keys). */
  failures: string[];
};

const counts = (): ReencryptCounts => ({ scanned: 0, rewritten: 0, skipped: 0, failed: 0 });

/**
 * Rewrites every stored value that is not in the form the cipher writes now: encrypted with an
 * older key, plain text while encryption is on, or encrypted while it is off. Runs beside live
 * bots: each write is conditioned on the value it read (state eTag, transcript text, ticket
 * version), so a concurrent turn is never overwritten, and state keeps its eTag, so turns in
 * flight do not conflict. Run it after putting a new key first in DATA_ENCRYPTION_KEYS (and
 * deploying that everywhere); once it reports nothing left to rewrite, drop the old key.
 */
export async function reencryptAll(targets: ReencryptTargets, cipher: FieldCipher): Promise<ReencryptReport> {
  const report: ReencryptReport = { state: counts(), transcripts: counts(), tickets: counts(), failures: [] };
  // One unreadable record must not stop the rotation of the others: count it and go on.
  const attempt = async (part: ReencryptCounts, work: () => Promise<boolean>): Promise<void> => {
    try {
      if (await work()) part.rewritten += 1;
      else part.skipped += 1;
    } catch (error) {
      part.failed += 1;
      if (report.failures.length < 20) report.failures.push((error as Error).message);
    }
  };

  const stateDocs = targets.state.find({ state: { $exists: true } } as Filter<BotStateRecord>) as unknown as AsyncIterable<StateDocument>;
  for await (const doc of stateDocs) {
    report.state.scanned += 1;
    const stored = JSON.parse(doc.state) as { $enc?: unknown };
    const sealed = FieldCipher.isEnvelope(stored.$enc);
    const stale = sealed ? cipher.isStale(stored.$enc) : cipher.encrypt;
    if (!stale) continue;
    await attempt(report.state, async () => {
      const key = keyOfStateDocument(doc);
      const plain = openStateItem(cipher, key, stored) as Record<string, unknown>;
      const next = cipher.encrypt ? { $enc: cipher.seal(JSON.stringify(plain), `state:${key}`) } : plain;
      const result = await targets.state.updateOne({ _id: doc._id, eTag: doc.eTag } as Filter<BotStateRecord>, { $set: { state: JSON.stringify(next) } });
      return result.modifiedCount === 1;
    });
  }

  for await (const doc of targets.transcripts.find({})) {
    report.transcripts.scanned += 1;
    if (!cipher.isStale(doc.activity)) continue;
    await attempt(report.transcripts, async () => {
      const json = storedActivityJson(doc, cipher);
      const next = cipher.protect(json, transcriptContext(doc.channelId, doc.conversationId));
      const result = await targets.transcripts.updateOne({ _id: doc._id, activity: doc.activity }, { $set: { activity: next } });
      return result.modifiedCount === 1;
    });
  }

  const { tickets } = targets;
  if (tickets) {
    for await (const doc of tickets.find({})) {
      report.tickets.scanned += 1;
      if (!ticketValues(doc).some((value) => cipher.isStale(value))) continue;
      await attempt(report.tickets, async () => {
        const fields = { customer: doc.customer, transcript: doc.transcript, leftMessages: doc.leftMessages, reference: doc.reference };
        const next = sealTicketFields(cipher, doc._id, openTicketFields(cipher, doc._id, fields));
        const result = await tickets.updateOne({ _id: doc._id, version: doc.version }, { $set: next as Document });
        return result.modifiedCount === 1;
      });
    }
  }
  return report;
}

/** The stored strings of a ticket's personal fields. */
function ticketValues(doc: TicketDocument): unknown[] {
  return [
    doc.customer?.name,
    ...(doc.transcript ?? []).map((line) => line.text),
    ...(doc.leftMessages ?? []).map((left) => left.text),
    (doc.reference as { $enc?: unknown } | undefined)?.$enc ?? (doc.reference ? JSON.stringify(doc.reference) : undefined),
  ].filter((value) => value !== undefined);
}
