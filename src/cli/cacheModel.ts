/**
 * `npm run nlu:cache`: trains the bot's recognizer with the configured options (NLU_FILE,
 * NLU_THRESHOLD, ORDER_ID_PATTERN, NLU_BUILTIN_ENTITIES) and writes NLU_MODEL_FILE, exactly as
 * the bot would at start-up. Container builds run it so the image ships a model that matches
 * and the bot starts without training (and without writing to a read-only file system).
 */
import { loadRecognizer } from '../composition/recognizer';
import { loadConfig } from '../config/config';
import { SupportBotError } from '../errors';
import { createLogger } from '../telemetry/logger';

try {
  const config = loadConfig();
  if (!config.nlu.modelFile) {
    console.error('NLU_MODEL_FILE is "none": there is no model file to write.');
    process.exit(2);
  }
  loadRecognizer(config, createLogger({ level: 'info' }));
} catch (err) {
  const prefix = err instanceof SupportBotError ? `[${err.code}] ` : '';
  console.error(`nlu:cache failed: ${prefix}${(err as Error).message}`);
  process.exit(1);
}
