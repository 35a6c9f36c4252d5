import type { RecognizerResult, TurnContext } from 'botbuilder-core';
import { Buttons } from './messages';

/** The intents the bot's own training data defines. */
export const Intents = {
  greet: 'greet',
  goodbye: 'goodbye',
  askOrderStatus: 'ask_order_status',
  inform: 'inform',
  affirm: 'affirm',
  deny: 'deny',
  humanHandoff: 'human_handoff',
  help: 'help',
  cancel: 'cancel',
  /** "Which orders do I have?" (identity policy). */
  listOrders: 'list_orders',
  none: 'None',
} as const;

const RESULT_KEY = Symbol('recognizerResult');

/** What one turn's recognition gave, as the dialogs read it. */
export interface Recognition {
  intent: string;
  score: number;
  orderId?: string;
  /** Runner-up intents when the recognizer was unsure; used for "Did you mean ...?". */
  candidates: { intent: string; score: number }[];
  raw: RecognizerResult;
}

/**
 * Our own buttons map to intents directly: a tap must never depend on the statistical model,
 * and the labels are our vocabulary, not the customer's.
 */
const BUTTON_INTENTS: Record<string, string> = {
  [Buttons.checkOrder.toLowerCase()]: Intents.askOrderStatus,
  [Buttons.talkToPerson.toLowerCase()]: Intents.humanHandoff,
  [Buttons.help.toLowerCase()]: Intents.help,
  [Buttons.noThanks.toLowerCase()]: Intents.deny,
  [Buttons.helpful.toLowerCase()]: Intents.affirm,
  [Buttons.notHelpful.toLowerCase()]: Intents.deny,
};

export function toRecognition(result: RecognizerResult): Recognition {
  const text = (result.text ?? '').trim().toLowerCase();
  const entries = Object.entries(result.intents ?? {})
    .map(([intent, value]) => ({ intent, score: value?.score ?? 0 }))
    .sort((a, b) => b.score - a.score);
  const top = entries[0] ?? { intent: Intents.none, score: 0 };
  const buttonIntent = BUTTON_INTENTS[text];
  const ids = (result.entities as Record<string, unknown> | undefined)?.order_id;
  const orderId = Array.isArray(ids) && typeof ids[0] === 'string' ? ids[0] : undefined;
  const rawCandidates = (result as { candidates?: { intent: string; score: number }[] }).candidates;
  const candidates = Array.isArray(rawCandidates) ? rawCandidates.filter((c) => c.intent !== Intents.none) : entries.filter((e) => e.intent !== Intents.none);
  return {
    intent: buttonIntent ?? top.intent,
    score: buttonIntent ? 1 : top.score,
    orderId,
    candidates,
    raw: result,
  };
}

export function setRecognition(context: TurnContext, recognition: Recognition): void {
  context.turnState.set(RESULT_KEY, recognition);
}

/** The recognition made at the start of this turn, or undefined for non-text turns. */
export function getRecognition(context: TurnContext): Recognition | undefined {
  return context.turnState.get(RESULT_KEY) as Recognition | undefined;
}
