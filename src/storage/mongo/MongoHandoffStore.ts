import type { Collection, Db, Filter, UpdateFilter } from 'mongodb';
import type { FieldCipher } from '../encryption/FieldCipher';
import type { Ticket, TicketPatch } from '../../handoff/ticket';
import type { HandoffStore, WaitSample } from '../../handoff/store/HandoffStore';
import { openTicketFields, sealOutboxEntries, sealTicketFields } from '../../handoff/store/ticketEncryption';

/** A ticket as stored: `_id` is the ticket id. */
export type TicketDocument = Omit<Ticket, 'id'> & { _id: string };

/** A remembered key (Slack event or message id); the TTL index removes it after `expiresAt`. */
export interface SeenDocument {
  _id: string;
  expiresAt: Date;
}

const DUPLICATE_KEY = 11000;

/** Collection names, fixed so every instance finds the same data. */
export const HandoffCollections = {
  tickets: 'handoff_tickets',
  seen: 'handoff_seen',
} as const;

/**
 * Tickets in MongoDB. Every state change is one `findOneAndUpdate` filtered on `_id` and
 * `version`, so it is atomic on any MongoDB (and on mongo-java-server, which has no
 * transactions): racing claims from two instances give exactly one owner.
 */
export class MongoHandoffStore implements HandoffStore {
  constructor(
    private readonly tickets: Collection<TicketDocument>,
    private readonly seen: Collection<SeenDocument>,
    /** Field encryption of customer names, lines and references (DATA_ENCRYPTION). */
    private readonly cipher?: FieldCipher,
  ) {}

  /** Builds the store on `db` with the standard collection names. */
  static fromDb(db: Db, cipher?: FieldCipher): MongoHandoffStore {
    return new MongoHandoffStore(db.collection<TicketDocument>(HandoffCollections.tickets), db.collection<SeenDocument>(HandoffCollections.seen), cipher);
  }

  /** Creates the indexes the queries need; idempotent, run at start-up. */
  async ensureIndexes(): Promise<void> {
    await this.tickets.createIndex({ 'thread.channel': 1, 'thread.ts': 1 }, { name: 'thread' });
    await this.tickets.createIndex({ state: 1, queuedAt: 1 }, { name: 'queue' });
    await this.tickets.createIndex({ dueAt: 1 }, { name: 'due', sparse: true });
    await this.tickets.createIndex({ claimedAt: -1 }, { name: 'claimed', sparse: true });
    await this.tickets.createIndex({ outboxSince: 1 }, { name: 'outbox', sparse: true });
    await this.seen.createIndex({ expiresAt: 1 }, { name: 'ttl', expireAfterSeconds: 0 });
  }

  async insert(ticket: Ticket): Promise<void> {
    await this.tickets.insertOne(toDocument(sealTicketFields(this.cipher, ticket.id, ticket)));
  }

  async get(id: string): Promise<Ticket | undefined> {
    const doc = await this.tickets.findOne({ _id: id });
    return doc ? this.fromDocument(doc) : undefined;
  }

  async findByThread(channel: string, ts: string): Promise<Ticket | undefined> {
    const doc = await this.tickets.findOne({ 'thread.channel': channel, 'thread.ts': ts });
    return doc ? this.fromDocument(doc) : undefined;
  }

  async update(id: string, expectedVersion: number, patch: TicketPatch): Promise<Ticket | undefined> {
    const set = sealTicketFields(this.cipher, id, withoutUndefined(patch.set));
    const update: UpdateFilter<TicketDocument> = { $set: { ...set, version: expectedVersion + 1 } };
    if (patch.unset && patch.unset.length > 0) {
      update.$unset = Object.fromEntries(patch.unset.map((field) => [field, ''])) as UpdateFilter<TicketDocument>['$unset'];
    }
    if (patch.enqueue && patch.enqueue.length > 0) {
      // $push, not $set of the whole array: an entry removed meanwhile (no version change) stays removed.
      update.$push = { outbox: { $each: sealOutboxEntries(this.cipher, id, withoutUndefined(patch.enqueue)) } } as UpdateFilter<TicketDocument>['$push'];
      update.$min = { outboxSince: Date.now() } as UpdateFilter<TicketDocument>['$min'];
    }
    const doc = await this.tickets.findOneAndUpdate({ _id: id, version: expectedVersion }, update, {
      returnDocument: 'after',
    });
    return doc ? this.fromDocument(doc) : undefined;
  }

