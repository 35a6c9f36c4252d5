import { Messages } from '../../dialogs/messages';
import type { HandoffRequest } from '../../dialogs/ports';
import type { TranscriptLine } from './ticket';

/**
 * Fills in what a plain "talk to a person" does not say. The order form and the backend-error
 * reply end with a "Talk to a person" button; tapping it arrives as an ordinary request, so the
 * reason and the order are read back from the bot's own recent lines (the dialogs' sentences,
 * not guesses at the customer's words).
 */
export function inferRequest(request: HandoffRequest, lines: readonly TranscriptLine[]): HandoffRequest {
  const botLines = lines.filter((l) => l.from === 'bot').map((l) => l.text);
  const last = botLines.at(-1) ?? '';
  let reason = request.reason;
  if (reason === 'user_request') {
    if (last.startsWith(Messages.backendUnavailable)) reason = 'backend_unavailable';
    else if (last.startsWith(Messages.tooManyAttempts)) reason = 'form_failed';
  }
  // With verification info the dialogs already chose what may be shared: an unverified order
  // ID stays off the ticket. Without it (older callers) the confirmed ID is read back as before.
  const orderId = request.orderId ?? (request.verification ? undefined : lastConfirmedOrder(botLines));
  return {
    ...request,
    reason,
    ...(orderId ? { orderId, intent: request.intent ?? 'ask_order_status' } : {}),
  };
}

/** The order ID in the newest "You asked about order X. Is that correct?" line. */
function lastConfirmedOrder(botLines: readonly string[]): string | undefined {
  const [before, after] = Messages.confirmOrderId('\u0000').split('\u0000') as [string, string];
  for (const line of [...botLines].reverse()) {
    if (!line.startsWith(before)) continue;
    const rest = line.slice(before.length);
    const end = rest.indexOf(after);
    if (end > 0) return rest.slice(0, end);
  }
  return undefined;
}
