import { join } from 'node:path';
import { loadTrainingData, LocalRecognizer, type TrainingData } from '../../recognizers';

/** The bot's own training data. */
export const BOT_NLU = join(__dirname, '..', '..', 'data', 'nlu.yml');

let cached: LocalRecognizer | undefined;

/** A recognizer trained once on data/nlu.yml, shared by tests that only read from it. */
export function botRecognizer(): LocalRecognizer {
  cached ??= LocalRecognizer.train(loadTrainingData(BOT_NLU));
  return cached;
}

/** Builds TrainingData from intent -> example texts. */
export function dataFrom(intents: Record<string, string[]>): TrainingData {
  return {
    examples: Object.entries(intents).flatMap(([intent, texts]) => texts.map((text) => ({ text, intent, entities: [] }))),
    synonyms: {},
    regexes: {},
    lookups: {},
  };
}

/** The top intent, LUIS `topIntent` style. */
export function topIntent(intents: Record<string, { score?: number }>): string {
  return Object.entries(intents).sort((a, b) => (b[1].score ?? 0) - (a[1].score ?? 0))[0]?.[0] ?? 'None';
}
