import type { FieldCipher } from '../../storage/encryption/FieldCipher';
import type { OutboxEntry, Ticket } from '../ticket';

/**
 * Field encryption of the personal data in a stored handoff ticket: the customer's name, the
 * recent conversation lines, the messages left for the team, the conversation reference
 * (it holds the customer's name and ids) and the pending notifications of the outbox (agents'
 * messages to the customer, customer lines for the desk thread). Ids, states and times stay in clear: the queue,
 * the sweeper and per-user export/delete query them. Each field is bound to its ticket and
 * field name, so a value moved to another ticket fails authentication.
 */
type TicketFields = Partial<Pick<Ticket, 'customer' | 'transcript' | 'leftMessages' | 'reference' | 'outbox'>>;

/** Stored form of the reference when encrypted. */
interface SealedReference {
  $enc: string;
}

function context(ticketId: string, field: string): string {
  return `ticket:${ticketId}:${field}`;
}

/** Encrypts the personal fields present in `fields` (a whole ticket or a patch's `set`). */
export function sealTicketFields<T extends TicketFields>(cipher: FieldCipher | undefined, ticketId: string, fields: T): T {
  if (!cipher?.encrypt) return fields;
  const sealed: TicketFields = { ...fields };
  if (fields.customer?.name !== undefined) {
    sealed.customer = { ...fields.customer, name: cipher.seal(fields.customer.name, context(ticketId, 'customer.name')) };
  }
  if (fields.transcript) {
    sealed.transcript = fields.transcript.map((line) => ({ ...line, text: cipher.seal(line.text, context(ticketId, 'transcript')) }));
  }
  if (fields.leftMessages) {
    sealed.leftMessages = fields.leftMessages.map((left) => ({ ...left, text: cipher.seal(left.text, context(ticketId, 'leftMessages')) }));
  }
  if (fields.outbox) sealed.outbox = sealOutboxEntries(cipher, ticketId, fields.outbox);
  if (fields.reference) {
    const reference: SealedReference = { $enc: cipher.seal(JSON.stringify(fields.reference), context(ticketId, 'reference')) };
    sealed.reference = reference as unknown as Ticket['reference']; // stored shape differs on purpose
  }
  return sealed as T;
}

/** Decrypts what {@link sealTicketFields} encrypted; plain (older) values pass through. */
export function openTicketFields<T extends TicketFields>(cipher: FieldCipher | undefined, ticketId: string, fields: T): T {
  const open = (value: string, field: string): string => {
    if (!cipher) {
      if (value.startsWith('enc1.')) throw new Error(`ticket ${ticketId} is encrypted but DATA_ENCRYPTION_KEYS is not set`);
      return value;
    }
    return cipher.reveal(value, context(ticketId, field));
  };
  const opened: TicketFields = { ...fields };
  if (fields.customer?.name !== undefined) opened.customer = { ...fields.customer, name: open(fields.customer.name, 'customer.name') };
  if (fields.transcript) opened.transcript = fields.transcript.map((line) => ({ ...line, text: open(line.text, 'transcript') }));
  if (fields.leftMessages) opened.leftMessages = fields.leftMessages.map((left) => ({ ...left, text: open(left.text, 'leftMessages') }));
  if (fields.outbox) {
    opened.outbox = fields.outbox.map((entry): OutboxEntry => {
      if (entry.kind === 'thread') return { ...entry, post: { ...entry.post, text: open(entry.post.text, 'outbox') } };
      const sealedActivities = entry.kind === 'customer' ? (entry.activities as unknown as Partial<SealedReference>).$enc : undefined;
      if (entry.kind === 'customer' && typeof sealedActivities === 'string') {
        return { ...entry, activities: JSON.parse(open(sealedActivities, 'outbox')) as Extract<OutboxEntry, { kind: 'customer' }>['activities'] };
      }
      return entry;
    });
  }
  const sealedReference = (fields.reference as Partial<SealedReference> | undefined)?.$enc;
  if (typeof sealedReference === 'string') {
    opened.reference = JSON.parse(open(sealedReference, 'reference')) as Ticket['reference'];
  }
  return opened as T;
}

/** Encrypts the personal content of outbox entries (appended with a patch or stored with a ticket). */
export function sealOutboxEntries(cipher: FieldCipher | undefined, ticketId: string, entries: readonly OutboxEntry[]): OutboxEntry[] {
  if (!cipher?.encrypt) return [...entries];
  return entries.map((entry): OutboxEntry => {
    if (entry.kind === 'thread') return { ...entry, post: { ...entry.post, text: cipher.seal(entry.post.text, context(ticketId, 'outbox')) } };
    if (entry.kind === 'customer') {
      const activities: SealedReference = { $enc: cipher.seal(JSON.stringify(entry.activities), context(ticketId, 'outbox')) };
      return { ...entry, activities: activities as unknown as typeof entry.activities }; // stored shape differs on purpose
    }
    return entry;
  });
}
