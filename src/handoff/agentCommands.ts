/**
 * Commands agents type in a ticket's thread. Everything else an owner writes goes to the
 * customer; `!note` keeps a line internal.
 */
export type AgentCommand = { kind: 'claim' } | { kind: 'resolve' } | { kind: 'note' } | { kind: 'help' } | { kind: 'unknown'; word: string };

/** Parses `!command ...`; undefined for an ordinary message. */
export function parseAgentCommand(text: string): AgentCommand | undefined {
  const match = /^\s*!([a-z]+)\b/i.exec(text);
  if (!match) return undefined;
  const word = (match[1] as string).toLowerCase();
  switch (word) {
    case 'claim':
      return { kind: 'claim' };
    case 'resolve':
    case 'close':
    case 'done':
      return { kind: 'resolve' };
    case 'note':
      return { kind: 'note' };
    case 'help':
      return { kind: 'help' };
    default:
      return { kind: 'unknown', word };
  }
}

export const AgentHelp =
  'Ticket commands (type them in the ticket thread): `!claim` takes the ticket, `!resolve` ends the chat and hands the customer back to the bot, ' +
  '`!note <text>` writes an internal note. Once you own a ticket, everything else you write in its thread goes to the customer; ' +
  "other agents' messages are internal notes.";
