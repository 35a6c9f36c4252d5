import type { Ticket } from '../../../src/handoff/ticket';

let counter = 0;

/** A queued-ready ticket with sensible defaults; override what a test cares about. */
export function makeTicket(overrides: Partial<Ticket> = {}): Ticket {
  counter += 1;
  const id = overrides.id ?? `T-TEST${String(counter).padStart(4, '0')}`;
  return {
    id,
    version: 1,
    state: 'requested',
    conversationKey: `emulator/conversations/conv-${id}`,
    channelId: 'emulator',
    reference: { channelId: 'emulator', conversation: { id: `conv-${id}`, isGroup: false, name: '', conversationType: '' }, serviceUrl: 'http://127.0.0.1:1' },
    customer: { id: `user-${id}`, name: 'Test customer' },
    reason: 'user_request',
    transcript: [{ from: 'customer', text: 'talk to a person', at: 1_000 }],
    createdAt: 1_000,
    lastActivityAt: 1_000,
    leftMessages: [],
    ...overrides,
  };
}
