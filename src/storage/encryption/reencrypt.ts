import type { Collection, Document, Filter } from 'mongodb';
import { openTicketFields, sealTicketFields } from '../../handoff/store/ticketEncryption';
import type { TicketDocument } from '../../handoff/store/MongoHandoffStore';
import { BotStateRecord, StateDocument, keyOfStateDocument } from '../mongoDocuments';
import { TranscriptDocument, storedActivityJson, transcriptContext } from '../MongoTranscriptStore';
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
}

export type ReencryptReport = Record<'state' | 'transcripts' | 'tickets', ReencryptCounts>;

const counts = (): ReencryptCounts => ({ scanned: 0, rewritten: 0, skipped: 0 });

/**
 * Rewrites every stored value that is not in the form the cipher writes now: encrypted with an
 * older key, plain text while encryption is on, or encrypted while it is off. Runs beside live
 * bots: each write is conditioned on the value it read (state eTag, transcript text, ticket
 * version), so a concurrent turn is never overwritten, and state keeps its eTag, so turns in
 * flight do not conflict. Run it after putting a new key first in DATA_ENCRYPTION_KEYS (and
 * deploying that everywhere); once it reports nothing left to rewrite, drop the old key.
 */
export async function reencryptAll(targets: ReencryptTargets, cipher: FieldCipher): Promise<ReencryptReport> {
  const report: ReencryptReport = { state: counts(), transcripts: counts(), tickets: counts() };

  const stateDocs = targets.state.find({ state: { $exists: true } } as Filter<BotStateRecord>) as unknown as AsyncIterable<StateDocument>;
  for await (const doc of stateDocs) {
    report.state.scanned += 1;
    const stored = JSON.parse(doc.state) as { $enc?: unknown };
    const sealed = FieldCipher.isEnvelope(stored.$enc);
    const stale = sealed ? cipher.isStale(stored.$enc) : cipher.encrypt;
    if (!stale) continue;
    const key = keyOfStateDocument(doc);
    const plain = openStateItem(cipher, key, stored) as Record<string, unknown>;
    const next = cipher.encrypt ? { $enc: cipher.seal(JSON.stringify(plain), `state:${key}`) } : plain;
    const result = await targets.state.updateOne({ _id: doc._id, eTag: doc.eTag } as Filter<BotStateRecord>, { $set: { state: JSON.stringify(next) } });
    if (result.modifiedCount === 1) report.state.rewritten += 1;
    else report.state.skipped += 1;
  }

  for await (const doc of targets.transcripts.find({})) {
    report.transcripts.scanned += 1;
    if (!cipher.isStale(doc.activity)) continue;
    const json = storedActivityJson(doc, cipher);
    const next = cipher.protect(json, transcriptContext(doc.channelId, doc.conversationId));
    const result = await targets.transcripts.updateOne({ _id: doc._id, activity: doc.activity }, { $set: { activity: next } });
    if (result.modifiedCount === 1) report.transcripts.rewritten += 1;
    else report.transcripts.skipped += 1;
  }

  if (targets.tickets) {
    for await (const doc of targets.tickets.find({})) {
      report.tickets.scanned += 1;
      if (!ticketValues(doc).some((value) => cipher.isStale(value))) continue;
      const fields = { customer: doc.customer, transcript: doc.transcript, leftMessages: doc.leftMessages, reference: doc.reference };
      const next = sealTicketFields(cipher, doc._id, openTicketFields(cipher, doc._id, fields));
      const result = await targets.tickets.updateOne({ _id: doc._id, version: doc.version }, { $set: next as Document });
      if (result.modifiedCount === 1) report.tickets.rewritten += 1;
      else report.tickets.skipped += 1;
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
