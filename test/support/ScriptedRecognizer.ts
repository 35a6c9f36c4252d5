import type { Activity, RecognizerResult } from 'botbuilder-core';
import type { DialogContext } from 'botbuilder-dialogs';
import type { TurnRecognizer } from '../../dialogs/ports';

/** One rule: when the text matches, report this intent (and the captured order ID, group 1). */
export interface ScriptRule {
  match: RegExp;
  intent: string;
  score?: number;
}

/**
 * The in-memory twin of the statistical recognizer for dialog tests: deterministic rules, so a
 * dialog test fails only when the dialog is wrong. The real recognizer is covered by its own
 * tests and by the HTTP end-to-end tests.
 */
export class ScriptedRecognizer implements TurnRecognizer {
  constructor(private readonly rules: ScriptRule[]) {}

  async recognize(_dc: DialogContext, activity: Partial<Activity>): Promise<RecognizerResult> {
    const text = activity.text ?? '';
    for (const rule of this.rules) {
      const m = rule.match.exec(text);
      if (!m) continue;
      const entities: Record<string, unknown> = {};
      if (m[1]) {
        const start = text.indexOf(m[1]);
        entities.order_id = [m[1].replace(/^#/, '').toUpperCase()];
        entities.$instance = { order_id: [{ startIndex: start, endIndex: start + m[1].length, text: m[1], type: 'order_id', score: 1 }] };
      }
      return { text, intents: { [rule.intent]: { score: rule.score ?? 0.95 } }, entities };
    }
    return {
      text,
      intents: { None: { score: 1 }, ask_order_status: { score: 0.3 }, greet: { score: 0.1 } },
      entities: {},
      candidates: [
        { intent: 'ask_order_status', score: 0.3 },
        { intent: 'greet', score: 0.1 },
      ],
    } as RecognizerResult;
  }
}

/** Rules covering the phrasings the dialog transcripts use. */
export const DEFAULT_SCRIPT: ScriptRule[] = [
  { match: /^any news about (#?[A-Z0-9-]*\d[A-Z0-9-]*)\??$/i, intent: 'None' },
  { match: /^(hi|hello|hey)\b/i, intent: 'greet' },
  { match: /^(bye|goodbye)\b/i, intent: 'goodbye' },
  { match: /^(help|what can you do)/i, intent: 'help' },
  { match: /^(cancel|stop|never mind)/i, intent: 'cancel' },
  { match: /(talk to a person|human|agent)/i, intent: 'human_handoff' },
  { match: /^(which orders|list my orders|show my orders)/i, intent: 'list_orders' },
  { match: /^(yes|yep|correct|that's right)\b/i, intent: 'affirm' },
  { match: /^(no|nope|wrong)\b/i, intent: 'deny' },
  { match: /(?:order|status|package|parcel)\b.*?(#?\b[A-Z0-9-]*\d[A-Z0-9-]*\b)/i, intent: 'ask_order_status' },
  { match: /(?:order|status|package|parcel)/i, intent: 'ask_order_status' },
  { match: /^(?:it'?s |it is |the id is )?(#?[A-Z0-9-]*\d[A-Z0-9-]*)$/i, intent: 'inform' },
];
