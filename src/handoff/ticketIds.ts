import { randomBytes } from 'node:crypto';

/** Letters and digits without look-alikes (0/O, 1/I/L), so agents can read ids aloud. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** A short random ticket id such as `T-7KQ2M9XA` (31^8 ≈ 8.5e11 values). */
export function newTicketId(): string {
  const bytes = randomBytes(8);
  let id = 'T-';
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}

/** The key conversation state and leases use for a conversation. */
export function conversationKeyOf(channelId: string, conversationId: string): string {
  return `${channelId}/conversations/${conversationId}`;
}
