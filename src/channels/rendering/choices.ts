import { CardFactory, type Attachment, type CardAction } from 'botbuilder';

/** A choice the bot offered, as the customer can send it back. */
export interface OfferedChoice {
  title: string;
  /** What picking it sends (the imBack value). */
  value: string;
}

/** What conversation state keeps between turns on channels without buttons. */
export interface OfferedChoices {
  choices: OfferedChoice[];
}

/** Reads the choices of a list of suggested actions (imBack/postBack/messageBack with a value). */
export function toChoices(actions: readonly CardAction[]): OfferedChoice[] {
  return actions
    .map((action) => {
      const title = String(action.title ?? action.text ?? action.value ?? '').trim();
      const value = typeof action.value === 'string' && action.value.trim() !== '' ? action.value : title;
      return { title, value };
    })
    .filter((choice) => choice.title !== '');
}

/** "text\n\n1. Yes\n2. No": for channels that show no buttons (SMS, e-mail, unknown). */
export function numberedText(text: string | undefined, choices: readonly OfferedChoice[]): string {
  const list = choices.map((choice, i) => `${i + 1}. ${choice.title}`).join('\n');
  return text ? `${text}\n\n${list}` : list;
}

/**
 * Maps a reply of just a number ("2", "2.", " 2 ") to the choice it picks. Only one or two
 * digits count, so an order ID like 12345 is never mistaken for a choice.
 */
export function pickByNumber(text: string | undefined, choices: readonly OfferedChoice[] | undefined): OfferedChoice | undefined {
  const match = /^\s*(\d{1,2})\s*[.)]?\s*$/.exec(text ?? '');
  if (!match || !choices) return undefined;
  return choices[Number(match[1]) - 1];
}

/** Buttons on a hero card, for channels that allow fewer suggested actions than offered (Teams). */
export function buttonsCard(choices: readonly OfferedChoice[]): Attachment {
  return CardFactory.heroCard(
    '',
    undefined,
    choices.map((choice) => ({ type: 'imBack', title: choice.title, value: choice.value })),
  );
}