  async touch(id: string, at: number): Promise<void> {
    await this.tickets.updateOne({ _id: id }, { $max: { lastActivityAt: at } });
  }

  async countQueuedBefore(queuedAt: number, id: string): Promise<number> {
    return this.tickets.countDocuments({
      state: 'queued',
      $or: [{ queuedAt: { $lt: queuedAt } }, { queuedAt, _id: { $lt: id } }],
    });
  }

  async recentWaits(limit: number): Promise<WaitSample[]> {
    const docs = await this.tickets
      .find({ claimedAt: { $exists: true } }, { projection: { claimedAt: 1, queuedAt: 1, queuePosition: 1 } })
      .sort({ claimedAt: -1 })
      .limit(limit)
      .toArray();
    return docs
      .filter((d) => typeof d.queuedAt === 'number' && typeof d.claimedAt === 'number')
      .map((d) => ({ waitMs: (d.claimedAt as number) - (d.queuedAt as number), position: d.queuePosition ?? 1 }));
  }

  async claimDue(now: number, owner: string, leaseMs: number): Promise<Ticket | undefined> {
    const filter: Filter<TicketDocument> = {
      dueAt: { $lte: now },
      $or: [{ lease: { $exists: false } }, { 'lease.until': { $lte: now } }],
    };
    const doc = await this.tickets.findOneAndUpdate(
      filter,
      { $set: { lease: { owner, until: now + leaseMs } } },
      { returnDocument: 'after', sort: { dueAt: 1 } },
    );
    return doc ? this.fromDocument(doc) : undefined;
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    await this.tickets.updateOne({ _id: id, 'lease.owner': owner }, { $unset: { lease: '' } });
  }

  async leaseOutbox(id: string, owner: string, now: number, leaseMs: number): Promise<Ticket | undefined> {
    const doc = await this.tickets.findOneAndUpdate(
      { _id: id, $or: [{ outboxLease: { $exists: false } }, { 'outboxLease.until': { $lte: now } }, { 'outboxLease.owner': owner }] },
      { $set: { outboxLease: { owner, until: now + leaseMs } } },
      { returnDocument: 'after' },
    );
    return doc ? this.fromDocument(doc) : undefined;
  }

  async claimOutbox(now: number, owner: string, leaseMs: number): Promise<Ticket | undefined> {
    const doc = await this.tickets.findOneAndUpdate(
      { outboxSince: { $exists: true }, $or: [{ outboxLease: { $exists: false } }, { 'outboxLease.until': { $lte: now } }] },
      { $set: { outboxLease: { owner, until: now + leaseMs } } },
      { returnDocument: 'after', sort: { outboxSince: 1 } },
    );
    return doc ? this.fromDocument(doc) : undefined;
  }

  async completeOutbox(id: string, entryId: string): Promise<void> {
    await this.tickets.updateOne({ _id: id }, { $pull: { outbox: { id: entryId } } } as UpdateFilter<TicketDocument>);
    await this.tickets.updateOne({ _id: id, outbox: { $size: 0 } }, { $unset: { outbox: '', outboxSince: '', outboxLease: '' } });
  }

  async releaseOutbox(id: string, owner: string): Promise<void> {
    await this.tickets.updateOne({ _id: id, 'outboxLease.owner': owner }, { $unset: { outboxLease: '' } });
  }

  private fromDocument(doc: TicketDocument): Ticket {
    return decodeTicketDocument(doc, this.cipher);
  }

  async markOnce(key: string, ttlMs: number, now: number): Promise<boolean> {
    // A lapsed key the TTL monitor has not removed yet counts as new: take it over atomically.
    try {
      await this.seen.updateOne({ _id: key, expiresAt: { $lte: new Date(now) } }, { $set: { expiresAt: new Date(now + ttlMs) } }, { upsert: true });
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === DUPLICATE_KEY) return false;
      throw error;
    }
  }
}

function toDocument(ticket: Ticket): TicketDocument {
  const { id, ...rest } = withoutUndefined(ticket);
  return { _id: id, ...rest };
}

/**
 * The driver stores `undefined` as null, at any depth; optional fields must stay absent instead.
 * Tickets are plain JSON data, so a JSON round trip is exact.
 */
function withoutUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function fromDocument(doc: TicketDocument): Ticket {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest } as Ticket;
}

/** A stored ticket as it reads in the export of a user's data: personal fields decrypted. */
export function decodeTicketDocument(doc: TicketDocument, cipher: FieldCipher | undefined): Ticket {
  return openTicketFields(cipher, doc._id, fromDocument(doc));
}
