import type { ConversationEvent } from '../../dialogs/conversationEvents';

/**
 * The compact text form of a conversation event, `name key=value ...` (for example
 * `feedback helpful=true`), used as the label of its trace activity: readable in the
 * Emulator's inspector, and what transcript readers fall back on when redaction dropped the
 * activity's `value`. Field values never contain spaces (they are numbers, booleans and codes).
 */
export function eventLabel(event: ConversationEvent): string {
  const { name, ...fields } = event;
  return [name, ...Object.entries(fields).map(([k, v]) => `${k}=${String(v)}`)].join(' ');
}

/** Parses {@link eventLabel}'s output; numbers and booleans come back typed. */
export function parseEventLabel(label: string): { name: string } & Record<string, string | number | boolean> {
  const [name = '', ...pairs] = label.trim().split(/\s+/);
  const event: { name: string } & Record<string, string | number | boolean> = { name };
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const raw = pair.slice(at + 1);
    event[pair.slice(0, at)] = raw === 'true' ? true : raw === 'false' ? false : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  return event;
}
